"""The board over the API: the permission matrix, field-level errors with codes, the guest
seat kept in the session, idempotent posts, dots, facilitation and the exports."""

from __future__ import annotations

import csv
import io
import json
import uuid
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.throttling import ScopedRateThrottle

from tests.api_client import JsonClient
from tests.factories import IdeaCollectionFactory, UserFactory
from tests.workshops.factories import (
    ClusterFactory,
    NoteFactory,
    RegistrationFactory,
    board_workshop,
)
from workshops.api import board as board_api
from workshops.models import BoardParticipant, BoardStage, DotVote, Note, WorkshopStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga, title="Riverside")


@pytest.fixture
def facilitator(workshop):
    user = UserFactory()
    workshop.facilitators.add(user)
    return user


@pytest.fixture
def registered(workshop):
    user = UserFactory()
    RegistrationFactory(workshop=workshop, user=user)
    return user


def url(workshop, tail: str = "") -> str:
    return f"/api/v1/workshops/{workshop.pk}/board/{tail}"


def note_body(workshop, **fields):
    return {
        "client_id": str(uuid.uuid4()),
        "prompt": workshop.prompts.first().pk,
        "text": "More benches",
        **fields,
    }


def stage(workshop, value):
    workshop.board_stage = value
    workshop.save(update_fields=["board_stage"])


# --- reading ----------------------------------------------------------------------------------


def test_reading_a_board_not_open_or_a_draft(riga, as_user, facilitator):
    not_open = board_workshop(organisation=riga, board_stage=BoardStage.NOT_OPEN)
    response = as_user().get(url(not_open))
    assert response.status_code == 403
    draft = board_workshop(organisation=riga, status=WorkshopStatus.DRAFT)
    assert as_user().get(url(draft)).status_code == 404
    assert as_user().get("/api/v1/workshops/999999/board/").status_code == 404
    not_open.facilitators.add(facilitator)
    response = as_user(facilitator).get(url(not_open))
    assert response.status_code == 200
    assert response.json()["stage"] == "not_open"


def test_the_public_board_has_no_hidden_notes_and_no_join_code(workshop, as_user):
    NoteFactory(workshop=workshop, text="Trees")
    NoteFactory(workshop=workshop, text="Rude", hidden=True)
    body = as_user().get(url(workshop)).json()
    assert [n["text"] for n in body["notes"]] == ["Trees"]
    assert "join_code" not in body
    assert body["dots_left"] is None
    assert body["can_facilitate"] is False
    assert body["can_moderate"] is False
    assert isinstance(body["seq"], int)
    assert body["seq"] > 0
    assert body["presence"] == 0


def test_facilitators_and_moderators_see_hidden_notes(
    workshop, as_user, facilitator, riga_moderator
):
    NoteFactory(workshop=workshop, text="Rude", hidden=True)
    body = as_user(facilitator).get(url(workshop)).json()
    assert [(n["text"], n["hidden"]) for n in body["notes"]] == [("Rude", True)]
    assert body["join_code"] == workshop.join_code
    body = as_user(riga_moderator).get(url(workshop)).json()
    assert [n["text"] for n in body["notes"]] == ["Rude"]
    assert "join_code" not in body


def test_seq_grows_with_changes(workshop, as_user, registered, django_capture_on_commit_callbacks):
    first = as_user().get(url(workshop)).json()["seq"]
    with django_capture_on_commit_callbacks(execute=True):
        as_user(registered).post(url(workshop, "notes/"), note_body(workshop))
    assert as_user().get(url(workshop)).json()["seq"] > first


# --- seats and notes: the permission matrix -------------------------------------------------------


def test_posting_needs_a_seat(workshop, as_user, gdansk_admin):
    for user in (None, UserFactory(), gdansk_admin):
        response = as_user(user).post(url(workshop, "notes/"), note_body(workshop))
        assert response.status_code == 403, user
    assert not Note.objects.exists()


@pytest.mark.parametrize("role", ["registered", "facilitator", "staff", "moderator"])
def test_who_posts_with_their_own_seat(
    workshop, as_user, role, registered, facilitator, riga_admin, riga_moderator
):
    user = {
        "registered": registered,
        "facilitator": facilitator,
        "staff": riga_admin,
        "moderator": riga_moderator,
    }[role]
    response = as_user(user).post(url(workshop, "notes/"), note_body(workshop))
    assert response.status_code == 201, response.content
    assert response.json()["created"] is True
    assert BoardParticipant.objects.get(user=user).notes.count() == 1


def test_a_guest_joins_with_the_code_and_posts(workshop):
    guest = JsonClient(Client())
    wrong = guest.post(url(workshop, "join/"), {"code": "WRONG1"})
    assert wrong.status_code == 400
    assert wrong.json()["error_codes"] == {"code": ["invalid_join_code"]}
    joined = guest.post(url(workshop, "join/"), {"code": workshop.join_code.lower()})
    assert joined.status_code == 200
    assert joined.json() == {"workshop": workshop.pk, "dots_left": 0, "guest": True}
    assert "token" not in json.dumps(joined.json())
    token = guest.client.session["workshop_board_seats"][str(workshop.pk)]
    seat = BoardParticipant.objects.get()
    assert seat.guest_token_digest != token
    # Joining again keeps the seat.
    guest.post(url(workshop, "join/"), {"code": workshop.join_code})
    assert BoardParticipant.objects.count() == 1
    posted = guest.post(url(workshop, "notes/"), note_body(workshop, display_name="Ana"))
    assert posted.status_code == 201
    assert posted.json()["display_name"] == "Ana"
    assert Note.objects.get().participant == seat
    # Another browser without the token has no seat.
    assert (
        JsonClient(Client()).post(url(workshop, "notes/"), note_body(workshop)).status_code == 403
    )


def test_signed_in_but_unregistered_people_take_part_with_the_code(workshop, as_user):
    user = UserFactory()
    client = as_user(user)
    assert client.post(url(workshop, "notes/"), note_body(workshop)).status_code == 403
    joined = client.post(url(workshop, "join/"), {"code": workshop.join_code})
    assert joined.json() == {"workshop": workshop.pk, "dots_left": 0, "guest": False}
    assert client.post(url(workshop, "notes/"), note_body(workshop)).status_code == 201
    assert BoardParticipant.objects.get().user == user


def test_a_guest_votes_with_the_seat_in_the_session(workshop):
    note = NoteFactory(workshop=workshop)
    stage(workshop, BoardStage.VOTING)
    guest = JsonClient(Client())
    assert guest.post(url(workshop, "dots/"), {"note": note.pk}).status_code == 403
    assert guest.post(url(workshop, "join/"), {"code": workshop.join_code}).json()["dots_left"] == 3
    assert guest.post(url(workshop, "dots/"), {"note": note.pk}).json() == {"dots_left": 2}
    assert guest.get(url(workshop)).json()["dots_left"] == 2
    assert DotVote.objects.get().participant.user_id is None


def test_a_code_for_another_workshop_is_refused(workshop, riga):
    other = board_workshop(organisation=riga)
    response = JsonClient(Client()).post(url(workshop, "join/"), {"code": other.join_code})
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"code": ["invalid_join_code"]}


def test_bad_notes_are_field_level_400s(workshop, as_user, registered):
    client = as_user(registered)
    response = client.post(
        url(workshop, "notes/"),
        {"client_id": "nope", "prompt": "x", "text": "", "idea_consent": "yes"},
    )
    assert response.status_code == 400
    codes = response.json()["error_codes"]
    assert set(codes) == {"client_id", "prompt", "text", "idea_consent"}
    response = client.post(url(workshop, "notes/"), note_body(workshop, prompt=10**6))
    assert response.json()["error_codes"] == {"prompt": ["does_not_exist"]}
    stage(workshop, BoardStage.VOTING)
    response = client.post(url(workshop, "notes/"), note_body(workshop))
    assert response.json()["error_codes"] == {"stage": ["wrong_stage"]}
    assert not Note.objects.exists()


def test_a_retried_post_answers_the_same_note(workshop, as_user, registered):
    body = note_body(workshop)
    client = as_user(registered)
    first = client.post(url(workshop, "notes/"), body)
    again = client.post(url(workshop, "notes/"), body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert Note.objects.count() == 1
    conflict = client.post(url(workshop, "notes/"), {**body, "text": "Other"})
    assert conflict.json()["error_codes"] == {"client_id": ["client_id_conflict"]}


# --- moderation and facilitation --------------------------------------------------------------


def test_hide_and_show(workshop, as_user, registered, riga_moderator, gdansk_admin):
    note = NoteFactory(workshop=workshop)
    for user in (None, registered, gdansk_admin):
        assert as_user(user).post(url(workshop, f"notes/{note.pk}/hide/")).status_code == 403
    response = as_user(riga_moderator).post(url(workshop, f"notes/{note.pk}/hide/"))
    assert response.status_code == 200
    assert response.json()["hidden"] is True
    assert as_user().get(url(workshop)).json()["notes"] == []
    response = as_user(riga_moderator).post(url(workshop, f"notes/{note.pk}/show/"))
    assert response.json()["hidden"] is False
    other = NoteFactory(workshop=board_workshop(organisation=workshop.organisation))
    assert as_user(riga_moderator).post(url(workshop, f"notes/{other.pk}/hide/")).status_code == 404


@pytest.mark.parametrize(
    ("tail", "body"),
    [
        ("stage/", {"stage": "clustering"}),
        ("timer/", {"seconds": 60}),
        ("prompts/", {"prompts": ["A"]}),
        ("open/", None),
        ("clusters/", {"title": "T"}),
    ],
)
def test_running_the_board_is_for_facilitators(
    workshop, as_user, registered, riga_moderator, gdansk_admin, tail, body
):
    for user in (None, registered, riga_moderator, gdansk_admin, UserFactory()):
        # Refused before the body is read: a bad body gets 403 too.
        assert as_user(user).post(url(workshop, tail), body).status_code == 403
        assert as_user(user).post(url(workshop, tail), {"junk": 1}).status_code == 403
    workshop.refresh_from_db()
    assert workshop.board_stage == BoardStage.IDEATION
    assert workshop.timer_ends_at is None


def test_a_facilitator_runs_a_whole_board(workshop, as_user, facilitator, registered):
    fac = as_user(facilitator)
    response = fac.post(url(workshop, "stage/"), {"stage": "voting"})
    assert response.json()["error_codes"] == {"stage": ["invalid_transition"]}
    response = fac.post(url(workshop, "stage/"), {"stage": "dancing"})
    assert response.json()["error_codes"] == {"stage": ["invalid_choice"]}
    response = fac.post(url(workshop, "timer/"), {"seconds": 300, "label": "Write"})
    assert response.status_code == 200
    assert response.json()["timer"]["label"] == "Write"
    assert fac.post(url(workshop, "timer/"), {"seconds": 0}).json()["timer"] is None

    note_id = as_user(registered).post(url(workshop, "notes/"), note_body(workshop)).json()["id"]
    fac = as_user(facilitator)
    assert fac.post(url(workshop, "stage/"), {"stage": "clustering"}).status_code == 200
    created = fac.post(url(workshop, "clusters/"), {"title": "Green", "notes": [note_id]})
    assert created.status_code == 201
    cluster_id = created.json()["id"]
    second = fac.post(url(workshop, "clusters/"), {"title": "Shade"}).json()["id"]
    renamed = fac.patch(url(workshop, f"clusters/{cluster_id}/"), {"title": "Greenery"})
    assert renamed.json()["title"] == "Greenery"
    moved = fac.post(url(workshop, f"notes/{note_id}/move/"), {"cluster": second})
    assert moved.json()["cluster"] == second
    merged = fac.post(url(workshop, f"clusters/{second}/merge/"), {"target": cluster_id})
    assert merged.status_code == 200
    assert Note.objects.get().cluster_id == cluster_id
    same = fac.post(url(workshop, f"clusters/{cluster_id}/merge/"), {"target": cluster_id})
    assert same.json()["error_codes"] == {"target": ["same_cluster"]}
    assert fac.post(url(workshop, "stage/"), {"stage": "voting"}).status_code == 200

    voter = as_user(registered)
    assert voter.get(url(workshop)).json()["dots_left"] == 3
    bad = voter.post(url(workshop, "dots/"), {"note": note_id, "cluster": cluster_id})
    assert bad.json()["error_codes"] == {"note": ["one_target"]}
    assert voter.post(url(workshop, "dots/"), {"note": note_id}).json() == {"dots_left": 2}
    assert voter.post(url(workshop, "dots/"), {"cluster": cluster_id}).json() == {"dots_left": 1}
    assert voter.post(url(workshop, "dots/"), {"note": note_id}).json() == {"dots_left": 0}
    spent = voter.post(url(workshop, "dots/"), {"note": note_id})
    assert spent.status_code == 400
    assert spent.json()["error_codes"] == {"dots": ["no_dots_left"]}
    assert voter.delete(url(workshop, "dots/"), {"note": note_id}).json() == {"dots_left": 1}
    body = as_user().get(url(workshop)).json()
    assert body["notes"][0]["dots"] == 1
    assert body["clusters"][0]["dots"] == 1
    assert DotVote.objects.count() == 2

    assert (
        as_user(facilitator).post(url(workshop, "stage/"), {"stage": "closed"}).status_code == 200
    )
    closed = as_user(registered).post(url(workshop, "dots/"), {"note": note_id})
    assert closed.json()["error_codes"] == {"stage": ["board_closed"]}


def test_deleting_a_cluster_keeps_its_notes(workshop, as_user, facilitator):
    stage(workshop, BoardStage.CLUSTERING)
    note = NoteFactory(workshop=workshop)
    fac = as_user(facilitator)
    cluster_id = fac.post(url(workshop, "clusters/"), {"title": "T", "notes": [note.pk]}).json()[
        "id"
    ]
    assert fac.delete(url(workshop, f"clusters/{cluster_id}/")).status_code == 204
    assert Note.objects.get().cluster_id is None


def test_notes_and_clusters_become_ideas(workshop, as_user, facilitator, riga):
    note = NoteFactory(workshop=workshop, display_name="Ana", idea_consent=False)
    fac = as_user(facilitator)
    response = fac.post(url(workshop, f"notes/{note.pk}/idea/"))
    assert response.json()["error_codes"] == {"workshop": ["no_process"]}
    workshop.process = IdeaCollectionFactory(organisation=riga)
    workshop.save(update_fields=["process"])
    response = fac.post(url(workshop, f"notes/{note.pk}/idea/"))
    assert response.json()["error_codes"] == {"note": ["no_consent"]}
    anonymous = NoteFactory(workshop=workshop)
    response = fac.post(url(workshop, f"notes/{anonymous.pk}/idea/"))
    assert response.status_code == 201
    assert Note.objects.get(pk=anonymous.pk).idea_id == response.json()["idea"]
    assert as_user().post(url(workshop, f"notes/{anonymous.pk}/idea/")).status_code == 403


# --- exports ----------------------------------------------------------------------------------


def test_exports_are_for_facilitators_only(workshop, as_user, registered, riga_moderator):
    for user in (None, registered, riga_moderator):
        assert as_user(user).get(url(workshop, "export.csv")).status_code == 403
        assert as_user(user).get(url(workshop, "export.json")).status_code == 403


def test_exports(workshop, as_user, facilitator):
    seat = BoardParticipant.objects.create(workshop=workshop, user=UserFactory())
    NoteFactory(workshop=workshop, text='=HYPERLINK("http://x")', participant=seat)
    NoteFactory(workshop=workshop, text="Rude", hidden=True, display_name="Bo")
    response = as_user(facilitator).get(url(workshop, "export.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["kind", "id", "prompt", "cluster", "text"]
    texts = {row[4]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in texts  # made inert
    assert texts["Rude"][7] == "yes"
    assert texts["Rude"][5] == "Bo"
    data = as_user(facilitator).get(url(workshop, "export.json")).json()
    assert data["title"] == "Riverside"
    assert {n["text"]: n["hidden"] for n in data["notes"]} == {
        '=HYPERLINK("http://x")': False,
        "Rude": True,
    }
    assert "join_code" not in data
    assert "presence" not in data
    for note in data["notes"]:
        assert not {"participant", "user", "user_id", "participant_id"} & set(note)
    assert not {"participant", "user"} & set(rows[0])


# --- the schema -------------------------------------------------------------------------------


def test_every_board_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/board/",
        "/board/join/",
        "/board/notes/",
        "/board/notes/{note_id}/hide/",
        "/board/notes/{note_id}/show/",
        "/board/notes/{note_id}/move/",
        "/board/notes/{note_id}/idea/",
        "/board/clusters/",
        "/board/clusters/{cluster_id}/",
        "/board/clusters/{cluster_id}/merge/",
        "/board/clusters/{cluster_id}/idea/",
        "/board/dots/",
        "/board/stage/",
        "/board/timer/",
        "/board/prompts/",
        "/board/open/",
        "/board/export.csv",
        "/board/export.json",
    ):
        assert f"/api/v1/workshops/{{workshop_id}}{path}" in schema, path


# --- joining is rate-limited ------------------------------------------------------------------


@pytest.fixture
def join_rate(monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "board_join", "3/min")


def test_guessing_join_codes_is_refused_after_the_limit(workshop, join_rate):
    guesser = JsonClient(Client(REMOTE_ADDR="203.0.113.7"))
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        response = guesser.post(url(workshop, "join/"), {"code": guess})
        assert response.json()["error_codes"] == {"code": ["invalid_join_code"]}
    refused = guesser.post(url(workshop, "join/"), {"code": workshop.join_code})
    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"].lower()
    assert int(refused["Retry-After"]) >= 1
    # The right code, once refused, gave no seat.
    assert not BoardParticipant.objects.exists()


def test_the_join_limit_is_per_address(workshop, join_rate):
    venue = JsonClient(Client(REMOTE_ADDR="203.0.113.7"))
    for _ in range(3):
        assert venue.post(url(workshop, "join/"), {"code": "WRONG1"}).status_code == 400
    assert venue.post(url(workshop, "join/"), {"code": workshop.join_code}).status_code == 429
    other = JsonClient(Client(REMOTE_ADDR="198.51.100.20"))
    joined = other.post(url(workshop, "join/"), {"code": workshop.join_code})
    assert joined.status_code == 200
    assert joined.json()["guest"] is True
    assert BoardParticipant.objects.count() == 1


def test_the_default_join_limit_lets_a_room_on_one_network_in(settings):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["board_join"]
    count, period = ScopedRateThrottle().parse_rate(rate)
    assert count >= 100
    assert period <= 60


def test_only_joining_is_limited_by_the_join_scope(workshop, join_rate, as_user, registered):
    client = as_user(registered)
    for _ in range(5):
        assert client.get(url(workshop)).status_code == 200
    for _ in range(4):
        assert client.post(url(workshop, "notes/"), note_body(workshop)).status_code == 201


# --- what a request costs: queries pinned -----------------------------------------------------


def _call(view, method, workshop, user, body=None):
    """The view itself, signed in as ``user`` without the session's own queries (read from the
    cache or the database depending on the layout)."""
    factory = APIRequestFactory()
    request = getattr(factory, method)(
        url(workshop), body or {}, format="json" if body is not None else None
    )
    force_authenticate(request, user=user)
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    return view.as_view()(request, workshop_id=workshop.pk)


def test_posting_a_note_reads_the_workshop_once_more_under_a_share_lock(
    workshop, registered, django_assert_num_queries
):
    body = note_body(workshop)
    _call(board_api.Notes, "post", workshop, registered, note_body(workshop))  # takes the seat
    # workshop; seat; the stage with the prompt (locked); the INSERT — plus the savepoint of
    # the transaction (SAVEPOINT, RELEASE) inside the test's own.
    with django_assert_num_queries(6):
        response = _call(board_api.Notes, "post", workshop, registered, body)
    assert response.status_code == 201
    assert response.data["created"] is True
    # A retry: the INSERT is refused by the unique client_id, then the note is read.
    with django_assert_num_queries(9):
        again = _call(board_api.Notes, "post", workshop, registered, body)
    assert (again.status_code, again.data["id"]) == (200, response.data["id"])


def test_placing_a_dot_reads_the_workshop_once(workshop, registered, django_assert_num_queries):
    note = NoteFactory(workshop=workshop)
    stage(workshop, BoardStage.VOTING)
    BoardParticipant.objects.create(workshop=workshop, user=registered, dots_left=3)
    # workshop; seat; the note; the UPDATE spending the dot (stage checked in it); the INSERT;
    # the seat's dots left — plus SAVEPOINT and RELEASE.
    with django_assert_num_queries(8):
        response = _call(board_api.Dots, "post", workshop, registered, {"note": note.pk})
    assert (response.status_code, response.data) == (201, {"dots_left": 2})


def test_reading_the_board_asks_each_role_once(workshop, registered, django_assert_num_queries):
    NoteFactory.create_batch(3, workshop=workshop)
    BoardParticipant.objects.create(workshop=workshop, user=registered)
    # workshop; the person's roles; facilitator (once); board_state (5); the seat.
    with django_assert_num_queries(9):
        response = _call(board_api.Board, "get", workshop, registered)
    assert response.status_code == 200
    assert len(response.data["notes"]) == 3
    assert (response.data["can_facilitate"], response.data["can_moderate"]) == (False, False)
    assert response.data["dots_left"] == 0


def test_facilitator_actions_answer_the_whole_board(riga, as_user, facilitator):
    fresh = board_workshop(organisation=riga, board_stage=BoardStage.NOT_OPEN, join_code=None)
    fresh.facilitators.add(facilitator)
    client = as_user(facilitator)
    stopped = client.post(url(fresh, "timer/"), {"seconds": 0})
    body = stopped.json()
    assert stopped.status_code == 200
    assert body["join_code"] is None  # not opened yet
    assert (body["can_facilitate"], body["can_moderate"], body["dots_left"]) == (True, True, None)
    assert isinstance(body["seq"], int)
    opened = client.post(url(fresh, "open/")).json()
    fresh.refresh_from_db()
    assert (opened["stage"], opened["join_code"]) == ("ideation", fresh.join_code)
    assert opened["can_facilitate"] is True
    assert opened["seq"] >= body["seq"]


def test_a_patch_without_a_title_changes_nothing(workshop, as_user, facilitator):
    stage(workshop, BoardStage.CLUSTERING)
    cluster = ClusterFactory(workshop=workshop, title="Shade")
    client = as_user(facilitator)
    response = client.patch(url(workshop, f"clusters/{cluster.pk}/"), {})
    assert (response.status_code, response.json()["title"]) == (200, "Shade")
    blank = client.patch(url(workshop, f"clusters/{cluster.pk}/"), {"title": ""})
    assert blank.json()["error_codes"] == {"title": ["blank"]}
    renamed = client.patch(url(workshop, f"clusters/{cluster.pk}/"), {"title": "Trees"})
    assert renamed.json()["title"] == "Trees"
