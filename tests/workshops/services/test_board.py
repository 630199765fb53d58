"""The board's rules: who may act, stages, idempotent notes, clusters, dots and the timer.
Failure cases first."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from engagement.people.models import Role
from tests.factories import UserFactory, staff
from tests.workshops.factories import (
    BoardParticipantFactory,
    ClusterFactory,
    NoteFactory,
    RegistrationFactory,
    board_workshop,
)
from workshops.models import (
    BoardParticipant,
    BoardStage,
    Cluster,
    DotVote,
    Note,
    RegistrationStatus,
    Workshop,
    WorkshopStatus,
)
from workshops.services import board

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga)


@pytest.fixture
def facilitator(workshop):
    user = UserFactory()
    workshop.facilitators.add(user)
    return user


@pytest.fixture
def participant(workshop):
    user = UserFactory()
    RegistrationFactory(workshop=workshop, user=user)
    return board.seat_for_user(user, workshop)


def _post(participant, text="More shade", client_id=None, prompt=None, **extra):
    prompt = prompt or participant.workshop.prompts.first()
    return board.post_note(
        participant=participant,
        prompt_id=prompt.pk,
        client_id=client_id or uuid.uuid4(),
        text=text,
        **extra,
    )


def _stage(workshop, stage):
    workshop.board_stage = stage
    workshop.save(update_fields=["board_stage"])


# --- seats ------------------------------------------------------------------------------------


def test_anonymous_and_unregistered_people_get_no_seat_without_the_code(workshop, gdansk_admin):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        board.seat_for_user(AnonymousUser(), workshop)
    with pytest.raises(PermissionDenied):
        board.seat_for_user(UserFactory(), workshop)
    # Another organisation's administrator is nobody here.
    with pytest.raises(PermissionDenied):
        board.seat_for_user(gdansk_admin, workshop)
    waitlisted = UserFactory()
    RegistrationFactory(workshop=workshop, user=waitlisted, status=RegistrationStatus.WAITLISTED)
    with pytest.raises(PermissionDenied):
        board.seat_for_user(waitlisted, workshop)
    assert not BoardParticipant.objects.exists()


def test_registered_people_facilitators_and_staff_get_one_seat_each(
    workshop, facilitator, riga_admin, riga_moderator
):
    registered = UserFactory()
    RegistrationFactory(workshop=workshop, user=registered)
    for user in (registered, facilitator, riga_admin, riga_moderator):
        first = board.seat_for_user(user, workshop)
        assert board.seat_for_user(user, workshop).pk == first.pk
    assert BoardParticipant.objects.filter(workshop=workshop).count() == 4


def test_a_wrong_or_closed_join_code_is_refused(workshop):
    with pytest.raises(ValidationError) as error:
        board.join_with_code("NOPE42")
    assert codes(error.value) == {"code": ["invalid_join_code"]}
    _stage(workshop, BoardStage.CLOSED)
    with pytest.raises(ValidationError):
        board.join_with_code(workshop.join_code)
    _stage(workshop, BoardStage.IDEATION)
    workshop.status = WorkshopStatus.CANCELLED
    workshop.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        board.join_with_code(workshop.join_code)
    assert not BoardParticipant.objects.exists()


def test_a_guest_joins_with_the_code_and_only_a_digest_is_stored(workshop):
    joined, seat, token = board.join_with_code(f" {workshop.join_code.lower()} ")
    assert joined == workshop
    assert seat.user_id is None
    assert token
    assert len(token) >= 20
    assert token not in seat.guest_token_digest
    assert len(seat.guest_token_digest) == 64
    assert board.guest_seat(workshop, token) == seat
    assert board.guest_seat(workshop, "forged") is None
    # Joining again from the same session keeps the seat.
    _, again, same = board.join_with_code(workshop.join_code, guest_token=token)
    assert again.pk == seat.pk
    assert same == token


def test_a_signed_in_person_joining_with_the_code_gets_their_own_seat(workshop):
    user = UserFactory()
    _, seat, token = board.join_with_code(workshop.join_code, user=user)
    assert token is None
    assert seat.user_id == user.pk
    assert board.current_seat(workshop, user=user).pk == seat.pk


# --- notes ------------------------------------------------------------------------------------


def test_notes_are_refused_outside_ideation(workshop, participant):
    for stage, code in [
        (BoardStage.CLUSTERING, "wrong_stage"),
        (BoardStage.VOTING, "wrong_stage"),
        (BoardStage.CLOSED, "board_closed"),
        (BoardStage.NOT_OPEN, "board_not_open"),
    ]:
        _stage(workshop, stage)
        participant.workshop.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            _post(participant)
        assert codes(error.value) == {"stage": [code]}
    assert not Note.objects.exists()


def test_bad_notes_are_refused_field_by_field(workshop, participant, riga):
    other_prompt = board_workshop(organisation=riga).prompts.first()
    cases = [
        ({"text": "   "}, {"text": ["blank"]}),
        ({"text": "x" * 501}, {"text": ["max_length"]}),
        ({"client_id": "not-a-uuid"}, {"client_id": ["invalid"]}),
        ({"prompt": other_prompt}, {"prompt": ["does_not_exist"]}),
        ({"display_name": "n" * 61}, {"display_name": ["max_length"]}),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ValidationError) as error:
            _post(participant, **kwargs)
        assert codes(error.value) == expected
    assert not Note.objects.exists()


def test_a_retried_post_returns_the_note_it_made(workshop, participant):
    client_id = uuid.uuid4()
    note, created = _post(participant, "Benches by the river", client_id=client_id)
    again, created_again = _post(participant, "Benches by the river", client_id=client_id)
    assert created
    assert not created_again
    assert again.pk == note.pk
    assert Note.objects.filter(workshop=workshop).count() == 1


def test_a_retry_after_the_stage_moved_on_still_gets_its_note(workshop, participant):
    client_id = uuid.uuid4()
    note, _ = _post(participant, "Benches by the river", client_id=client_id)
    workshop.board_stage = BoardStage.CLUSTERING
    workshop.save(update_fields=["board_stage"])
    again, created = _post(participant, "Benches by the river", client_id=client_id)
    assert (again.pk, created) == (note.pk, False)
    with pytest.raises(ValidationError) as error:
        _post(participant, "A new note, too late")
    assert codes(error.value) == {"stage": ["wrong_stage"]}
    assert Note.objects.filter(workshop=workshop).count() == 1


def test_a_post_reads_the_stage_itself_not_the_seats_copy(workshop, participant):
    # The seat's workshop was read before the stage changed: the post must not trust it.
    assert participant.workshop.board_stage == BoardStage.IDEATION
    Workshop.objects.filter(pk=workshop.pk).update(board_stage=BoardStage.VOTING)
    with pytest.raises(ValidationError) as error:
        _post(participant, "Too late")
    assert codes(error.value) == {"stage": ["wrong_stage"]}
    assert not Note.objects.exists()


def test_a_dot_checks_the_stage_in_the_update_not_the_seats_copy(workshop, participant):
    note = NoteFactory(workshop=workshop)
    workshop.board_stage = BoardStage.VOTING
    workshop.save(update_fields=["board_stage"])
    BoardParticipant.objects.filter(pk=participant.pk).update(dots_left=3)
    participant.workshop.board_stage = BoardStage.VOTING  # as the request read it
    Workshop.objects.filter(pk=workshop.pk).update(board_stage=BoardStage.CLOSED)
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant, note_id=note.pk)
    assert codes(error.value) == {"stage": ["board_closed"]}
    assert not DotVote.objects.exists()
    assert BoardParticipant.objects.get(pk=participant.pk).dots_left == 3


def test_a_client_id_reused_with_other_text_or_by_someone_else_is_refused(workshop, participant):
    client_id = uuid.uuid4()
    _post(participant, "Benches", client_id=client_id)
    _, guest, _token = board.join_with_code(workshop.join_code)
    with pytest.raises(ValidationError) as error:
        _post(guest, "Benches", client_id=client_id)
    assert codes(error.value) == {"client_id": ["client_id_conflict"]}
    with pytest.raises(ValidationError):
        _post(participant, "Something else", client_id=client_id)
    assert Note.objects.get().text == "Benches"


def test_consent_only_counts_for_a_named_note(participant):
    anonymous, _ = _post(participant, "Trees", idea_consent=True)
    named, _ = _post(participant, "Lights", display_name="  Anna  K ", idea_consent=True)
    assert anonymous.idea_consent is False
    assert (named.display_name, named.idea_consent) == ("Anna K", True)


# --- moderation -------------------------------------------------------------------------------


def test_hiding_notes_is_for_facilitators_and_moderators_only(
    workshop, participant, facilitator, riga_moderator, gdansk_admin
):
    note, _ = _post(participant)
    for outsider in (participant.user, UserFactory(), gdansk_admin):
        with pytest.raises(PermissionDenied):
            board.hide_note(actor=outsider, note=note)
    assert not Note.objects.get().hidden
    board.hide_note(actor=riga_moderator, note=note)
    assert Note.objects.get().hidden_by == riga_moderator
    board.show_note(actor=facilitator, note=note)
    assert not Note.objects.get().hidden
    _stage(workshop, BoardStage.CLOSED)
    board.hide_note(actor=facilitator, note=note)  # abuse can still be taken down
    assert Note.objects.get().hidden


# --- facilitation -----------------------------------------------------------------------------


def test_only_facilitators_run_the_board(workshop, participant, riga_moderator, gdansk_admin):
    for outsider in (participant.user, riga_moderator, gdansk_admin, UserFactory()):
        with pytest.raises(PermissionDenied):
            board.set_stage(actor=outsider, workshop=workshop, stage=BoardStage.CLUSTERING)
        with pytest.raises(PermissionDenied):
            board.start_timer(actor=outsider, workshop=workshop, seconds=60)
        with pytest.raises(PermissionDenied):
            board.set_prompts(actor=outsider, workshop=workshop, prompts=["A"])
        with pytest.raises(PermissionDenied):
            board.create_cluster(actor=outsider, workshop=workshop, title="T")
    workshop.refresh_from_db()
    assert workshop.board_stage == BoardStage.IDEATION
    assert workshop.timer_ends_at is None


def test_stages_move_one_step_forward_or_back(workshop, facilitator):
    with pytest.raises(ValidationError) as error:
        board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.VOTING)
    assert codes(error.value) == {"stage": ["invalid_transition"]}
    with pytest.raises(ValidationError) as error:
        board.set_stage(actor=facilitator, workshop=workshop, stage="dancing")
    assert codes(error.value) == {"stage": ["invalid_choice"]}
    for stage in (BoardStage.CLUSTERING, BoardStage.VOTING, BoardStage.CLOSED):
        board.set_stage(actor=facilitator, workshop=workshop, stage=stage)
        workshop.refresh_from_db()
        assert workshop.board_stage == stage
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.VOTING)
    assert workshop.board_stage == BoardStage.VOTING


def test_opening_needs_a_published_workshop_with_prompts(riga, facilitator):
    from tests.workshops.factories import WorkshopFactory

    draft = WorkshopFactory(organisation=riga, status=WorkshopStatus.DRAFT)
    draft.facilitators.add(facilitator)
    with pytest.raises(ValidationError) as error:
        board.open_board(actor=facilitator, workshop=draft)
    assert codes(error.value) == {"stage": ["not_published"]}
    empty = WorkshopFactory(organisation=riga)
    empty.facilitators.add(facilitator)
    with pytest.raises(ValidationError) as error:
        board.open_board(actor=facilitator, workshop=empty)
    assert codes(error.value) == {"prompts": ["no_prompts"]}
    board.set_prompts(actor=facilitator, workshop=empty, prompts=["What is missing?"])
    board.open_board(actor=facilitator, workshop=empty)
    empty.refresh_from_db()
    assert empty.board_stage == BoardStage.IDEATION
    assert len(empty.join_code) == board.JOIN_CODE_LENGTH
    assert set(empty.join_code) <= set(board.JOIN_CODE_ALPHABET)


def test_prompts_with_notes_stay(workshop, facilitator, participant):
    second = workshop.prompts.order_by("position")[1]
    _post(participant, prompt=second)
    with pytest.raises(ValidationError) as error:
        board.set_prompts(actor=facilitator, workshop=workshop, prompts=["Only one"])
    assert codes(error.value) == {"prompts": ["prompt_has_notes"]}
    with pytest.raises(ValidationError) as error:
        board.set_prompts(actor=facilitator, workshop=workshop, prompts=["", "B"])
    assert codes(error.value) == {"prompts": ["blank"]}
    prompts = board.set_prompts(actor=facilitator, workshop=workshop, prompts=["A", "B", "C"])
    assert [p.text for p in prompts] == ["A", "B", "C"]
    assert prompts[1].pk == second.pk  # rewritten in place: its note stays


def test_the_timer(workshop, facilitator):
    for seconds in (0, 5, 10**6, True):
        with pytest.raises(ValidationError) as error:
            board.start_timer(actor=facilitator, workshop=workshop, seconds=seconds)
        assert codes(error.value) == {"seconds": ["out_of_range"]}
    board.start_timer(actor=facilitator, workshop=workshop, seconds=300, label="Write")
    workshop.refresh_from_db()
    assert workshop.timer_label == "Write"
    assert workshop.timer_ends_at is not None
    board.stop_timer(actor=facilitator, workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None
    assert workshop.timer_label == ""
    _stage(workshop, BoardStage.CLOSED)
    with pytest.raises(ValidationError):
        board.start_timer(actor=facilitator, workshop=workshop, seconds=60)


# --- clusters ---------------------------------------------------------------------------------


def test_clusters_only_in_clustering(workshop, facilitator, participant):
    note, _ = _post(participant)
    with pytest.raises(ValidationError) as error:
        board.create_cluster(actor=facilitator, workshop=workshop, title="Shade")
    assert codes(error.value) == {"stage": ["wrong_stage"]}
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.CLUSTERING)
    cluster = board.create_cluster(
        actor=facilitator, workshop=workshop, title=" Shade ", note_ids=[note.pk]
    )
    assert cluster.title == "Shade"
    assert Note.objects.get().cluster == cluster
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.VOTING)
    for action in (
        lambda: board.rename_cluster(actor=facilitator, cluster=cluster, title="X"),
        lambda: board.move_note(actor=facilitator, note=note, cluster_id=None),
        lambda: board.delete_cluster(actor=facilitator, cluster=cluster),
    ):
        with pytest.raises(ValidationError):
            action()
    assert Cluster.objects.get().title == "Shade"


def test_clusters_refuse_what_is_not_on_the_board(workshop, facilitator, riga):
    other = board_workshop(organisation=riga)
    foreign_note = NoteFactory(workshop=other)
    foreign_cluster = ClusterFactory(workshop=other)
    _stage(workshop, BoardStage.CLUSTERING)
    with pytest.raises(ValidationError) as error:
        board.create_cluster(
            actor=facilitator, workshop=workshop, title="T", note_ids=[foreign_note.pk]
        )
    assert codes(error.value) == {"notes": ["does_not_exist"]}
    note = NoteFactory(workshop=workshop)
    with pytest.raises(ValidationError) as error:
        board.move_note(actor=facilitator, note=note, cluster_id=foreign_cluster.pk)
    assert codes(error.value) == {"cluster": ["does_not_exist"]}
    cluster = ClusterFactory(workshop=workshop)
    with pytest.raises(ValidationError) as error:
        board.merge_clusters(actor=facilitator, source=cluster, target=cluster)
    assert codes(error.value) == {"target": ["same_cluster"]}
    with pytest.raises(ValidationError):
        board.merge_clusters(actor=facilitator, source=cluster, target=foreign_cluster)
    assert Cluster.objects.filter(pk=cluster.pk).exists()


def test_move_merge_rename_delete(workshop, facilitator):
    _stage(workshop, BoardStage.CLUSTERING)
    a, b = NoteFactory(workshop=workshop), NoteFactory(workshop=workshop)
    first = board.create_cluster(actor=facilitator, workshop=workshop, title="One")
    second = board.create_cluster(actor=facilitator, workshop=workshop, title="Two")
    board.move_note(actor=facilitator, note=a, cluster_id=first.pk)
    second_prompt = workshop.prompts.order_by("position")[1]
    board.move_note(actor=facilitator, note=b, cluster_id=second.pk, prompt_id=second_prompt.pk)
    b.refresh_from_db()
    assert (b.cluster_id, b.prompt_id) == (second.pk, second_prompt.pk)
    seat = BoardParticipantFactory(workshop=workshop)
    DotVote.objects.create(workshop=workshop, participant=seat, cluster=first)
    board.merge_clusters(actor=facilitator, source=first, target=second)
    assert not Cluster.objects.filter(pk=first.pk).exists()
    assert set(second.notes.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert second.dot_votes.count() == 1
    board.rename_cluster(actor=facilitator, cluster=second, title="Together")
    assert Cluster.objects.get().title == "Together"
    board.delete_cluster(actor=facilitator, cluster=second)
    assert Note.objects.filter(workshop=workshop, cluster__isnull=True).count() == 2


# --- dots -------------------------------------------------------------------------------------


def test_dots_only_in_voting_and_on_one_visible_target(workshop, facilitator, participant):
    note, _ = _post(participant)
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant, note_id=note.pk)
    assert codes(error.value) == {"stage": ["wrong_stage"]}
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.CLUSTERING)
    cluster = board.create_cluster(actor=facilitator, workshop=workshop, title="C")
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.VOTING)
    participant.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant)
    assert codes(error.value) == {"note": ["one_target"]}
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant, note_id=note.pk, cluster_id=cluster.pk)
    assert codes(error.value) == {"note": ["one_target"]}
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant, note_id=10**9)
    assert codes(error.value) == {"note": ["does_not_exist"]}
    board.hide_note(actor=facilitator, note=note)
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant, note_id=note.pk)
    assert codes(error.value) == {"note": ["hidden"]}
    assert not DotVote.objects.exists()
    assert BoardParticipant.objects.get(pk=participant.pk).dots_left == 3


def test_the_dot_budget(workshop, facilitator, participant):
    note, _ = _post(participant)
    _stage(workshop, BoardStage.CLUSTERING)
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.VOTING)
    participant.refresh_from_db()
    assert participant.dots_left == workshop.dots_per_participant == 3
    for left in (2, 1, 0):
        board.add_dot(participant=participant, note_id=note.pk)
        assert participant.dots_left == left
    with pytest.raises(ValidationError) as error:
        board.add_dot(participant=participant, note_id=note.pk)
    assert codes(error.value) == {"dots": ["no_dots_left"]}
    assert DotVote.objects.filter(participant=participant).count() == 3
    board.remove_dot(participant=participant, note_id=note.pk)
    assert participant.dots_left == 1
    assert DotVote.objects.count() == 2
    # Back to clustering and voting again: no second budget.
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.CLUSTERING)
    board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.VOTING)
    participant.refresh_from_db()
    assert participant.dots_left == 1


def test_removing_a_dot_that_is_not_there(workshop, participant):
    note, _ = _post(participant)
    _stage(workshop, BoardStage.VOTING)
    with pytest.raises(ValidationError) as error:
        board.remove_dot(participant=participant, note_id=note.pk)
    assert codes(error.value) == {"dots": ["no_dot"]}
    assert BoardParticipant.objects.get(pk=participant.pk).dots_left == 0


def test_a_seat_taken_during_voting_gets_its_dots(workshop):
    _stage(workshop, BoardStage.VOTING)
    _, guest, _ = board.join_with_code(workshop.join_code)
    assert guest.dots_left == 3
    late = UserFactory()
    RegistrationFactory(workshop=workshop, user=late)
    assert board.seat_for_user(late, workshop).dots_left == 3


def test_a_closed_board_is_read_only(workshop, facilitator, participant):
    note, _ = _post(participant)
    _stage(workshop, BoardStage.CLOSED)
    for action in (
        lambda: _post(participant),
        lambda: board.add_dot(participant=participant, note_id=note.pk),
        lambda: board.create_cluster(actor=facilitator, workshop=workshop, title="T"),
        lambda: board.set_prompts(actor=facilitator, workshop=workshop, prompts=["A"]),
        lambda: board.start_timer(actor=facilitator, workshop=workshop, seconds=60),
    ):
        with pytest.raises(ValidationError) as error:
            action()
        assert "board_closed" in [code for found in codes(error.value).values() for code in found]


def test_moderators_are_no_facilitators(workshop, riga):
    moderator = staff(riga, Role.MODERATOR)
    assert not board.can_view_board(
        UserFactory(), board_workshop(organisation=riga, board_stage=BoardStage.NOT_OPEN)
    )
    assert board.can_view_board(moderator, workshop)


# --- announcing changes -----------------------------------------------------------------------


@pytest.fixture
def marked(monkeypatch):
    from engagement.realtime import broadcast

    seen: list[str] = []
    monkeypatch.setattr(broadcast, "mark_dirty", lambda *topics: seen.extend(topics))
    return seen


def test_changes_are_announced_after_commit_only(
    workshop, participant, facilitator, marked, django_capture_on_commit_callbacks
):
    from django.db import transaction

    topic = f"workshop:{workshop.pk}:board"

    def rolled_back() -> None:
        with transaction.atomic():
            _post(participant, "Never")
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        rolled_back()
    assert marked == []
    assert not Note.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _post(participant, "Trees")
    assert marked == []  # not before the commit
    for callback in callbacks:
        callback()
    assert marked == [topic]
    marked.clear()
    client_id = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        _post(participant, "Benches", client_id=client_id)
        _post(participant, "Benches", client_id=client_id)  # a retry changes nothing
        board.start_timer(actor=facilitator, workshop=workshop, seconds=60)
        board.set_stage(actor=facilitator, workshop=workshop, stage=BoardStage.CLUSTERING)
    assert marked == [topic] * 3
