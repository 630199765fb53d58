"""The live co-creation board: the board page, its actions, the projector and the join code.

The page is complete without JavaScript: the board is drawn on the server, every action is a
plain form (posted here, answered by a redirect back to the board). With JavaScript
(frontend/assets/js/board.js) the board is redrawn from each state pushed on
``workshop:<id>:board``, notes go to the JSON API with an id made in the browser, and the
actions below are sent with ``fetch`` and answered in JSON. Every rule is the services':
this module only finds the objects, the seat and the words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from engagement.http.rate_limits import rate_limited
from engagement.people import permissions as people_permissions
from frontend.service_errors import add_service_errors
from frontend.workshops.board.forms import JoinForm, NoteForm, PromptsForm, TimerForm
from workshops import permissions
from workshops.board_state import board_state, board_topic
from workshops.models import (
    BoardParticipant,
    BoardStage,
    Cluster,
    DotVote,
    Note,
    Registration,
    RegistrationStatus,
    Workshop,
)
from workshops.services import board as board_service
from workshops.services import ideas as board_ideas

SEATS = "workshop_board_seats"
STAGE_ORDER = [
    BoardStage.IDEATION,
    BoardStage.CLUSTERING,
    BoardStage.VOTING,
    BoardStage.CLOSED,
]


# --- finding things ---------------------------------------------------------------------------


def _workshop(request: HttpRequest, pk: int) -> Workshop:
    workshop = get_object_or_404(Workshop.objects.select_related("organisation"), pk=pk)
    if not permissions.can_see(request.user, workshop):
        raise Http404
    return workshop


def guest_token(request: HttpRequest, workshop_id: int) -> str | None:
    seats = request.session.get(SEATS) or {}
    return seats.get(str(workshop_id))


def keep_guest_token(request: HttpRequest, workshop_id: int, token: str) -> None:
    seats = dict(request.session.get(SEATS) or {})
    seats[str(workshop_id)] = token
    request.session[SEATS] = seats


def current_seat(request: HttpRequest, workshop: Workshop) -> BoardParticipant | None:
    """The seat this browser already has (none is made by looking): the person's own, else
    the guest seat its session holds."""
    if request.user.is_authenticated:
        own = BoardParticipant.objects.filter(workshop=workshop, user=request.user).first()
        if own is not None:
            return own
    return board_service.guest_seat(workshop, guest_token(request, workshop.pk))


def acting_seat(request: HttpRequest, workshop: Workshop) -> BoardParticipant:
    """The seat to post and vote with (a person's own is made on their first action);
    PermissionDenied when this browser has none and may not have one."""
    return board_service.current_seat(
        workshop, user=request.user, guest_token=guest_token(request, workshop.pk)
    )


def may_take_part(request: HttpRequest, workshop: Workshop, seat: Any, facilitator: bool) -> bool:
    """Whether to offer the note form and the dots (the services decide on each action)."""
    if seat is not None or facilitator:
        return True
    user = request.user
    if not user.is_authenticated:
        return False
    if people_permissions.is_staff_of(user, workshop.organisation_id):
        return True
    return Registration.objects.filter(
        workshop=workshop, user=user, status=RegistrationStatus.CONFIRMED
    ).exists()


def _my_dots(seat: BoardParticipant | None) -> dict[str, dict[str, int]]:
    notes: dict[str, int] = {}
    clusters: dict[str, int] = {}
    if seat is not None:
        for note_id, cluster_id in DotVote.objects.filter(participant=seat).values_list(
            "note_id", "cluster_id"
        ):
            if note_id:
                notes[str(note_id)] = notes.get(str(note_id), 0) + 1
            elif cluster_id:
                clusters[str(cluster_id)] = clusters.get(str(cluster_id), 0) + 1
    return {"notes": notes, "clusters": clusters}


def viewer(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    """What this browser may do, and its dots: per viewer, so never in the pushed state."""
    facilitator = permissions.can_facilitate(request.user, workshop)
    seat = current_seat(request, workshop)
    return {
        "facilitator": facilitator,
        "moderator": permissions.can_moderate_board(request.user, workshop),
        "seat": seat is not None,
        "may_take_part": may_take_part(request, workshop, seat, facilitator),
        "dots_left": seat.dots_left if seat is not None else None,
        "my_dots": _my_dots(seat),
    }


# --- what the templates draw ------------------------------------------------------------------


def join_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("frontend:workshop_join_code", args=[code])


def qr_svg(url: str, *, label: str) -> str:
    """The QR code of ``url`` as inline SVG (no style attributes: the CSP refuses them)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code", omitsize=True
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(label)}" ', 1)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def layout(
    state: dict[str, Any], my_dots: dict[str, dict[str, int]] | None = None
) -> dict[str, Any]:
    """The state as the page draws it: a column per prompt holding its clusters (with their
    notes) and its loose notes; clusters that belong to no prompt come after the columns.
    ``mine`` is how many of this viewer's dots a note or cluster has."""
    mine = my_dots or {"notes": {}, "clusters": {}}
    clusters = {
        c["id"]: dict(c, notes=[], mine=mine["clusters"].get(str(c["id"]), 0))
        for c in state["clusters"]
    }
    columns = {p["id"]: dict(p, clusters=[], notes=[]) for p in state["prompts"]}
    for row in state["notes"]:
        note = dict(row, mine=mine["notes"].get(str(row["id"]), 0))
        if note["cluster"] in clusters:
            clusters[note["cluster"]]["notes"].append(note)
        elif note["prompt"] in columns:
            columns[note["prompt"]]["notes"].append(note)
    loose = []
    for cluster in clusters.values():
        if cluster["prompt"] in columns:
            columns[cluster["prompt"]]["clusters"].append(cluster)
        else:
            loose.append(cluster)
    return {
        "columns": list(columns.values()),
        "loose_clusters": loose,
        "clusters": list(clusters.values()),
    }


def _timer(state: dict[str, Any]) -> dict[str, Any] | None:
    timer = state.get("timer")
    if not timer or not timer.get("ends_at"):
        return None
    ends_at = datetime.fromisoformat(timer["ends_at"])
    seconds = max(0, int((ends_at - timezone.now()).total_seconds()))
    return {
        "ends_at": ends_at,
        "iso": timer["ends_at"],
        "label": timer.get("label", ""),
        "minutes_left": (seconds + 59) // 60,
        "over": seconds == 0,
    }


def crumbs(workshop: Workshop) -> list[dict[str, Any]]:
    organisation = workshop.organisation
    return [
        {
            "label": organisation.name,
            "url": reverse("frontend:organisation", args=[organisation.slug]),
        },
        {"label": workshop.title, "url": reverse("frontend:workshop_detail", args=[workshop.pk])},
        {"label": _("Board"), "url": None},
    ]


def _stages() -> list[tuple[str, str]]:
    return [(stage.value, str(stage.label)) for stage in STAGE_ORDER]


def board_context(
    request: HttpRequest, workshop: Workshop, *, note_form: NoteForm | None = None
) -> dict[str, Any]:
    me = viewer(request, workshop)
    state = board_state(
        workshop.pk, include_hidden=me["moderator"], include_join_code=me["facilitator"]
    )
    code = state.get("join_code")
    context: dict[str, Any] = {
        "workshop": workshop,
        "organisation": workshop.organisation,
        "crumbs": crumbs(workshop),
        "state": state,
        "board": layout(state, me["my_dots"]),
        "me": me,
        "timer": _timer(state),
        "stage_label": str(BoardStage(state["stage"]).label),
        "stages": _stages(),
        "topic": board_topic(workshop.pk),
        "can_vote": me["may_take_part"] and state["stage"] == BoardStage.VOTING,
        "note_form": note_form
        or (NoteForm(prompts=state["prompts"]) if state["prompts"] else None),
        "timer_form": TimerForm(initial={"minutes": 5}),
        "prompts_form": PromptsForm(
            initial={"prompts": "\n".join(p["text"] for p in state["prompts"])}
        ),
        "api_base": f"/api/v1/workshops/{workshop.pk}/board/",
        "config": {
            "workshop": workshop.pk,
            "api": f"/api/v1/workshops/{workshop.pk}/board/",
            "state": reverse("frontend:workshop_board_state", args=[workshop.pk]),
            "stages": {value: str(label) for value, label in BoardStage.choices},
            "dots_per_participant": workshop.dots_per_participant,
            **me,
        },
    }
    if code:
        context["join_code"] = code
        context["join_url"] = join_url(code)
        context["qr"] = qr_svg(
            context["join_url"],
            label=_("QR code to join the board with the code %(code)s") % {"code": code},
        )
    return context


# --- the board --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def board_page(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    if not board_service.can_view_board(request.user, workshop):
        return render(
            request,
            "frontend/workshops/board/not_open.html",
            {
                "workshop": workshop,
                "organisation": workshop.organisation,
                "crumbs": crumbs(workshop),
            },
        )
    if request.method == "POST":
        return _post_note(request, workshop)
    return render(request, "frontend/workshops/board/board.html", board_context(request, workshop))


def _post_note(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    prompts = board_state(workshop.pk)["prompts"]
    form = NoteForm(request.POST, prompts=prompts)
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat = acting_seat(request, workshop)
            note, _created = board_service.post_note(
                participant=seat,
                prompt_id=data["prompt"],
                client_id=data["client_id"],
                text=data["text"],
                display_name=data["display_name"],
                idea_consent=bool(data["idea_consent"] and data["display_name"]),
            )
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal) or _("You may not post on this board."))
        except ValidationError as refusal:
            add_service_errors(form, refusal, {"prompt_id": "prompt"})
        else:
            messages.success(request, _("Your note is on the board."))
            url = reverse("frontend:workshop_board", args=[workshop.pk])
            return redirect(f"{url}#note-{note.pk}")
    context = board_context(request, workshop, note_form=form)
    return render(request, "frontend/workshops/board/board.html", context, status=400)


def board_state_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The board as this viewer sees it (hidden notes for moderators) with their dots: what
    the script redraws from when the pushed public state is not enough."""
    workshop = _workshop(request, pk)
    if not board_service.can_view_board(request.user, workshop):
        raise Http404
    me = viewer(request, workshop)
    state = board_state(
        workshop.pk, include_hidden=me["moderator"], include_join_code=me["facilitator"]
    )
    return JsonResponse({"state": state, "viewer": me})


# --- actions (forms without JavaScript, fetch with it) ----------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _note(workshop: Workshop, value: Any) -> Note:
    try:
        return Note.objects.get(workshop=workshop, pk=int(value))
    except (TypeError, ValueError, Note.DoesNotExist) as missing:
        raise ValidationError({"note": [_("That note is not on this board.")]}) from missing


def _cluster(workshop: Workshop, value: Any) -> Cluster:
    try:
        return Cluster.objects.get(workshop=workshop, pk=int(value))
    except (TypeError, ValueError, Cluster.DoesNotExist) as missing:
        raise ValidationError({"cluster": [_("That cluster is not on this board.")]}) from missing


def _optional_id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError) as bad:
        raise ValidationError(_("Choose one of the options listed.")) from bad


def _dot_target(data: Any) -> dict[str, int | None]:
    return {
        "note_id": _optional_id(data.get("note")),
        "cluster_id": _optional_id(data.get("cluster")),
    }


def _do(request: HttpRequest, workshop: Workshop, action: str) -> tuple[str, dict[str, Any]]:
    """Carry out ``action``; the message to show and anything the script needs."""
    data = request.POST
    user = request.user
    if action == "dot-add":
        board_service.add_dot(participant=acting_seat(request, workshop), **_dot_target(data))
        return _("Dot added."), {}
    if action == "dot-remove":
        board_service.remove_dot(participant=acting_seat(request, workshop), **_dot_target(data))
        return _("Dot removed."), {}
    if action == "open":
        board_service.open_board(actor=user, workshop=workshop)
        return _("The board is open."), {}
    if action == "prompts":
        form = PromptsForm(data)
        if not form.is_valid():
            raise ValidationError(list(form.errors["prompts"]))
        board_service.set_prompts(
            actor=user, workshop=workshop, prompts=form.cleaned_data["prompts"]
        )
        return _("The prompts are saved."), {}
    if action == "stage":
        stage = data.get("stage", "")
        board_service.set_stage(actor=user, workshop=workshop, stage=stage)
        label = str(BoardStage(stage).label) if stage in BoardStage.values else stage
        return _("Stage: %(stage)s.") % {"stage": label}, {}
    if action == "timer-start":
        form = TimerForm(data)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        board_service.start_timer(
            actor=user,
            workshop=workshop,
            seconds=form.cleaned_data["minutes"] * 60,
            label=form.cleaned_data["label"],
        )
        return _("The timer is running."), {}
    if action == "timer-stop":
        board_service.stop_timer(actor=user, workshop=workshop)
        return _("The timer is stopped."), {}
    if action == "cluster-create":
        note_ids = [_note(workshop, data["note"]).pk] if data.get("note") else []
        cluster = board_service.create_cluster(
            actor=user,
            workshop=workshop,
            title=data.get("title", "").strip(),
            prompt_id=_optional_id(data.get("prompt")),
            note_ids=note_ids,
        )
        return _("Cluster “%(title)s” made.") % {"title": cluster.title}, {"cluster": cluster.pk}
    if action == "cluster-rename":
        cluster = _cluster(workshop, data.get("cluster"))
        board_service.rename_cluster(
            actor=user, cluster=cluster, title=data.get("title", "").strip()
        )
        return _("Cluster renamed."), {"cluster": cluster.pk}
    if action == "cluster-merge":
        source = _cluster(workshop, data.get("cluster"))
        target = _cluster(workshop, data.get("target"))
        board_service.merge_clusters(actor=user, source=source, target=target)
        return _("“%(source)s” merged into “%(target)s”.") % {
            "source": source.title,
            "target": target.title,
        }, {"cluster": target.pk}
    if action == "cluster-delete":
        board_service.delete_cluster(actor=user, cluster=_cluster(workshop, data.get("cluster")))
        return _("Cluster removed; its notes are back in their columns."), {}
    if action == "note-move":
        note = _note(workshop, data.get("note"))
        cluster_id = _optional_id(data.get("cluster"))
        board_service.move_note(actor=user, note=note, cluster_id=cluster_id)
        if cluster_id is None:
            return _("Note taken out of its cluster."), {"note": note.pk}
        title = _cluster(workshop, cluster_id).title
        return _("Note moved to “%(title)s”.") % {"title": title}, {"note": note.pk}
    if action in ("note-hide", "note-show"):
        note = _note(workshop, data.get("note"))
        if action == "note-hide":
            board_service.hide_note(actor=user, note=note)
            return _("Note hidden."), {"note": note.pk}
        board_service.show_note(actor=user, note=note)
        return _("Note shown again."), {"note": note.pk}
    if action == "note-idea":
        idea = board_ideas.note_to_idea(actor=user, note=_note(workshop, data.get("note")))
        return _("Idea draft made."), {"idea": idea.pk, "idea_url": _idea_url(idea)}
    if action == "cluster-idea":
        idea = board_ideas.cluster_to_idea(
            actor=user, cluster=_cluster(workshop, data.get("cluster"))
        )
        return _("Idea draft made."), {"idea": idea.pk, "idea_url": _idea_url(idea)}
    raise Http404


def _idea_url(idea: Any) -> str:
    return reverse("frontend:idea_detail", args=[idea.pk])


@require_POST
def board_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    workshop = _workshop(request, pk)
    board_url = reverse("frontend:workshop_board", args=[workshop.pk])
    try:
        message, extra = _do(request, workshop, action)
    except PermissionDenied as refusal:
        text = str(refusal) or _("You may not do this on this board.")
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": text}, status=403)
        messages.error(request, text)
        return redirect(board_url)
    except ValidationError as refusal:
        text = " ".join(refusal.messages)
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": text}, status=400)
        messages.error(request, text)
        return redirect(board_url)
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "message": message, "viewer": viewer(request, workshop), **extra}
        )
    messages.success(request, message)
    anchor = ""
    if "note" in extra:
        anchor = f"#note-{extra['note']}"
    elif "cluster" in extra:
        anchor = f"#cluster-{extra['cluster']}"
    return redirect(board_url + anchor)


# --- projector --------------------------------------------------------------------------------


def projector_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    workshop = _workshop(request, pk)
    if not permissions.can_facilitate(request.user, workshop):
        raise PermissionDenied(
            _(
                "Only the workshop's facilitators and the organisation's administrators "
                "may open the projector view."
            )
        )
    state = board_state(workshop.pk)
    code = workshop.join_code
    context: dict[str, Any] = {
        "workshop": workshop,
        "organisation": workshop.organisation,
        "state": state,
        "board": layout(state),
        "timer": _timer(state),
        "stage_label": str(BoardStage(state["stage"]).label),
        "topic": board_topic(workshop.pk),
        "config": {
            "workshop": workshop.pk,
            "projector": True,
            "stages": {value: str(label) for value, label in BoardStage.choices},
        },
        "projector": True,
    }
    if code:
        context["join_code"] = code
        context["join_url"] = join_url(code)
        context["qr"] = qr_svg(
            context["join_url"],
            label=_("QR code to join the board with the code %(code)s") % {"code": code},
        )
    return render(request, "frontend/workshops/board/projector.html", context)


# --- joining with the code --------------------------------------------------------------------


def _join(request: HttpRequest, code: str) -> Workshop:
    """Join the board of ``code``; ValidationError for an unknown or expired code."""
    user = request.user if request.user.is_authenticated else None
    # A guest who already sits at this board keeps their seat (and the dots on it).
    known = (
        Workshop.objects.filter(join_code=board_service.normalise_join_code(code))
        .values_list("pk", flat=True)
        .first()
    )
    held = guest_token(request, known) if known is not None and user is None else None
    workshop, _seat, token = board_service.join_with_code(code, user=user, guest_token=held)
    if token:
        keep_guest_token(request, workshop.pk, token)
    return workshop


JOIN_SCOPE = "board_join"  # the API's scope (workshops.api.board.Join): one budget for both


def _join_refused(request: HttpRequest, form: JoinForm) -> HttpResponse | None:
    """429 with the form saying how long to wait once the address (or person) used up the
    ``board_join`` rate: join codes must not be guessable without limit."""
    limited = rate_limited(request, JOIN_SCOPE)
    if limited is None:
        return None
    wait = limited.seconds()
    message = ngettext(
        "Too many attempts to join in a short time. Please wait %(seconds)d second and try again.",
        "Too many attempts to join in a short time. Please wait %(seconds)d seconds and try again.",
        wait,
    ) % {"seconds": wait}
    context = {"form": form, "code_error": message, "code_error_title": _("Please wait")}
    response = render(request, "frontend/workshops/board/join.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def join_page(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST" and (refused := _join_refused(request, form)) is not None:
        return refused
    if request.method == "POST" and form.is_valid():
        try:
            workshop = _join(request, form.cleaned_data["code"])
        except ValidationError:
            form.add_error("code", _unknown_code_message())
        else:
            messages.success(request, _("You are on the board. Welcome!"))
            return redirect("frontend:workshop_board", workshop.pk)
    status = 400 if form.errors else 200
    return render(request, "frontend/workshops/board/join.html", {"form": form}, status=status)


def join_code_page(request: HttpRequest, code: str) -> HttpResponse:
    refused = _join_refused(request, JoinForm(initial={"code": code}))
    if refused is not None:
        return refused
    try:
        workshop = _join(request, code)
    except ValidationError:
        form = JoinForm(initial={"code": code})
        context = {"form": form, "code_error": _unknown_code_message()}
        return render(request, "frontend/workshops/board/join.html", context, status=404)
    messages.success(request, _("You are on the board. Welcome!"))
    return redirect("frontend:workshop_board", workshop.pk)


def _unknown_code_message() -> str:
    return _(
        "This code does not open a board: it is unknown or the board has closed. "
        "Check the code shown in the room."
    )
