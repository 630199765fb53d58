"""The live board over the API: read it, join it, post notes, shape clusters, place dots,
and run it (facilitators). Thin: each view finds the workshop, checks who may act (before
reading the body), hands the input to ``workshops.services.board`` and answers. The board's
live topic is ``workshop:<id>:board`` (docs/realtime.md); ``seq`` in the board says which
state of it the answer includes.

A guest (no account, or an account without a registration) takes a seat with the join code;
its secret token stays in the Django session under ``workshop_board_seats`` and never
appears in an answer.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.http.api import ScopeThrottle
from engagement.realtime.broadcast import topic_seq
from workshops import permissions
from workshops.api.serializers.board import (
    BoardClusterInput,
    BoardClusterOutput,
    BoardClusterRenameInput,
    BoardDotInput,
    BoardDotsLeftOutput,
    BoardIdeaOutput,
    BoardJoinInput,
    BoardJoinOutput,
    BoardMergeInput,
    BoardMoveInput,
    BoardNoteInput,
    BoardNoteOutput,
    BoardOutput,
    BoardPostedNoteOutput,
    BoardPromptOutput,
    BoardPromptsInput,
    BoardStageInput,
    BoardTimerInput,
)
from workshops.board_state import board_state, board_topic
from workshops.models import BoardParticipant, Cluster, Note, Workshop
from workshops.services import board, board_exports
from workshops.services import ideas as board_ideas

SESSION_SEATS = "workshop_board_seats"

BAD_REQUEST = OpenApiResponse(
    description="A field-level message per bad field, with its code in error_codes."
)
FORBIDDEN = OpenApiResponse(description="The caller may not do this on this board.")
NOT_FOUND = OpenApiResponse(description="No such workshop (or note, cluster) the caller may see.")
FACILITATORS = "Facilitators of the workshop and the organisation's administrators."


# --- helpers ---------------------------------------------------------------------------------


def _workshop(request: Request, workshop_id: int) -> Workshop:
    workshop = get_object_or_404(Workshop.objects.select_related("organisation"), pk=workshop_id)
    if not permissions.can_see(request.user, workshop):
        raise Http404
    return workshop


def _guest_token(request: Request, workshop_id: int) -> str | None:
    seats = request.session.get(SESSION_SEATS)
    if not isinstance(seats, dict):
        return None
    token = seats.get(str(workshop_id))
    return token if isinstance(token, str) else None


def _keep_guest_token(request: Request, workshop_id: int, token: str) -> None:
    seats = request.session.get(SESSION_SEATS)
    seats = dict(seats) if isinstance(seats, dict) else {}
    seats[str(workshop_id)] = token
    request.session[SESSION_SEATS] = seats


def _seat(request: Request, workshop: Workshop) -> BoardParticipant:
    return board.current_seat(
        workshop, user=request.user, guest_token=_guest_token(request, workshop.pk)
    )


def _existing_seat(request: Request, workshop: Workshop) -> BoardParticipant | None:
    """The caller's seat, without making one (a read makes none)."""
    user = request.user
    if user.is_authenticated:
        seat = BoardParticipant.objects.filter(workshop=workshop, user_id=user.pk).first()
        if seat is not None:
            return seat
    return board.guest_seat(workshop, _guest_token(request, workshop.pk))


def _require_facilitator(request: Request, workshop: Workshop) -> None:
    if not permissions.can_facilitate(request.user, workshop):
        raise PermissionDenied(_("Only the workshop's facilitators may do this."))


def _field_error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _note(workshop: Workshop, note_id: int) -> Note:
    return get_object_or_404(Note.objects.select_related("workshop"), pk=note_id, workshop=workshop)


def _cluster(workshop: Workshop, cluster_id: int) -> Cluster:
    return get_object_or_404(
        Cluster.objects.select_related("workshop"), pk=cluster_id, workshop=workshop
    )


def note_data(note: Note, dots: int | None = None) -> dict[str, Any]:
    return {
        "id": note.pk,
        "client_id": str(note.client_id),
        "prompt": note.prompt_id,
        "cluster": note.cluster_id,
        "text": note.text,
        "display_name": note.display_name,
        "dots": note.dot_votes.count() if dots is None else dots,
        "idea": note.idea_id,
        "hidden": note.hidden,
        "created_at": note.created_at.isoformat(),
    }


def cluster_data(cluster: Cluster) -> dict[str, Any]:
    return {
        "id": cluster.pk,
        "title": cluster.title,
        "prompt": cluster.prompt_id,
        "position": cluster.position,
        "dots": cluster.dot_votes.count(),
        "idea": cluster.idea_id,
    }


def board_answer(
    request: Request, workshop: Workshop, *, facilitator: bool, moderator: bool
) -> dict[str, Any]:
    """The board as the caller sees it (``BoardOutput``)."""
    # The seq first: the state read after it includes every change up to it.
    seq = topic_seq(board_topic(workshop.pk))
    state = board_state(workshop.pk, include_hidden=moderator, include_join_code=facilitator)
    seat = _existing_seat(request, workshop)
    state.update(
        seq=seq,
        dots_left=seat.dots_left if seat is not None else None,
        can_facilitate=facilitator,
        can_moderate=moderator,
    )
    return state


def _facilitator_answer(request: Request, workshop: Workshop) -> Response:
    """The board after a facilitator's change (facilitators moderate too)."""
    return Response(board_answer(request, workshop, facilitator=True, moderator=True))


class BoardView(APIView):
    error_codes_in_body = True  # read by engagement.http.api.api_exception_handler


# --- reading and joining ---------------------------------------------------------------------


class Board(BoardView):
    @extend_schema(
        operation_id="workshops_board",
        summary="The board: prompts, clusters, notes with their dots, stage, timer, presence",
        description="Anyone who may see the workshop, once its board is open; facilitators "
        "always. Facilitators and moderators also get hidden notes (hidden true); "
        "facilitators the join code. seq is the live topic's seq this state includes "
        "(subscribe to workshop:<id>:board with since=seq); dots_left is the caller's.",
        responses={200: BoardOutput, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        facilitator, moderator = board.board_roles(request.user, workshop)
        if not board.can_view_board(request.user, workshop, facilitator=facilitator):
            raise PermissionDenied(_("The board of this workshop is not open yet."))
        return Response(
            board_answer(request, workshop, facilitator=facilitator, moderator=moderator)
        )


class Join(BoardView):
    # Join codes must not be guessable without limit: per person, or per address without an
    # account (a room on one venue network still fits), shared with the page's join form.
    throttle_classes = [ScopeThrottle]
    throttle_scope = "board_join"

    @extend_schema(
        operation_id="workshops_board_join",
        summary="Take a seat on the board with the join code shown in the room",
        description="Signed in: the caller's own seat. Otherwise a guest seat, kept by this "
        "browser session (a retry keeps the same seat). The workshop in the path must be the "
        "code's. Codes: invalid_join_code. Rate-limited (scope `board_join`).",
        request=BoardJoinInput,
        responses={200: BoardJoinOutput, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        data = _valid(BoardJoinInput, request)
        joined, seat, token = board.join_with_code(
            data["code"],
            user=request.user,
            guest_token=_guest_token(request, workshop.pk),
        )
        if joined.pk != workshop.pk:
            raise _field_error("code", _("No open board has this code."), "invalid_join_code")
        if token is not None:
            _keep_guest_token(request, workshop.pk, token)
        return Response(
            {"workshop": workshop.pk, "dots_left": seat.dots_left, "guest": seat.user_id is None}
        )


# --- notes -------------------------------------------------------------------------------------


class Notes(BoardView):
    @extend_schema(
        operation_id="workshops_board_note_post",
        summary="Post a note under a prompt (ideation)",
        description="Needs a seat: registered participants, facilitators and staff have one; "
        "anyone else joins with the code first. Idempotent by client_id: a retry answers "
        "200 with the note already made (created false). Codes: wrong_stage, board_closed, "
        "board_not_open, client_id_conflict, does_not_exist.",
        request=BoardNoteInput,
        responses={
            201: BoardPostedNoteOutput,
            200: BoardPostedNoteOutput,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        seat = _seat(request, workshop)
        data = _valid(BoardNoteInput, request)
        note, created = board.post_note(
            participant=seat,
            prompt_id=data["prompt"],
            client_id=data["client_id"],
            text=data["text"],
            display_name=data["display_name"],
            idea_consent=data["idea_consent"],
        )
        body = {**note_data(note, dots=0 if created else None), "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class _NoteVisibility(BoardView):
    hidden = True

    def post(self, request: Request, workshop_id: int, note_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        note = _note(workshop, note_id)
        action = board.hide_note if self.hidden else board.show_note
        note = action(actor=request.user, note=note)
        return Response(note_data(note))


VISIBILITY_RESPONSES = {200: BoardNoteOutput, 403: FORBIDDEN, 404: NOT_FOUND}


class HideNote(_NoteVisibility):
    hidden = True

    @extend_schema(
        operation_id="workshops_board_note_hide",
        summary="Hide a note from the public board (facilitators, moderators)",
        description="Also on a closed board. Facilitators and moderators still see it, marked.",
        request=None,
        responses=VISIBILITY_RESPONSES,
    )
    def post(self, request: Request, workshop_id: int, note_id: int) -> Response:
        return super().post(request, workshop_id, note_id)


class ShowNote(_NoteVisibility):
    hidden = False

    @extend_schema(
        operation_id="workshops_board_note_show",
        summary="Show a hidden note again (facilitators, moderators)",
        request=None,
        responses=VISIBILITY_RESPONSES,
    )
    def post(self, request: Request, workshop_id: int, note_id: int) -> Response:
        return super().post(request, workshop_id, note_id)


class MoveNote(BoardView):
    @extend_schema(
        operation_id="workshops_board_note_move",
        summary="Move a note into or out of a cluster, or under another prompt (clustering)",
        description=FACILITATORS + " Codes: wrong_stage, board_closed, does_not_exist.",
        request=BoardMoveInput,
        responses={200: BoardNoteOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int, note_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        note = _note(workshop, note_id)
        data = _valid(BoardMoveInput, request)
        note = board.move_note(
            actor=request.user,
            note=note,
            cluster_id=data.get("cluster"),
            prompt_id=data.get("prompt"),
        )
        return Response(note_data(note))


class NoteIdea(BoardView):
    @extend_schema(
        operation_id="workshops_board_note_idea",
        summary="Make an idea draft of a note",
        description=FACILITATORS + " The workshop must be linked to a process (or a round "
        "with one). A note written under a name needs its author's consent. Codes: "
        "no_process, no_consent, already_an_idea, hidden, and the ideas feature's own "
        "(e.g. wrong_phase).",
        request=None,
        responses={201: BoardIdeaOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int, note_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        idea = board_ideas.note_to_idea(actor=request.user, note=_note(workshop, note_id))
        return Response({"idea": idea.pk}, status=status.HTTP_201_CREATED)


# --- clusters --------------------------------------------------------------------------------


class Clusters(BoardView):
    @extend_schema(
        operation_id="workshops_board_cluster_create",
        summary="Make a cluster, optionally with notes in it (clustering)",
        description=FACILITATORS + " Codes: wrong_stage, board_closed, does_not_exist.",
        request=BoardClusterInput,
        responses={201: BoardClusterOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        data = _valid(BoardClusterInput, request)
        cluster = board.create_cluster(
            actor=request.user,
            workshop=workshop,
            title=data["title"],
            prompt_id=data.get("prompt"),
            note_ids=data["notes"],
        )
        return Response(cluster_data(cluster), status=status.HTTP_201_CREATED)


class ClusterDetail(BoardView):
    @extend_schema(
        operation_id="workshops_board_cluster_rename",
        summary="Rename a cluster (clustering)",
        description=FACILITATORS,
        request=BoardClusterRenameInput,
        responses={200: BoardClusterOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, workshop_id: int, cluster_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        cluster = _cluster(workshop, cluster_id)
        # A PATCH names what changes: without a title, nothing does.
        serializer = BoardClusterRenameInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "title" in serializer.validated_data:
            cluster = board.rename_cluster(
                actor=request.user, cluster=cluster, title=serializer.validated_data["title"]
            )
        return Response(cluster_data(cluster))

    @extend_schema(
        operation_id="workshops_board_cluster_delete",
        summary="Remove a cluster; its notes stay, unclustered (clustering)",
        description=FACILITATORS,
        request=None,
        responses={204: None, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, workshop_id: int, cluster_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        board.delete_cluster(actor=request.user, cluster=_cluster(workshop, cluster_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MergeCluster(BoardView):
    @extend_schema(
        operation_id="workshops_board_cluster_merge",
        summary="Merge this cluster into another: its notes and dots move, it goes",
        description=FACILITATORS + " Codes: wrong_stage, same_cluster, does_not_exist.",
        request=BoardMergeInput,
        responses={200: BoardClusterOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int, cluster_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        source = _cluster(workshop, cluster_id)
        data = _valid(BoardMergeInput, request)
        target = Cluster.objects.filter(pk=data["target"], workshop=workshop).first()
        if target is None:
            raise _field_error("target", _("This board has no such cluster."), "does_not_exist")
        target = board.merge_clusters(actor=request.user, source=source, target=target)
        return Response(cluster_data(target))


class ClusterIdea(BoardView):
    @extend_schema(
        operation_id="workshops_board_cluster_idea",
        summary="Make an idea draft of a cluster (its title and its notes' texts)",
        description=FACILITATORS + " Named notes without their author's consent are left "
        "out. Codes: no_process, already_an_idea, and the ideas feature's own.",
        request=None,
        responses={201: BoardIdeaOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int, cluster_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        idea = board_ideas.cluster_to_idea(
            actor=request.user, cluster=_cluster(workshop, cluster_id)
        )
        return Response({"idea": idea.pk}, status=status.HTTP_201_CREATED)


# --- dots ------------------------------------------------------------------------------------


class Dots(BoardView):
    @extend_schema(
        operation_id="workshops_board_dot_add",
        summary="Place one of the caller's dots on a note or a cluster (voting)",
        description="Needs a seat. Several dots may go on one target. Codes: no_dots_left, "
        "one_target, hidden, does_not_exist, wrong_stage, board_closed.",
        request=BoardDotInput,
        responses={201: BoardDotsLeftOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        seat = _seat(request, workshop)
        data = _valid(BoardDotInput, request)
        board.add_dot(participant=seat, note_id=data.get("note"), cluster_id=data.get("cluster"))
        return Response({"dots_left": seat.dots_left}, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="workshops_board_dot_remove",
        summary="Take one of the caller's dots back from a note or a cluster (voting)",
        description="Codes: no_dot, one_target, does_not_exist, wrong_stage, board_closed.",
        request=BoardDotInput,
        responses={200: BoardDotsLeftOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        seat = _seat(request, workshop)
        data = _valid(BoardDotInput, request)
        board.remove_dot(participant=seat, note_id=data.get("note"), cluster_id=data.get("cluster"))
        return Response({"dots_left": seat.dots_left})


# --- running the board -------------------------------------------------------------------------


class OpenBoard(BoardView):
    @extend_schema(
        operation_id="workshops_board_open",
        summary="Open the board for ideation, with a join code",
        description=FACILITATORS + " The workshop must be published and have a prompt. "
        "Already open: answers the board unchanged. Codes: not_published, no_prompts, "
        "board_closed.",
        request=None,
        responses={200: BoardOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        board.open_board(actor=request.user, workshop=workshop)
        return _facilitator_answer(request, workshop)


class Stage(BoardView):
    @extend_schema(
        operation_id="workshops_board_stage",
        summary="Move the board one stage forward or back",
        description=FACILITATORS + " ideation → clustering → voting → closed. Entering "
        "voting gives every seat its dots (less those already placed). Codes: "
        "invalid_transition, invalid_choice.",
        request=BoardStageInput,
        responses={200: BoardOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        data = _valid(BoardStageInput, request)
        board.set_stage(actor=request.user, workshop=workshop, stage=data["stage"])
        return _facilitator_answer(request, workshop)


class Timer(BoardView):
    @extend_schema(
        operation_id="workshops_board_timer",
        summary="Start (seconds > 0) or stop (seconds 0) the board's timer",
        description=FACILITATORS + " Codes: out_of_range, wrong_stage, board_closed.",
        request=BoardTimerInput,
        responses={200: BoardOutput, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        data = _valid(BoardTimerInput, request)
        if data["seconds"] == 0:
            board.stop_timer(actor=request.user, workshop=workshop)
        else:
            board.start_timer(
                actor=request.user,
                workshop=workshop,
                seconds=data["seconds"],
                label=data["label"],
            )
        return _facilitator_answer(request, workshop)


class Prompts(BoardView):
    @extend_schema(
        operation_id="workshops_board_prompts",
        summary="Set the board's prompts (columns), in order",
        description=FACILITATORS + " Existing prompts are rewritten in place; one that has "
        "notes cannot be removed. Codes: prompt_has_notes, board_closed, blank.",
        request=BoardPromptsInput,
        responses={
            200: BoardPromptOutput(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, workshop_id: int) -> Response:
        workshop = _workshop(request, workshop_id)
        _require_facilitator(request, workshop)
        data = _valid(BoardPromptsInput, request)
        prompts = board.set_prompts(actor=request.user, workshop=workshop, prompts=data["prompts"])
        return Response([{"id": p.pk, "text": p.text, "position": p.position} for p in prompts])


# --- exports -----------------------------------------------------------------------------------


def _export(request: Request, workshop_id: int, fmt: str) -> HttpResponse:
    workshop = _workshop(request, workshop_id)
    board_exports.require_export(request.user, workshop)
    response: HttpResponse
    if fmt == "csv":
        response = HttpResponse(
            board_exports.board_csv(workshop), content_type="text/csv; charset=utf-8"
        )
    else:
        response = JsonResponse(
            board_exports.board_json(workshop), json_dumps_params={"ensure_ascii": False}
        )
    filename = f"workshop-{workshop.pk}-board.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EXPORT_DESCRIPTION = (
    "Prompts, clusters and notes with their dots; hidden notes included and marked; no user "
    "ids. " + FACILITATORS
)


class ExportCsv(APIView):
    @extend_schema(
        operation_id="workshops_board_export_csv",
        summary="The board as CSV (one row per note, then per cluster)",
        description=EXPORT_DESCRIPTION + " Cells a spreadsheet would run as formulas are made "
        "inert.",
        responses={(200, "text/csv"): OpenApiTypes.STR, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, workshop_id: int) -> HttpResponse:
        return _export(request, workshop_id, "csv")


class ExportJson(APIView):
    @extend_schema(
        operation_id="workshops_board_export_json",
        summary="The board as JSON",
        description=EXPORT_DESCRIPTION,
        responses={(200, "application/json"): OpenApiTypes.OBJECT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, workshop_id: int) -> HttpResponse:
        return _export(request, workshop_id, "json")
