"""The live co-creation board: seats, notes, clusters, stages, dots and the timer.

Stages run ideation → clustering → voting → closed (facilitators may step back one stage):
notes are posted only in ideation, clusters are shaped only in clustering, dots are placed
only in voting, and a closed board is read-only (moderators may still hide a note: taking
abuse down must stay possible after the workshop). Every change announces the board topic
``workshop:<id>:board`` once its transaction commits (nothing on rollback).

The dot budget is kept by the database, not by reading and then writing: a dot is
``UPDATE … SET dots_left = dots_left - 1 WHERE id = … AND dots_left > 0`` and the dot row
in the same transaction, so concurrent votes can never spend more than a participant has
(the CHECK constraint ``dots_left >= 0`` is the last line of defence).

Errors: ``ValidationError({field: [ValidationError(message, code=…)]})`` for bad input and
business rules (codes listed in docs/api.md), ``PermissionDenied`` for the wrong person.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.people import permissions as people_permissions
from engagement.realtime.broadcast import publish_on_commit
from workshops import permissions
from workshops.board_state import board_topic
from workshops.models import (
    BoardParticipant,
    BoardStage,
    Cluster,
    DotVote,
    Note,
    Prompt,
    RegistrationStatus,
    Workshop,
    WorkshopStatus,
)

__all__ = [
    "JOIN_CODE_ALPHABET",
    "add_dot",
    "board_roles",
    "can_view_board",
    "create_cluster",
    "current_seat",
    "delete_cluster",
    "guest_seat",
    "hide_note",
    "join_with_code",
    "merge_clusters",
    "move_note",
    "open_board",
    "post_note",
    "publish_board",
    "remove_dot",
    "rename_cluster",
    "seat_for_user",
    "set_prompts",
    "set_stage",
    "show_note",
    "start_timer",
    "stop_timer",
]

# No 0/O, 1/I/L: the code is read aloud and copied from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
MAX_PROMPTS = 12
TIMER_MIN_SECONDS = 10
TIMER_MAX_SECONDS = 4 * 60 * 60
STAGE_ORDER = [BoardStage.IDEATION, BoardStage.CLUSTERING, BoardStage.VOTING, BoardStage.CLOSED]


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def publish_board(workshop_id: int) -> None:
    """Announce a change of the board once the current transaction commits."""
    publish_on_commit(board_topic(workshop_id))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- who may do what --------------------------------------------------------------------


def can_view_board(user: Any, workshop: Workshop, *, facilitator: bool | None = None) -> bool:
    """Facilitators always; anyone who may see the workshop once the board is open (that is
    what the projector in the room shows). ``facilitator``: already asked (see
    :func:`board_roles`), so it is not asked again."""
    if facilitator is None:
        facilitator = permissions.can_facilitate(user, workshop)
    if facilitator:
        return True
    return workshop.board_stage != BoardStage.NOT_OPEN and permissions.can_see(user, workshop)


def board_roles(user: Any, workshop: Workshop) -> tuple[bool, bool]:
    """``(facilitator, moderator)`` of ``user`` on the board, each asked once (a reader of
    the board needs both: the facilitator check is a query, the organisation's roles are
    cached on the user)."""
    facilitator = permissions.can_facilitate(user, workshop)
    moderator = facilitator or people_permissions.can_moderate(user, workshop.organisation_id)
    return facilitator, moderator


def _require_facilitator(actor: Any, workshop: Workshop) -> None:
    if not permissions.can_facilitate(actor, workshop):
        raise PermissionDenied(
            _("Only the workshop's facilitators and the organisation's administrators may do this.")
        )


def _require_stage(workshop: Workshop, *stages: str, field: str = "stage") -> None:
    refusal = _stage_refusal(workshop.board_stage, *stages, field=field)
    if refusal is not None:
        raise refusal


def _stage_refusal(current: str, *stages: str, field: str = "stage") -> ValidationError | None:
    """None in one of ``stages``, else the refusal to raise."""
    if current in stages:
        return None
    if current == BoardStage.CLOSED:
        return _error(field, _("The board is closed."), "board_closed")
    if current == BoardStage.NOT_OPEN:
        return _error(field, _("The board is not open yet."), "board_not_open")
    names = ", ".join(str(BoardStage(stage).label) for stage in stages)
    return _error(
        field,
        _("This is possible only in the stage: %(stages)s.") % {"stages": names},
        "wrong_stage",
    )


def _lock_workshop(workshop: Workshop) -> Workshop:
    """The workshop row, locked for the rest of the transaction (stage and timer changes
    serialise on it), refreshed into ``workshop``."""
    locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
    for name in ("board_stage", "join_code", "timer_ends_at", "timer_label", "status"):
        setattr(workshop, name, getattr(locked, name))
    return workshop


# --- seats ------------------------------------------------------------------------------


def _may_have_user_seat(user: Any, workshop: Workshop) -> bool:
    if permissions.can_facilitate(user, workshop) or people_permissions.is_staff_of(
        user, workshop.organisation_id
    ):
        return True
    return workshop.registrations.filter(
        user_id=user.pk, status=RegistrationStatus.CONFIRMED
    ).exists()


def _create_seat(workshop: Workshop, **identity: Any) -> BoardParticipant:
    """A new seat; one created during voting gets its dots at once."""
    dots = workshop.dots_per_participant if workshop.board_stage == BoardStage.VOTING else 0
    return BoardParticipant.objects.create(workshop=workshop, dots_left=dots, **identity)


def _on(workshop: Workshop, seat: BoardParticipant | None) -> BoardParticipant | None:
    """``seat`` with ``workshop`` (the caller's instance) as its workshop: the services read
    ``seat.workshop`` without reading the workshop's row again."""
    if seat is not None:
        seat.workshop = workshop
    return seat


def _own_seat(user: Any, workshop: Workshop) -> BoardParticipant | None:
    seat = BoardParticipant.objects.filter(workshop=workshop, user_id=user.pk).first()
    return _on(workshop, seat)


def _user_seat(user: Any, workshop: Workshop) -> BoardParticipant:
    seat = _own_seat(user, workshop)
    if seat is not None:
        return seat
    try:
        with transaction.atomic():
            return _create_seat(workshop, user=user)
    except IntegrityError:  # created at the same time by another request of theirs
        seat = BoardParticipant.objects.get(workshop=workshop, user_id=user.pk)
        seat.workshop = workshop
        return seat


def seat_for_user(user: Any, workshop: Workshop) -> BoardParticipant:
    """The signed-in ``user``'s seat, made on their first action. Registered (confirmed)
    participants, facilitators and the organisation's staff have one; anyone else joins
    with the code shown in the room."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        raise PermissionDenied(_("Sign in or enter the join code to take part."))
    existing = _own_seat(user, workshop)
    if existing is not None:
        return existing
    if not _may_have_user_seat(user, workshop):
        raise PermissionDenied(
            _("Only registered participants can take part; enter the join code shown in the room.")
        )
    return _user_seat(user, workshop)


def guest_seat(workshop: Workshop, token: str | None) -> BoardParticipant | None:
    """The guest seat whose secret token is ``token`` (kept in the guest's session)."""
    if not token or not isinstance(token, str):
        return None
    return _on(
        workshop,
        BoardParticipant.objects.filter(
            workshop=workshop, guest_token_digest=_digest(token)
        ).first(),
    )


def current_seat(
    workshop: Workshop, *, user: Any = None, guest_token: str | None = None
) -> BoardParticipant:
    """The seat someone acts with: their own as a signed-in person if they may have one,
    else the guest seat their session holds. ``PermissionDenied`` if neither."""
    if user is not None and getattr(user, "is_authenticated", False):
        existing = _own_seat(user, workshop)
        if existing is not None:
            return existing
        if _may_have_user_seat(user, workshop):
            return _user_seat(user, workshop)
    seat = guest_seat(workshop, guest_token)
    if seat is not None:
        return seat
    raise PermissionDenied(_("Enter the join code shown in the room to take part."))


def normalise_join_code(code: Any) -> str:
    return "".join(str(code or "").split()).upper().replace("-", "")


def join_with_code(
    code: str, *, user: Any = None, guest_token: str | None = None
) -> tuple[Workshop, BoardParticipant, str | None]:
    """Take a seat with the join code shown in the room. A signed-in person gets (or keeps)
    their own seat; anyone else a guest seat known by a new random token (returned; the
    caller keeps it in the session) of which only the digest is stored. A guest who already
    holds a seat there (``guest_token``) keeps it."""
    normalised = normalise_join_code(code)
    workshop = None
    if normalised:
        workshop = (
            Workshop.objects.select_related("organisation")
            .filter(join_code=normalised, status=WorkshopStatus.PUBLISHED)
            .exclude(board_stage__in=[BoardStage.NOT_OPEN, BoardStage.CLOSED])
            .first()
        )
    if workshop is None:
        raise _error("code", _("No open board has this code."), "invalid_join_code")
    if user is not None and getattr(user, "is_authenticated", False) and user.pk is not None:
        return workshop, _user_seat(user, workshop), None
    seat = guest_seat(workshop, guest_token)
    if seat is not None:
        return workshop, seat, guest_token
    token = secrets.token_urlsafe(24)
    return workshop, _create_seat(workshop, guest_token_digest=_digest(token)), token


# --- facilitation: opening, prompts, stages, timer ---------------------------------------


def _new_join_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not Workshop.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("no free join code")  # 31**6 codes: practically unreachable


@transaction.atomic
def open_board(*, actor: Any, workshop: Workshop) -> Workshop:
    """Open the board for ideation with a fresh join code (already open: keeps it)."""
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    if workshop.status != WorkshopStatus.PUBLISHED:
        raise _error("stage", _("Publish the workshop before opening its board."), "not_published")
    if workshop.board_stage != BoardStage.NOT_OPEN:
        if workshop.board_stage == BoardStage.CLOSED:
            raise _error("stage", _("The board is closed."), "board_closed")
        return workshop
    if not Prompt.objects.filter(workshop=workshop).exists():
        raise _error("prompts", _("Add at least one prompt first."), "no_prompts")
    workshop.board_stage = BoardStage.IDEATION
    workshop.join_code = workshop.join_code or _new_join_code()
    workshop.save(update_fields=["board_stage", "join_code", "updated_at"])
    publish_board(workshop.pk)
    return workshop


@transaction.atomic
def set_prompts(*, actor: Any, workshop: Workshop, prompts: list[str]) -> list[Prompt]:
    """The board's columns, in order. Existing prompts are rewritten in place (their notes
    stay with them); a prompt that already has notes cannot be removed."""
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    if workshop.board_stage == BoardStage.CLOSED:
        raise _error("prompts", _("The board is closed."), "board_closed")
    texts = [" ".join(str(text or "").split()) for text in prompts]
    if not texts or len(texts) > MAX_PROMPTS:
        raise _error(
            "prompts",
            _("Give between 1 and %(max)d prompts.") % {"max": MAX_PROMPTS},
            "invalid_count",
        )
    for text in texts:
        if not text:
            raise _error("prompts", _("A prompt cannot be empty."), "blank")
        if len(text) > 200:
            raise _error("prompts", _("A prompt has at most 200 characters."), "max_length")
    existing = list(Prompt.objects.filter(workshop=workshop).order_by("position", "pk"))
    surplus = existing[len(texts) :]
    if surplus and Note.objects.filter(prompt__in=surplus).exists():
        raise _error(
            "prompts", _("A prompt that already has notes cannot be removed."), "prompt_has_notes"
        )
    kept: list[Prompt] = []
    for position, text in enumerate(texts):
        if position < len(existing):
            prompt = existing[position]
            prompt.text, prompt.position = text, position
            prompt.save(update_fields=["text", "position"])
        else:
            prompt = Prompt.objects.create(workshop=workshop, text=text, position=position)
        kept.append(prompt)
    Prompt.objects.filter(pk__in=[p.pk for p in surplus]).delete()
    publish_board(workshop.pk)
    return kept


def _give_dots(workshop: Workshop) -> None:
    """Every seat gets the workshop's dots, less those it has already placed (a board going
    back to voting must not hand out a second budget)."""
    placed = (
        DotVote.objects.filter(participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    BoardParticipant.objects.filter(workshop=workshop).update(
        dots_left=Greatest(
            Value(workshop.dots_per_participant)
            - Coalesce(Subquery(placed, output_field=IntegerField()), Value(0)),
            Value(0),
        )
    )


@transaction.atomic
def set_stage(*, actor: Any, workshop: Workshop, stage: str) -> Workshop:
    """Move the board one stage forward or back (an unopened board opens with
    :func:`open_board`). Entering voting hands every seat its dots."""
    _require_facilitator(actor, workshop)
    if stage not in BoardStage.values or stage == BoardStage.NOT_OPEN:
        raise _error("stage", _("Choose ideation, clustering, voting or closed."), "invalid_choice")
    _lock_workshop(workshop)
    current = workshop.board_stage
    if current == stage:
        return workshop
    if current == BoardStage.NOT_OPEN:
        if stage != BoardStage.IDEATION:
            raise _error("stage", _("Open the board first."), "invalid_transition")
        return open_board(actor=actor, workshop=workshop)
    if abs(STAGE_ORDER.index(stage) - STAGE_ORDER.index(current)) != 1:
        raise _error("stage", _("The board moves one stage forward or back."), "invalid_transition")
    workshop.board_stage = stage
    fields = ["board_stage", "updated_at"]
    if stage == BoardStage.CLOSED:
        workshop.timer_ends_at, workshop.timer_label = None, ""
        fields += ["timer_ends_at", "timer_label"]
    workshop.save(update_fields=fields)
    if stage == BoardStage.VOTING:
        _give_dots(workshop)
    publish_board(workshop.pk)
    return workshop


@transaction.atomic
def start_timer(*, actor: Any, workshop: Workshop, seconds: int, label: str = "") -> Workshop:
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    _require_stage(workshop, BoardStage.IDEATION, BoardStage.CLUSTERING, BoardStage.VOTING)
    if (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not TIMER_MIN_SECONDS <= seconds <= TIMER_MAX_SECONDS
    ):
        raise _error(
            "seconds",
            _("A timer runs between %(min)d seconds and %(max)d hours.")
            % {"min": TIMER_MIN_SECONDS, "max": TIMER_MAX_SECONDS // 3600},
            "out_of_range",
        )
    label = " ".join(str(label or "").split())
    if len(label) > 120:
        raise _error("label", _("At most 120 characters."), "max_length")
    workshop.timer_ends_at = timezone.now() + timedelta(seconds=seconds)
    workshop.timer_label = label
    workshop.save(update_fields=["timer_ends_at", "timer_label", "updated_at"])
    publish_board(workshop.pk)
    return workshop


@transaction.atomic
def stop_timer(*, actor: Any, workshop: Workshop) -> Workshop:
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    if workshop.timer_ends_at is not None or workshop.timer_label:
        workshop.timer_ends_at, workshop.timer_label = None, ""
        workshop.save(update_fields=["timer_ends_at", "timer_label", "updated_at"])
        publish_board(workshop.pk)
    return workshop


# --- notes --------------------------------------------------------------------------------


def _clean_text(value: Any, *, field: str, max_length: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _error(field, _("Enter text."), "invalid")
    # Control characters have no place on a sticky note; line breaks do.
    text = "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()
    if required and not text:
        raise _error(field, _("This field cannot be empty."), "blank")
    if len(text) > max_length:
        raise _error(
            field,
            _("At most %(max)d characters.") % {"max": max_length},
            "max_length",
        )
    return text


def _client_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise _error("client_id", _("Give a UUID."), "invalid") from None


def _stage_for_post(workshop_id: int, prompt_id: Any) -> tuple[str, bool]:
    """The board's stage, and whether ``prompt_id`` is one of its prompts, in one read that
    holds the stage until the transaction ends: on PostgreSQL the workshop row is share-locked,
    so a stage change (which locks the row FOR UPDATE) waits for the note being posted, and a
    post that waited reads the stage as changed. Posts do not wait for each other."""
    try:
        prompt = int(prompt_id)
    except (TypeError, ValueError):
        prompt = None
    workshops_table = connection.ops.quote_name(Workshop._meta.db_table)
    prompts_table = connection.ops.quote_name(Prompt._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.board_stage, EXISTS (SELECT 1 FROM {prompts_table} p "
            f"WHERE p.id = %s AND p.workshop_id = w.id) FROM {workshops_table} w "
            f"WHERE w.id = %s{lock}",
            [prompt, workshop_id],
        )
        row = cursor.fetchone()
    if row is None:  # the workshop was deleted under the post
        raise _error("stage", _("The board is not open yet."), "board_not_open")
    return row[0], bool(row[1])


def _existing_post(
    participant: BoardParticipant, client_id: uuid.UUID, text: str
) -> tuple[Note, bool] | None:
    note = Note.objects.filter(workshop_id=participant.workshop_id, client_id=client_id).first()
    if note is None:
        return None
    if note.participant_id == participant.pk and note.text == text:
        return note, False  # a retry of a post that did arrive
    raise _error(
        "client_id",
        _("This client_id belongs to another note; generate a new one for each note."),
        "client_id_conflict",
    )


def post_note(
    *,
    participant: BoardParticipant,
    prompt_id: int,
    client_id: Any,
    text: str,
    display_name: str = "",
    idea_consent: bool = False,
) -> tuple[Note, bool]:
    """Post a note under a prompt. Idempotent by ``client_id``: a retried post (same seat,
    same text) returns the note it made, ``created`` False; the same ``client_id`` with
    another text or from another seat is refused.

    Two statements when all goes well: the stage and the prompt in one share-locked read
    (:func:`_stage_for_post`), then the INSERT. A retry is found by the unique
    ``(workshop, client_id)`` refusing the INSERT, not looked up beforehand."""
    workshop_id = participant.workshop_id
    client_uuid = _client_uuid(client_id)
    text = _clean_text(text, field="text", max_length=500, required=True)
    display_name = _clean_text(display_name, field="display_name", max_length=60, required=False)
    display_name = " ".join(display_name.split())
    try:
        with transaction.atomic():
            stage, prompt_ok = _stage_for_post(workshop_id, prompt_id)
            refusal = _stage_refusal(stage, BoardStage.IDEATION)
            if refusal is None and not prompt_ok:
                refusal = _error("prompt", _("This board has no such prompt."), "does_not_exist")
            if refusal is None:
                note = Note.objects.create(
                    workshop_id=workshop_id,
                    prompt_id=prompt_id,
                    participant=participant,
                    client_id=client_uuid,
                    text=text,
                    display_name=display_name,
                    # Consent only means something for a named note.
                    idea_consent=bool(idea_consent) and bool(display_name),
                )
                publish_board(workshop_id)
    except IntegrityError:
        # A retry of a post that did arrive (or the same post twice at once): the note with
        # this client_id is there already.
        existing = _existing_post(participant, client_uuid, text)
        if existing is None:
            raise
        return existing
    if refusal is not None:
        # A retry of a post that arrived before the stage moved on still gets its note.
        existing = _existing_post(participant, client_uuid, text)
        if existing is not None:
            return existing
        raise refusal
    return note, True


def _set_hidden(actor: Any, note: Note, hidden: bool) -> Note:
    workshop = note.workshop
    if not permissions.can_moderate_board(actor, workshop):
        raise PermissionDenied(_("Only facilitators and moderators may hide or show notes."))
    with transaction.atomic():
        changed = (
            Note.objects.filter(pk=note.pk)
            .exclude(hidden=hidden)
            .update(
                hidden=hidden,
                hidden_by=people_permissions.person_or_none(actor) if hidden else None,
            )
        )
        if changed:
            publish_board(workshop.pk)
    note.refresh_from_db(fields=["hidden", "hidden_by"])
    return note


def hide_note(*, actor: Any, note: Note) -> Note:
    """Take a note off the public board (facilitators and the organisation's moderators;
    also on a closed board)."""
    return _set_hidden(actor, note, True)


def show_note(*, actor: Any, note: Note) -> Note:
    return _set_hidden(actor, note, False)


# --- clusters -------------------------------------------------------------------------------


def _prompt_of(workshop: Workshop, prompt_id: Any) -> int | None:
    if prompt_id in (None, ""):
        return None
    if not Prompt.objects.filter(pk=prompt_id, workshop_id=workshop.pk).exists():
        raise _error("prompt", _("This board has no such prompt."), "does_not_exist")
    return int(prompt_id)


@transaction.atomic
def create_cluster(
    *,
    actor: Any,
    workshop: Workshop,
    title: str,
    prompt_id: int | None = None,
    note_ids: Any = (),
) -> Cluster:
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    _require_stage(workshop, BoardStage.CLUSTERING)
    title = " ".join(_clean_text(title, field="title", max_length=200, required=True).split())
    prompt = _prompt_of(workshop, prompt_id)
    ids = {int(pk) for pk in note_ids or ()}
    if ids and Note.objects.filter(workshop=workshop, pk__in=ids).count() != len(ids):
        raise _error("notes", _("This board has no such note."), "does_not_exist")
    last = Cluster.objects.filter(workshop=workshop).aggregate(m=Max("position"))["m"]
    cluster = Cluster.objects.create(
        workshop=workshop, prompt_id=prompt, title=title, position=(last or 0) + 1
    )
    if ids:
        Note.objects.filter(workshop=workshop, pk__in=ids).update(cluster=cluster)
    publish_board(workshop.pk)
    return cluster


@transaction.atomic
def rename_cluster(*, actor: Any, cluster: Cluster, title: str) -> Cluster:
    workshop = cluster.workshop
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    _require_stage(workshop, BoardStage.CLUSTERING)
    cluster.title = " ".join(
        _clean_text(title, field="title", max_length=200, required=True).split()
    )
    cluster.save(update_fields=["title"])
    publish_board(workshop.pk)
    return cluster


@transaction.atomic
def move_note(
    *, actor: Any, note: Note, cluster_id: int | None = None, prompt_id: int | None = None
) -> Note:
    """Put a note into a cluster (``cluster_id``; None takes it out of its cluster) and/or
    under another prompt (``prompt_id``; None keeps its prompt)."""
    workshop = note.workshop
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    _require_stage(workshop, BoardStage.CLUSTERING)
    if (
        cluster_id is not None
        and not Cluster.objects.filter(pk=cluster_id, workshop_id=workshop.pk).exists()
    ):
        raise _error("cluster", _("This board has no such cluster."), "does_not_exist")
    fields = {"cluster_id": cluster_id}
    prompt = _prompt_of(workshop, prompt_id)
    if prompt is not None:
        fields["prompt_id"] = prompt
    Note.objects.filter(pk=note.pk).update(**fields)
    note.refresh_from_db(fields=["cluster", "prompt"])
    publish_board(workshop.pk)
    return note


@transaction.atomic
def merge_clusters(*, actor: Any, source: Cluster, target: Cluster) -> Cluster:
    """Everything of ``source`` — its notes and dots — goes to ``target``; ``source`` goes."""
    workshop = source.workshop
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    _require_stage(workshop, BoardStage.CLUSTERING)
    if source.workshop_id != target.workshop_id:
        raise _error("target", _("This board has no such cluster."), "does_not_exist")
    if source.pk == target.pk:
        raise _error("target", _("A cluster cannot be merged into itself."), "same_cluster")
    Note.objects.filter(cluster=source).update(cluster=target)
    DotVote.objects.filter(cluster=source).update(cluster=target)
    if target.idea_id is None and source.idea_id is not None:
        target.idea_id = source.idea_id
        target.save(update_fields=["idea"])
    source.delete()
    publish_board(workshop.pk)
    return target


@transaction.atomic
def delete_cluster(*, actor: Any, cluster: Cluster) -> None:
    """Remove a cluster; its notes stay on the board, unclustered."""
    workshop = cluster.workshop
    _require_facilitator(actor, workshop)
    _lock_workshop(workshop)
    _require_stage(workshop, BoardStage.CLUSTERING)
    cluster.delete()
    publish_board(workshop.pk)


# --- dots -------------------------------------------------------------------------------------


def _dot_target(workshop: Workshop, note_id: Any, cluster_id: Any) -> dict[str, int]:
    if (note_id is None) == (cluster_id is None):
        raise _error("note", _("Put a dot on either a note or a cluster."), "one_target")
    if note_id is not None:
        row = Note.objects.filter(pk=note_id, workshop_id=workshop.pk).values("hidden").first()
        if row is None:
            raise _error("note", _("This board has no such note."), "does_not_exist")
        if row["hidden"]:
            raise _error("note", _("Moderators hid this note."), "hidden")
        return {"note_id": int(note_id)}
    if not Cluster.objects.filter(pk=cluster_id, workshop_id=workshop.pk).exists():
        raise _error("cluster", _("This board has no such cluster."), "does_not_exist")
    return {"cluster_id": int(cluster_id)}


def add_dot(
    *, participant: BoardParticipant, note_id: int | None = None, cluster_id: int | None = None
) -> DotVote:
    """Place one of the participant's dots (several may go on one target).

    The stage is first checked as the caller read it (``participant.workshop``: the request's
    workshop); what counts is the stage in the UPDATE that spends the dot, so a stage read a
    moment too early cannot let a dot in after voting closed."""
    workshop = participant.workshop
    _require_stage(workshop, BoardStage.VOTING)
    target = _dot_target(workshop, note_id, cluster_id)
    with transaction.atomic():
        # The budget is spent by the database: concurrent votes queue on the seat's row and
        # the last one finds ``dots_left > 0`` false. The stage is checked in the same
        # statement (EXISTS, so the UPDATE stays on the seat's table and the row condition is
        # re-checked on the row it waited for): a dot cannot land after voting closed.
        spent = (
            BoardParticipant.objects.filter(pk=participant.pk, dots_left__gt=0)
            .filter(
                Exists(
                    Workshop.objects.filter(
                        pk=OuterRef("workshop_id"), board_stage=BoardStage.VOTING
                    )
                )
            )
            .update(dots_left=F("dots_left") - 1)
        )
        if not spent:
            workshop.refresh_from_db(fields=["board_stage"])
            _require_stage(workshop, BoardStage.VOTING)
            raise _error("dots", _("You have no dots left."), "no_dots_left")
        dot = DotVote.objects.create(workshop_id=workshop.pk, participant=participant, **target)
        publish_board(workshop.pk)
    participant.refresh_from_db(fields=["dots_left"])
    return dot


def remove_dot(
    *, participant: BoardParticipant, note_id: int | None = None, cluster_id: int | None = None
) -> None:
    """Take back one of the participant's dots from the target (the dot comes back)."""
    workshop = participant.workshop
    workshop.refresh_from_db(fields=["board_stage"])
    _require_stage(workshop, BoardStage.VOTING)
    target = _dot_target(workshop, note_id, cluster_id)
    with transaction.atomic():
        dot_pk = (
            DotVote.objects.filter(participant=participant, **target)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        # Two removals of the same dot at once: only the one that deletes it gives it back.
        if dot_pk is None or not DotVote.objects.filter(pk=dot_pk).delete()[0]:
            raise _error("dots", _("You have no dot there."), "no_dot")
        BoardParticipant.objects.filter(pk=participant.pk).update(dots_left=F("dots_left") + 1)
        publish_board(workshop.pk)
    participant.refresh_from_db(fields=["dots_left"])
