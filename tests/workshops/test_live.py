"""The board updates live (workshop:<id>:board): who may watch, a snapshot for whoever joins
that equals the board, an update once a change is committed and none when it rolls back,
resync after a reconnect with ``since``, and the number of people watching."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from tests.factories import UserFactory
from tests.realtime import (  # noqa: F401 (autouse fixtures, for this module's tests only)
    Live,
    cookie_of,
    fresh_broadcaster,
    fresh_counters,
    quick_interval,
    receive_until,
    run,
)
from tests.workshops.factories import BoardParticipantFactory, NoteFactory, board_workshop
from workshops.board_state import board_state
from workshops.models import BoardStage, WorkshopStatus
from workshops.services import board

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga)


def _topic(workshop) -> str:
    return f"workshop:{workshop.pk}:board"


def _post(seat, text, *, fail=False):
    with transaction.atomic():
        note, _ = board.post_note(
            participant=seat,
            prompt_id=seat.workshop.prompts.first().pk,
            client_id=uuid.uuid4(),
            text=text,
        )
        if fail:
            raise RuntimeError("rolled back")
    return note


async def settled(live) -> list[dict]:
    """The frames that follow a subscribe until the socket is quiet: the snapshot and,
    as a join changes the presence, possibly a push of the same state (same seq)."""
    frames = [await live.receive()]
    while not await live.nothing(0.3):
        frames.append(await live.receive())
    return frames


def _snapshot_of(frames) -> dict:
    return next(f for f in frames if f["type"] == "snapshot")


def _texts(state) -> list[str]:
    return [n["text"] for n in state["notes"]]


async def test_refused_first(workshop, riga, client):
    live = await Live.open()
    assert (await live.subscribe("workshop:abc:board"))["payload"]["code"] == 4004
    assert (await live.subscribe("workshop:999999:board", id="s2"))["payload"]["code"] == 4004
    not_open = await run(board_workshop)(organisation=riga, board_stage=BoardStage.NOT_OPEN)
    refused = await live.subscribe(_topic(not_open), id="s3")
    assert refused["payload"]["code"] == 4003
    draft = await run(board_workshop)(organisation=riga, status=WorkshopStatus.DRAFT)
    refused = await live.subscribe(_topic(draft), id="s4")
    assert refused["payload"]["code"] == 4004
    await live.close()


async def test_facilitators_watch_a_board_not_open_yet(riga, client):
    not_open = await run(board_workshop)(organisation=riga, board_stage=BoardStage.NOT_OPEN)
    facilitator = await run(UserFactory)()
    await run(not_open.facilitators.add)(facilitator)
    live = await Live.open(await run(cookie_of)(client, facilitator))
    assert (await live.subscribe(_topic(not_open)))["type"] == "subscribed"
    snapshot = _snapshot_of(await settled(live))
    assert snapshot["payload"]["state"]["stage"] == "not_open"
    await live.close()


async def test_snapshot_is_the_public_board_then_updates_after_commit_only(workshop, riga):
    seat = await run(BoardParticipantFactory)(workshop=workshop)
    await run(_post)(seat, "Trees")
    hidden = await run(NoteFactory)(workshop=workshop, text="Rude", hidden=True)
    live = await Live.open()
    subscribed = await live.subscribe(_topic(workshop))
    assert subscribed["type"] == "subscribed"
    snapshot = _snapshot_of(await settled(live))
    state = snapshot["payload"]["state"]
    assert _texts(state) == ["Trees"]
    assert hidden.pk not in [n["id"] for n in state["notes"]]
    assert "join_code" not in state
    assert "hidden" not in state["notes"][0]
    # The late joiner's snapshot is the board (presence aside, which counts the joiner).
    expected = await run(board_state)(workshop.pk)
    assert {**state, "presence": 0} == {**expected, "presence": 0}

    await run(_post)(seat, "Benches")
    update = await receive_until(
        live, lambda f: f["type"] == "board" and len(f["payload"]["notes"]) == 2
    )
    assert update[-1]["seq"] > snapshot["seq"]
    assert _texts(update[-1]["payload"]) == ["Trees", "Benches"]

    with pytest.raises(RuntimeError):
        await run(_post)(seat, "Never", fail=True)
    assert await live.nothing(0.5)
    await live.close()


async def test_every_board_change_is_pushed(workshop, riga_admin):
    seat = await run(BoardParticipantFactory)(workshop=workshop)
    note = await run(_post)(seat, "Trees")
    live = await Live.open()
    await live.subscribe(_topic(workshop))
    await settled(live)

    async def pushed(check):
        frames = await receive_until(live, lambda f: f["type"] == "board" and check(f["payload"]))
        return frames[-1]["payload"]

    await run(board.hide_note)(actor=riga_admin, note=note)
    await pushed(lambda s: s["notes"] == [])
    await run(board.show_note)(actor=riga_admin, note=note)
    await pushed(lambda s: len(s["notes"]) == 1)
    await run(board.start_timer)(actor=riga_admin, workshop=workshop, seconds=120, label="Go")
    await pushed(lambda s: s["timer"] is not None and s["timer"]["label"] == "Go")
    await run(board.set_stage)(actor=riga_admin, workshop=workshop, stage="clustering")
    await pushed(lambda s: s["stage"] == "clustering")
    await run(board.create_cluster)(
        actor=riga_admin, workshop=workshop, title="Green", note_ids=[note.pk]
    )
    state = await pushed(lambda s: len(s["clusters"]) == 1)
    assert state["notes"][0]["cluster"] == state["clusters"][0]["id"]
    await run(board.set_stage)(actor=riga_admin, workshop=workshop, stage="voting")
    await pushed(lambda s: s["stage"] == "voting")
    await run(seat.refresh_from_db)()
    await run(board.add_dot)(participant=seat, note_id=note.pk)
    await pushed(lambda s: s["notes"][0]["dots"] == 1)
    await live.close()


async def test_resync_after_a_reconnect(workshop):
    seat = await run(BoardParticipantFactory)(workshop=workshop)
    live = await Live.open()
    await live.subscribe(_topic(workshop))
    snapshot = _snapshot_of(await settled(live))
    await run(_post)(seat, "Trees")
    frames = await receive_until(live, lambda f: f["type"] == "board" and f["payload"]["notes"])
    last_seq = frames[-1]["seq"]
    await live.close()

    # Back with the last seq it saw: leaving and joining changed the presence (and the
    # seq), so it gets a snapshot of the board as it is now.
    again = await Live.open()
    subscribed = await again.subscribe(_topic(workshop), since=last_seq)
    current = subscribed["payload"]["seq"]
    assert current > last_seq > snapshot["seq"]
    resynced = _snapshot_of(await settled(again))
    assert resynced["seq"] >= current
    assert _texts(resynced["payload"]["state"]) == ["Trees"]
    await again.close()


async def test_presence_counts_the_watchers(workshop):
    first = await Live.open()
    await first.subscribe(_topic(workshop))
    state = _snapshot_of(await settled(first))["payload"]["state"]
    assert state["presence"] == 1
    second = await Live.open()
    await second.subscribe(_topic(workshop))
    await receive_until(first, lambda f: f["type"] == "board" and f["payload"]["presence"] == 2)
    await second.close()
    await receive_until(first, lambda f: f["type"] == "board" and f["payload"]["presence"] == 1)
    await first.close()


async def test_resubscribing_with_the_current_seq_sends_nothing_more(workshop):
    live = await Live.open()
    subscribed = await live.subscribe(_topic(workshop))
    frames = await settled(live)
    snapshot = _snapshot_of(frames)
    assert {f["seq"] for f in frames} == {subscribed["payload"]["seq"]}
    # The same socket again (a client resyncing): no join, no new seq, no snapshot.
    again = await live.subscribe(_topic(workshop), since=snapshot["seq"], id="s2")
    assert again["type"] == "subscribed"
    assert again["payload"]["seq"] == snapshot["seq"]
    assert await live.nothing(0.4)
    await live.close()
