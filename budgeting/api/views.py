"""Budgeting endpoints: rounds, projects, ballots, receipts, turnout, results, staff actions.

Each handler: find the round (``reads.visible_round``: drafts are a 404 to non-staff), ask
the service's role check (so a caller without the role gets 403 whatever the body says),
read the input with an input serializer, make one service or selector call, answer with an
output serializer. Services check roles and phases; their ``ValidationError`` becomes a 400 with
field messages and ``error_codes`` (``engagement.http.api``), ``PermissionDenied`` a 403, and
``AlreadyVoted`` a 409 here.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from budgeting import pabulib, ports
from budgeting.api import serializers as s
from budgeting.messages import conflict_message
from budgeting.models import BudgetRound, Project
from budgeting.selectors import rounds as selectors
from budgeting.selectors.filters import ProjectFilter, RoundFilter
from budgeting.selectors.outcomes import project_titles
from budgeting.services import exports, paper, reads, results, rounds, voting
from budgeting.services.pabulib_io import pabulib_election
from engagement.http.api import IsAuthenticated, WritesThrottled
from engagement.people import permissions

BAD_REQUEST = OpenApiResponse(
    description='Field errors: {"<field>": ["message", ...], "error_codes": {"<field>": '
    '["code", ...]}}. Service rules report under "phase" (e.g. wrong_phase, voting_closed).'
)
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role needed is missing.")
NOT_FOUND = OpenApiResponse(description="No such round, or a draft the visitor may not see.")


class BallotConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT

    def __init__(self, code: str) -> None:
        super().__init__({"detail": conflict_message(code), "code": code})


class NotEligible(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN

    def __init__(self, detail: str, reasons: list[dict[str, str]]) -> None:
        super().__init__({"detail": detail, "code": "not_eligible", "reasons": reasons})


class BudgetingErrors:
    """Shared by every budgeting view: codes in 400 bodies, 409 for a second ballot."""

    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, voting.AlreadyVoted):
            exc = BallotConflict(exc.code)
        return super().handle_exception(exc)  # type: ignore[misc]


class BudgetingView(BudgetingErrors, APIView):
    pass


class ReceiptsInBodiesOnly:
    """Receipt codes travel in request bodies only: an address with one would be kept in the
    logs of every proxy and server on the way, so it is refused before anything is done."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if "receipt" in request.query_params:
            message = _(
                "Send the receipt code in the request body, never in the address: addresses "
                "are kept in logs."
            )
            raise exceptions.ValidationError({"receipt": [message]}, code="receipt_in_url")


class BudgetingListView(BudgetingErrors, generics.GenericAPIView):
    def list_response(self, queryset: Any, serializer: type, **context: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(queryset))
        return self.get_paginated_response(serializer(page, many=True, context=context).data)


def _detail(budget_round: BudgetRound) -> dict[str, Any]:
    return s.RoundDetailOutput(
        reads.round_detail(budget_round), context={"currency": budget_round.currency}
    ).data


# --- rounds -------------------------------------------------------------------------------


class RoundCollection(BudgetingListView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = RoundFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return BudgetRound.objects.none()
        return selectors.rounds_visible_to(self.request.user)

    @extend_schema(
        operation_id="rounds_list",
        summary="Budget rounds the visitor may see",
        description="Every round past draft, plus drafts of organisations where the "
        "signed-in person is staff. Each round's `slug` names it in every other URL.",
        responses=s.RoundOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        return self.list_response(self.get_queryset(), s.RoundOutput)

    @extend_schema(
        operation_id="rounds_create",
        summary="Create a round (organisation administrators)",
        description="The round starts in draft. Budgets are decimal strings in the "
        "organisation's currency: `citywide_budget` and/or `district_budgets` "
        '(`{"district": <district slug> or null for the city-wide pot, "budget": "…"}`).',
        request=s.RoundCreateInput,
        responses={201: s.RoundDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        rounds.require_admin(request.user)  # of some organisation: the body names which
        data = s.RoundCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        budget_round = rounds.round_create(actor=request.user, **data.validated_data)
        return Response(_detail(budget_round), status=status.HTTP_201_CREATED)


class RoundDetail(BudgetingView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="rounds_retrieve",
        summary="A round with its district budgets and phase schedule",
        responses={200: s.RoundDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug, detail=True)
        return Response(
            s.RoundDetailOutput(budget_round, context={"currency": budget_round.currency}).data
        )

    @extend_schema(
        operation_id="rounds_update",
        summary="Configure a round (administrators)",
        description="Title and description may change at any time; every other setting "
        "only before voting (otherwise 400 with code wrong_phase).",
        request=s.RoundSettingsInput,
        responses={200: s.RoundDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        rounds.require_admin(request.user, budget_round.organisation)
        data = s.RoundSettingsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rounds.round_update(actor=request.user, budget_round=budget_round, **data.validated_data)
        return Response(_detail(budget_round))


class RoundPhase(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_phase_advance",
        summary="Move a round to another phase (administrators)",
        description="Forward moves of the phase machine only (code invalid_transition); "
        "entering voting needs feasible projects in every district (empty_ballot), entering "
        "results needs published results (results_not_published).",
        request=s.PhaseInput,
        responses={200: s.RoundDetailOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        rounds.require_admin(request.user, budget_round.organisation)
        data = s.PhaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        rounds.phase_advance(
            actor=request.user, budget_round=budget_round, to_phase=data.validated_data["to"]
        )
        return Response(_detail(budget_round))


class RoundSchedule(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_schedule_set",
        summary="Schedule when a phase starts by itself (administrators)",
        description="Celery beat moves the round when the time comes (if the move is then "
        "allowed). `starts_at: null` removes the entry. Answers the whole schedule.",
        request=s.ScheduleInput,
        responses={200: s.ScheduleOutput(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def put(self, request: Request, slug: str) -> Response:
        budget_round = reads.round_for_ballot(request.user, slug)
        rounds.require_admin(request.user, budget_round.organisation)
        data = s.ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rounds.phase_schedule_set(
            actor=request.user, budget_round=budget_round, **data.validated_data
        )
        return Response(s.ScheduleOutput(budget_round.schedule.all(), many=True).data)


# --- projects -----------------------------------------------------------------------------


class ProjectCollection(BudgetingListView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filterset_class = ProjectFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return selectors.projects_visible_to(self.request.user, self.budget_round)

    @extend_schema(
        operation_id="rounds_projects_list",
        summary="Projects of a round",
        description="Proposals awaiting review are shown to the organisation's staff only. "
        "`support` is null unless vote counts are public (during voting only if the round "
        "shows live counts; always once results are out).",
        responses={200: s.ProjectOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        self.budget_round = reads.visible_round(request.user, slug)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {
            "currency": self.budget_round.currency,
            "support": reads.public_support(self.budget_round),
            "ideas": ports.project_origins([project.pk for project in page]),
        }
        return self.get_paginated_response(s.ProjectOutput(page, many=True, context=context).data)

    @extend_schema(
        operation_id="rounds_projects_create",
        summary="Add a project (administrators, before voting)",
        request=s.ProjectCreateInput,
        responses={201: s.ProjectOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        rounds.require_admin(request.user, budget_round.organisation)
        data = s.ProjectCreateInput(data=request.data, context={"round": budget_round})
        data.is_valid(raise_exception=True)
        project = rounds.project_create(
            actor=request.user, budget_round=budget_round, **data.validated_data
        )
        return Response(
            s.ProjectOutput(project, context={"currency": budget_round.currency}).data,
            status=status.HTTP_201_CREATED,
        )


class ProjectDetail(BudgetingView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def _project(self, request: Request, slug: str, project_id: str) -> tuple[BudgetRound, Any]:
        budget_round = reads.visible_round(request.user, slug)
        project = generics.get_object_or_404(
            selectors.projects_visible_to(request.user, budget_round), external_id=project_id
        )
        project.round = budget_round
        return budget_round, project

    def _output(self, budget_round: BudgetRound, project: Project) -> dict[str, Any]:
        context = {"currency": budget_round.currency, "support": reads.public_support(budget_round)}
        return s.ProjectOutput(project, context=context).data

    @extend_schema(
        operation_id="rounds_projects_retrieve",
        summary="One project of a round",
        description="Proposals awaiting review are found by the organisation's staff only, "
        "as in the list. `support` as in the list.",
        responses={200: s.ProjectOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str, project_id: str) -> Response:
        budget_round, project = self._project(request, slug, project_id)
        return Response(self._output(budget_round, project))

    @extend_schema(
        operation_id="rounds_projects_update",
        summary="Correct a project (administrators)",
        description="Title, description and translations may change in every phase; cost, "
        "district, categories, targets and location only while projects may be edited "
        "(before voting). A locked field sent with a different value is a 400 at that field "
        "with code locked_in_phase; sent unchanged it is ignored. A project from a citizen "
        "idea stays linked to it.",
        request=s.ProjectUpdateInput,
        responses={200: s.ProjectOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, slug: str, project_id: str) -> Response:
        budget_round, project = self._project(request, slug, project_id)
        rounds.require_admin(request.user, budget_round.organisation)
        data = s.ProjectUpdateInput(data=request.data, context={"round": budget_round})
        data.is_valid(raise_exception=True)
        project = rounds.project_update(actor=request.user, project=project, **data.validated_data)
        return Response(self._output(budget_round, project))


class ProjectReview(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_projects_review",
        summary="Feasibility verdict on a project (reviewers, before voting)",
        description="Rejection needs a public reason (shown to everyone).",
        request=s.ProjectReviewInput,
        responses={200: s.ProjectOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str, project_id: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        project = generics.get_object_or_404(
            selectors.projects_visible_to(request.user, budget_round), external_id=project_id
        )
        project.round = budget_round
        rounds.require_reviewer(request.user, budget_round.organisation)
        data = s.ProjectReviewInput(data=request.data, context={"round": budget_round})
        data.is_valid(raise_exception=True)
        project = rounds.project_review(actor=request.user, project=project, **data.validated_data)
        return Response(s.ProjectOutput(project, context={"currency": budget_round.currency}).data)


# --- ballots ------------------------------------------------------------------------------


class MyBallot(ReceiptsInBodiesOnly, WritesThrottled, BudgetingView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "ballot"

    @extend_schema(
        operation_id="ballot_retrieve",
        summary="My ballot: eligibility and participation per district",
        description="In secret rounds `participation.projects` and `points` are null: "
        "nothing links a ballot to its voter.",
        responses={200: s.BallotOverviewOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        return Response(
            s.BallotOverviewOutput(reads.ballot_overview(request.user, budget_round)).data
        )

    @extend_schema(
        operation_id="ballot_cast",
        summary="Cast or change my ballot in one district",
        description="201 on the first ballot, 200 when it replaced an earlier one (secret "
        "rounds: send the earlier `receipt`). Name each cast with a new `cast_key`: the same "
        "request sent again with it (its answer was lost) gets the same answer and receipt "
        "and casts nothing more. Ballot rule violations are 400 with codes "
        "(e.g. over_budget, too_many_projects, unknown_project); voting not open is 400 "
        "with code voting_closed; not eligible is 403 with the reasons; a second ballot "
        "is 409 (already_voted, voted_in_other_district, voted_on_paper). Rate-limited "
        "(scope `ballot`).",
        request=s.BallotCastInput,
        responses={
            200: s.CastReceiptOutput,
            201: s.CastReceiptOutput,
            400: BAD_REQUEST,
            403: s.NotEligibleOutput,
            404: NOT_FOUND,
            409: s.ConflictOutput,
            429: OpenApiResponse(description="Too many ballot requests."),
        },
    )
    def put(self, request: Request, slug: str) -> Response:
        budget_round = reads.round_for_ballot(request.user, slug)
        data = s.BallotCastInput(data=request.data, context={"round": budget_round})
        data.is_valid(raise_exception=True)
        try:
            receipt = voting.ballot_cast(
                voter=request.user, budget_round=budget_round, **data.validated_data
            )
        except voting.NotEligible as exc:
            raise NotEligible(str(exc), exc.reasons) from None
        return Response(
            s.CastReceiptOutput(receipt).data,
            status=status.HTTP_200_OK if receipt.changed else status.HTTP_201_CREATED,
        )


class BallotWithdrawal(ReceiptsInBodiesOnly, WritesThrottled, BudgetingView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "ballot"

    @extend_schema(
        operation_id="ballot_withdraw",
        summary="Withdraw my online ballot in one district",
        description='Body `{"district": "<key>", "receipt": "<code>"}` (the receipt only in '
        "secret rounds). A POST, so the receipt code travels in the body, never in an "
        "address that proxies and servers keep in their logs. Only while voting is open "
        "and if the round allows changes. Rate-limited (scope `ballot`).",
        request=s.BallotWithdrawInput,
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        data = s.BallotWithdrawInput(data=request.data, context={"round": budget_round})
        data.is_valid(raise_exception=True)
        voting.ballot_withdraw(voter=request.user, budget_round=budget_round, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReceiptCheck(ReceiptsInBodiesOnly, WritesThrottled, BudgetingView):
    throttle_scope = "receipt"

    @extend_schema(
        operation_id="receipt_check",
        summary="Is the ballot with this receipt counted?",
        description="Answers whether and in which district — never what the ballot says. "
        "Rate-limited (scope `receipt`).",
        request=s.ReceiptInput,
        responses={200: s.ReceiptOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        data = s.ReceiptInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = voting.receipt_check(
            budget_round=budget_round, code=data.validated_data["receipt"]
        )
        return Response(s.ReceiptOutput(answer).data)


# --- turnout and results ------------------------------------------------------------------


class Turnout(BudgetingView):
    @extend_schema(
        operation_id="rounds_turnout",
        summary="Voters per district budget and channel",
        responses={200: s.TurnoutOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        return Response(s.TurnoutOutput(selectors.turnout(budget_round)).data)


def _results_context(
    budget_round: BudgetRound, tallies: list[Any], counts_public: bool
) -> dict[str, Any]:
    return {
        "currency": budget_round.currency,
        "counts_public": counts_public,
        "titles": project_titles(tallies),
    }


class PublishedResults(BudgetingView):
    @extend_schema(
        operation_id="rounds_results",
        summary="Published results per district, with an explanation per project",
        description='Before publication: `{"published": false, "districts": []}`. `support` '
        "and the figures derived from it are left out while vote counts are not public.",
        responses={200: s.PublishedResultsOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        published = selectors.published_results(budget_round)
        context = _results_context(
            budget_round, published, selectors.counts_are_public(budget_round)
        )
        return Response(
            s.PublishedResultsOutput(
                {"published": bool(published), "districts": published}, context=context
            ).data
        )


class Tally(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_tally_preview",
        summary="Staff preview of the latest tally runs (administrators)",
        description="The newest stored run per district (of `rule`, if given). With "
        "`compare=true` every outcome rule is run (tallying phase only) and the funded sets "
        "are reported side by side in `comparison`.",
        parameters=[s.TallyPreviewQuery],
        responses={200: s.TallyPreviewOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.staff_round(
            request.user, slug, permissions.can_manage_organisation, reads.NOT_ADMIN
        )
        query = s.TallyPreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rule = query.validated_data.get("rule")
        comparison = None
        if query.validated_data["compare"]:
            comparison = reads.rule_comparison(request.user, budget_round)
            rule = rule or budget_round.outcome_rule
        latest = selectors.latest_results(budget_round, rule)
        context = _results_context(budget_round, latest, counts_public=True)
        return Response(
            s.TallyPreviewOutput(
                {"rule": rule, "results": latest, "comparison": comparison}, context=context
            ).data
        )

    @extend_schema(
        operation_id="rounds_tally_run",
        summary="Run the tally now (administrators, tallying phase)",
        description="Runs `rule` (default: the round's outcome rule) on every district and "
        "answers the results, unpublished. Runs are stored and reused while the ballots are "
        "unchanged. For very large rounds the same runs in the background as the Celery task "
        "`budgeting.tasks.tally_round(round_id, rule)`.",
        request=s.TallyRunInput,
        responses={200: s.TallyPreviewOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        results.require_tally_rights(request.user, budget_round)
        data = s.TallyRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = data.validated_data["rule"] or budget_round.outcome_rule
        ran = results.tally_run(actor=request.user, budget_round=budget_round, rule=rule)
        context = _results_context(budget_round, ran, counts_public=True)
        return Response(
            s.TallyPreviewOutput(
                {"rule": rule, "results": ran, "comparison": None}, context=context
            ).data
        )


class Publish(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_results_publish",
        summary="Publish the round's results (administrators, tallying phase)",
        description="Runs the round's outcome rule, publishes it per district and marks "
        "projects selected or not. Then move the round to the results phase.",
        request=None,
        responses={200: s.PublishedResultsOutput, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        published = results.results_publish(actor=request.user, budget_round=budget_round)
        context = _results_context(budget_round, published, counts_public=True)
        return Response(
            s.PublishedResultsOutput(
                {"published": True, "districts": published}, context=context
            ).data
        )


# --- paper ballots ------------------------------------------------------------------------


class PaperBallots(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_paper_ballots_enter",
        summary="Enter one paper ballot sheet (officers, voting and tallying)",
        description="Each sheet is entered by two officers independently; it counts once "
        "two entries agree (status counted), unless its voter already voted "
        "(duplicate_voter). Disagreeing entries leave it in conflict for a third entry.",
        request=s.PaperEntryInput,
        responses={201: s.PaperSheetOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, slug: str) -> Response:
        budget_round = reads.visible_round(request.user, slug)
        paper.require_officer(request.user, budget_round)
        data = s.PaperEntryInput(data=request.data, context={"round": budget_round})
        data.is_valid(raise_exception=True)
        sheet = paper.paper_entry_submit(
            officer=request.user, budget_round=budget_round, **data.validated_data
        )
        return Response(s.PaperSheetOutput(sheet).data, status=status.HTTP_201_CREATED)


class PaperProgress(BudgetingView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rounds_paper_ballots_progress",
        summary="Paper sheets by status (officers)",
        responses={200: s.PaperProgressOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> Response:
        budget_round = reads.staff_round(
            request.user, slug, permissions.can_enter_paper_ballots, reads.NOT_OFFICER
        )
        return Response(s.PaperProgressOutput(paper.paper_progress(budget_round)).data)


class ResultsExport(BudgetingView):
    """Published results as a file, for researchers and the public."""

    @extend_schema(
        operation_id="rounds_results_export",
        summary="Published results as CSV or JSON",
        description="One row per project of every published district result: cost, support "
        "(empty while vote counts are not public), selected, selection step and the reason "
        "code of its explanation. 404 until results are published.",
        parameters=[
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=["csv", "json"]),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, slug: str, fmt: str) -> HttpResponse:
        budget_round = reads.visible_round(request.user, slug)
        if fmt not in ("csv", "json") or not selectors.published_results(budget_round):
            raise Http404
        filename = f"{budget_round.slug}-results.{fmt}"
        if fmt == "csv":
            response = HttpResponse(exports.results_csv(budget_round), content_type="text/csv")
        else:
            response = JsonResponse(exports.results_json(budget_round))
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class BallotsExport(BudgetingView):
    """Anonymised ballots of one district budget as a pabulib file."""

    @extend_schema(
        operation_id="rounds_ballots_export",
        summary="Anonymised ballots as a pabulib .pb file",
        description="Available once results are published. Secret rounds use synthetic voter "
        "ids in shuffled order; re-importing the file and tallying it gives the same outcome.",
        parameters=[OpenApiParameter("district", str, required=True)],
        responses={(200, "text/plain"): OpenApiTypes.STR, 404: NOT_FOUND},
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        budget_round = reads.visible_round(request.user, slug)
        published = {r.district_budget.key: r for r in selectors.published_results(budget_round)}
        key = request.query_params.get("district", "")
        if key not in published:
            raise Http404
        election = pabulib_election(budget_round, published[key].district_budget)
        response = HttpResponse(
            pabulib.dumps_pabulib(election), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{budget_round.slug}_{key}.pb"'
        return response
