"""The dot budget and idempotent posts under concurrency (PostgreSQL only).

Many threads vote with one seat at the same instant: the conditional UPDATE (dots_left > 0)
lets exactly as many dots through as the seat has; the others are refused cleanly. Each thread
uses its own database connection and closes it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from tests.workshops.factories import BoardParticipantFactory, NoteFactory, board_workshop
from workshops.models import BoardParticipant, BoardStage, DotVote, Note, Workshop
from workshops.services import board

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def race(calls) -> list[object]:
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as error:  # recorded and asserted on by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def kind(outcome) -> str:
    if isinstance(outcome, ValidationError):
        return ",".join(e.code for errors in outcome.error_dict.values() for e in errors)
    if isinstance(outcome, DotVote | tuple):
        return "ok"
    return f"unexpected {type(outcome).__name__}: {outcome}"


def test_ten_concurrent_votes_with_three_dots_store_exactly_three(riga):
    workshop = board_workshop(organisation=riga, board_stage=BoardStage.VOTING)
    note = NoteFactory(workshop=workshop)
    seat = BoardParticipantFactory(workshop=workshop, dots_left=3)

    def vote():
        # Each thread acts with its own copy of the seat, as separate requests would.
        return board.add_dot(participant=BoardParticipant.objects.get(pk=seat.pk), note_id=note.pk)

    outcomes = race([vote] * THREADS)
    assert Counter(kind(o) for o in outcomes) == {"ok": 3, "no_dots_left": THREADS - 3}
    assert DotVote.objects.filter(participant=seat).count() == 3
    assert BoardParticipant.objects.get(pk=seat.pk).dots_left == 0


def test_concurrent_votes_and_removals_never_overspend(riga):
    workshop = board_workshop(organisation=riga, board_stage=BoardStage.VOTING)
    note = NoteFactory(workshop=workshop)
    seat = BoardParticipantFactory(workshop=workshop, dots_left=3)
    for _ in range(2):
        board.add_dot(participant=BoardParticipant.objects.get(pk=seat.pk), note_id=note.pk)

    def vote():
        return board.add_dot(participant=BoardParticipant.objects.get(pk=seat.pk), note_id=note.pk)

    def take_back():
        board.remove_dot(participant=BoardParticipant.objects.get(pk=seat.pk), note_id=note.pk)
        return ()

    race([vote, take_back] * 5)
    stored = DotVote.objects.filter(participant=seat).count()
    left = BoardParticipant.objects.get(pk=seat.pk).dots_left
    assert stored + left == 3
    assert 0 <= left <= 3


def test_the_check_constraint_is_the_last_line_of_defence(riga):
    workshop = board_workshop(organisation=riga)
    seat = BoardParticipantFactory(workshop=workshop, dots_left=0)
    from django.db.models import F

    with pytest.raises(IntegrityError):
        BoardParticipant.objects.filter(pk=seat.pk).update(dots_left=F("dots_left") - 1)


def test_the_same_post_sent_twice_at_once_makes_one_note(riga):
    workshop = board_workshop(organisation=riga)
    seat = BoardParticipantFactory(workshop=workshop)
    prompt = workshop.prompts.first()
    client_id = uuid.uuid4()

    def post():
        return board.post_note(
            participant=BoardParticipant.objects.get(pk=seat.pk),
            prompt_id=prompt.pk,
            client_id=client_id,
            text="A playground for older children",
        )

    outcomes = race([post] * THREADS)
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(created for _, created in outcomes) == [False] * (THREADS - 1) + [True]
    assert {note.pk for note, _ in outcomes} == {Note.objects.get(workshop=workshop).pk}


def test_a_post_waits_for_a_stage_change_in_flight_and_sees_it(riga):
    """The post reads the stage under a share lock: while a facilitator's change holds the
    workshop row, the post waits, then reads the board as closed and stores nothing (a plain
    read would see the old stage and let the note in after the close)."""
    workshop = board_workshop(organisation=riga)
    seat = BoardParticipantFactory(workshop=workshop)
    prompt = workshop.prompts.first()
    locked = threading.Event()

    def close():
        try:
            with transaction.atomic():
                Workshop.objects.select_for_update().get(pk=workshop.pk)
                Workshop.objects.filter(pk=workshop.pk).update(board_stage=BoardStage.CLOSED)
                locked.set()
                time.sleep(0.5)  # the post arrives while the change is not yet committed
            return "closed"
        finally:
            locked.set()
            connection.close()

    def post():
        try:
            assert locked.wait(timeout=30)
            participant = BoardParticipant.objects.select_related("workshop").get(pk=seat.pk)
            participant.workshop.board_stage = BoardStage.IDEATION  # as the request read it
            return board.post_note(
                participant=participant, prompt_id=prompt.pk, client_id=uuid.uuid4(), text="Late"
            )
        except ValidationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        closing, posting = pool.submit(close), pool.submit(post)
        assert closing.result() == "closed"
        outcome = posting.result()
    assert kind(outcome) == "board_closed"
    assert not Note.objects.filter(workshop=workshop).exists()
