"""The board pages without JavaScript: the board as served, posting a note with a plain form,
joining with the code, the projector and who may open what."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from engagement.people.models import Role
from tests import factories
from tests.workshops.factories import (
    BoardParticipantFactory,
    ClusterFactory,
    NoteFactory,
    RegistrationFactory,
    board_workshop,
)
from workshops.models import BoardParticipant, BoardStage, DotVote, Note, WorkshopStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(riga):
    return board_workshop(organisation=riga, title="Riverside park", join_code="K7Q2MX")


@pytest.fixture
def facilitator(workshop):
    user = factories.UserFactory(email="facilitator@example.org")
    workshop.facilitators.add(user)
    return user


@pytest.fixture
def participant(workshop):
    return RegistrationFactory(workshop=workshop).user


def board_url(workshop) -> str:
    return reverse("frontend:workshop_board", args=[workshop.pk])


def action_url(workshop, action: str) -> str:
    return reverse("frontend:workshop_board_action", args=[workshop.pk, action])


def note_form(response) -> dict[str, str]:
    """The hidden client id the server put in the note form."""
    html = response.content.decode()
    match = re.search(r'name="client_id" value="([0-9a-f-]{36})"', html)
    assert match, "the note form has no client id"
    return {"client_id": match.group(1)}


# --- seeing the board -------------------------------------------------------------------------


def test_unopened_board_is_not_shown_to_the_public(client, riga):
    workshop = board_workshop(organisation=riga, board_stage=BoardStage.NOT_OPEN, join_code=None)
    NoteFactory(workshop=workshop, text="A secret early note")
    response = client.get(board_url(workshop))
    body = response.content.decode()
    assert "A secret early note" not in body
    assert "The board is not open yet" in body


def test_draft_workshop_board_is_not_found(client, riga):
    workshop = board_workshop(organisation=riga, status=WorkshopStatus.DRAFT)
    assert client.get(board_url(workshop)).status_code == 404


def test_board_shows_prompts_clusters_notes_and_dots_but_not_hidden_notes(client, workshop):
    prompt = workshop.prompts.first()
    cluster = ClusterFactory(workshop=workshop, prompt=prompt, title="Shade and trees")
    clustered = NoteFactory(workshop=workshop, prompt=prompt, cluster=cluster, text="Plant oaks")
    NoteFactory(workshop=workshop, prompt=prompt, text="Benches by the water", display_name="Ilze")
    NoteFactory(workshop=workshop, prompt=prompt, text="Rude words here", hidden=True)
    seat = BoardParticipantFactory(workshop=workshop)
    DotVote.objects.create(workshop=workshop, participant=seat, note=clustered)
    DotVote.objects.create(workshop=workshop, participant=seat, note=clustered)

    response = client.get(board_url(workshop))

    body = response.content.decode()
    assert response.status_code == 200
    assert "What works well here?" in body
    assert "What should change?" in body
    assert "Shade and trees" in body
    assert "Plant oaks" in body
    assert "2 dots" in body
    assert "Benches by the water" in body
    assert "Ilze" in body
    assert "Rude words here" not in body
    assert f'data-live-topic="workshop:{workshop.pk}:board"' in body
    assert "Ideation" in body
    # Anonymous visitors read along; to post they are sent to the join code.
    assert "enter the join code" in body
    assert 'name="client_id"' not in body
    assert "K7Q2MX" not in body  # the code is for the room, not for the public page


def test_facilitator_sees_hidden_notes_marked_and_the_join_code(client, workshop, facilitator):
    NoteFactory(workshop=workshop, text="Rude words here", hidden=True)
    client.force_login(facilitator)
    body = client.get(board_url(workshop)).content.decode()
    assert "Rude words here" in body
    assert "Hidden from participants" in body
    assert "K7Q2MX" in body
    assert "<svg" in body
    assert 'role="img"' in body
    assert "Switch stage" in body
    assert "Start the timer" in body


# --- posting a note without JavaScript --------------------------------------------------------


def test_anonymous_visitor_without_a_seat_cannot_post(client, workshop):
    response = client.post(
        board_url(workshop),
        {
            "client_id": str(uuid.uuid4()),
            "prompt": workshop.prompts.first().pk,
            "text": "Let me in",
        },
    )
    assert response.status_code == 400
    assert "join code" in response.content.decode()
    assert not Note.objects.exists()


def test_empty_note_is_refused_with_the_field_named(client, workshop, participant):
    client.force_login(participant)
    response = client.post(
        board_url(workshop),
        {"client_id": str(uuid.uuid4()), "prompt": workshop.prompts.first().pk, "text": ""},
    )
    assert response.status_code == 400
    assert "Your note" in response.content.decode()
    assert not Note.objects.exists()


def test_the_same_form_sent_twice_makes_one_note(client, workshop, participant):
    client.force_login(participant)
    page = client.get(board_url(workshop))
    data = note_form(page) | {
        "prompt": workshop.prompts.first().pk,
        "text": "A playground for small children",
        "display_name": "Anna",
        "idea_consent": "on",
    }

    first = client.post(board_url(workshop), data)
    second = client.post(board_url(workshop), data)

    note = Note.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"].endswith(f"#note-{note.pk}")
    assert note.text == "A playground for small children"
    assert note.display_name == "Anna"
    assert note.idea_consent is True
    assert note.participant.user == participant
    assert "A playground for small children" in client.get(board_url(workshop)).content.decode()


def test_consent_without_a_name_is_not_kept(client, workshop, participant):
    client.force_login(participant)
    client.post(
        board_url(workshop),
        {
            "client_id": str(uuid.uuid4()),
            "prompt": workshop.prompts.first().pk,
            "text": "Anonymous thought",
            "idea_consent": "on",
        },
    )
    note = Note.objects.get()
    assert note.display_name == ""
    assert note.idea_consent is False


# --- joining with the code --------------------------------------------------------------------


def test_unknown_code_says_so(client, workshop):
    response = client.get(reverse("frontend:workshop_join_code", args=["NOPE99"]))
    assert response.status_code == 404
    assert "does not open a board" in response.content.decode()
    assert "workshop_board_seats" not in client.session


def test_code_of_a_closed_board_is_refused_on_the_form(client, riga):
    board_workshop(organisation=riga, join_code="CLOSED", board_stage=BoardStage.CLOSED)
    response = client.post(reverse("frontend:workshop_join"), {"code": "closed"})
    assert response.status_code == 400
    assert "does not open a board" in response.content.decode()


def test_join_code_gives_a_guest_a_seat_to_post_with(client, workshop):
    response = client.get(reverse("frontend:workshop_join_code", args=["k7q2mx"]))
    assert response.status_code == 302
    assert response["Location"] == board_url(workshop)
    token = client.session["workshop_board_seats"][str(workshop.pk)]
    seat = BoardParticipant.objects.get(workshop=workshop)
    assert seat.user is None
    assert seat.guest_token_digest
    assert token not in seat.guest_token_digest

    page = client.get(board_url(workshop))
    assert 'name="client_id"' in page.content.decode()
    client.post(
        board_url(workshop),
        note_form(page) | {"prompt": workshop.prompts.last().pk, "text": "Guest idea"},
    )
    note = Note.objects.get()
    assert note.participant == seat
    assert note.display_name == ""


def test_joining_again_keeps_the_same_guest_seat(client, workshop):
    client.post(reverse("frontend:workshop_join"), {"code": " k7q2mx "})
    client.get(reverse("frontend:workshop_join_code", args=["K7Q2MX"]))
    assert BoardParticipant.objects.filter(workshop=workshop).count() == 1


# --- actions without JavaScript ---------------------------------------------------------------


def test_participant_cannot_run_the_board(client, workshop, participant):
    client.force_login(participant)
    response = client.post(action_url(workshop, "stage"), {"stage": BoardStage.CLUSTERING})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.board_stage == BoardStage.IDEATION


def test_clustering_tools_wait_for_the_clustering_stage(client, workshop, facilitator):
    NoteFactory(workshop=workshop, text="Fountain")
    client.force_login(facilitator)
    body = client.get(board_url(workshop)).content.decode()
    assert "Hide the note" in body
    assert "Move to cluster" not in body
    assert "New cluster with this note" not in body


def test_facilitator_moves_a_note_into_a_cluster(client, workshop, facilitator):
    workshop.board_stage = BoardStage.CLUSTERING
    workshop.save()
    cluster = ClusterFactory(workshop=workshop, title="Water")
    note = NoteFactory(workshop=workshop, text="Fountain")
    client.force_login(facilitator)
    response = client.post(
        action_url(workshop, "note-move"),
        {"note": note.pk, "cluster": cluster.pk},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Note moved to “Water”."
    note.refresh_from_db()
    assert note.cluster == cluster


def test_dots_are_added_and_counted_for_the_voter(client, workshop, participant):
    workshop.board_stage = BoardStage.VOTING
    workshop.save()
    note = NoteFactory(workshop=workshop, text="Fountain")
    client.force_login(participant)
    response = client.post(
        action_url(workshop, "dot-add"), {"note": note.pk}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200, response.content
    viewer = response.json()["viewer"]
    assert viewer["my_dots"]["notes"] == {str(note.pk): 1}
    body = client.get(board_url(workshop)).content.decode()
    assert "Remove a dot from “Fountain”" in body
    assert "1 dot" in body


# --- the projector and who may open what ------------------------------------------------------


def test_projector_for_facilitators_with_big_code_and_qr(client, workshop, facilitator):
    ClusterFactory(workshop=workshop, title="Water")
    NoteFactory(workshop=workshop, text="Hidden rude note", hidden=True)
    client.force_login(facilitator)
    response = client.get(reverse("frontend:workshop_projector", args=[workshop.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "K7Q2MX" in body
    assert f"{settings.SITE_URL}/join/K7Q2MX/" in body
    assert "<svg" in body
    assert "Water" in body
    assert "Hidden rude note" not in body


@pytest.mark.parametrize(
    ("who", "board", "projector", "state"),
    [
        ("anonymous", 200, 302, 200),
        ("participant", 200, 403, 200),
        ("moderator", 200, 403, 200),
        ("facilitator", 200, 200, 200),
        ("administrator", 200, 200, 200),
        ("other_organisation_admin", 200, 403, 200),
    ],
)
def test_permission_matrix(
    client, riga, gdansk, workshop, facilitator, who, board, projector, state
):
    users = {
        "participant": lambda: RegistrationFactory(workshop=workshop).user,
        "moderator": lambda: factories.staff(riga, Role.MODERATOR, email="m@riga.example"),
        "facilitator": lambda: facilitator,
        "administrator": lambda: factories.staff(riga, Role.ADMINISTRATOR, email="a@riga.example"),
        "other_organisation_admin": lambda: factories.staff(
            gdansk, Role.ADMINISTRATOR, email="a@gdansk.example"
        ),
    }
    if who in users:
        client.force_login(users[who]())
    assert client.get(board_url(workshop)).status_code == board
    assert (
        client.get(reverse("frontend:workshop_projector", args=[workshop.pk])).status_code
        == projector
    )
    assert (
        client.get(reverse("frontend:workshop_board_state", args=[workshop.pk])).status_code
        == state
    )


def test_moderator_state_includes_hidden_notes_but_not_the_code(client, riga, workshop):
    NoteFactory(workshop=workshop, text="Rude", hidden=True)
    client.force_login(factories.staff(riga, Role.MODERATOR, email="m@riga.example"))
    data = client.get(reverse("frontend:workshop_board_state", args=[workshop.pk])).json()
    assert [n["text"] for n in data["state"]["notes"]] == ["Rude"]
    assert "join_code" not in data["state"]
    assert data["viewer"]["moderator"] is True
    assert data["viewer"]["facilitator"] is False


# --- note -> idea, and the idea page saying where it came from --------------------------------


def test_named_note_without_consent_does_not_become_an_idea(client, riga, facilitator, workshop):
    workshop.process = factories.IdeaCollectionFactory(organisation=riga)
    workshop.save()
    note = NoteFactory(workshop=workshop, text="Mine", display_name="Ilze", idea_consent=False)
    client.force_login(facilitator)
    response = client.post(
        action_url(workshop, "note-idea"), {"note": note.pk}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert "did not agree" in response.json()["message"]
    note.refresh_from_db()
    assert note.idea is None


def test_note_becomes_an_idea_whose_page_names_the_workshop(client, riga, facilitator, workshop):
    workshop.process = factories.IdeaCollectionFactory(organisation=riga)
    workshop.save()
    note = NoteFactory(workshop=workshop, text="A pier for swimming")
    client.force_login(facilitator)

    response = client.post(
        action_url(workshop, "note-idea"), {"note": note.pk}, headers={"X-Requested-With": "fetch"}
    )

    assert response.status_code == 200, response.content
    data = response.json()
    note.refresh_from_db()
    assert data["idea"] == note.idea_id
    assert data["idea_url"] == reverse("frontend:idea_detail", args=[note.idea_id])
    board = client.get(board_url(workshop)).content.decode()
    assert f'href="{data["idea_url"]}"' in board
    idea_page = client.get(data["idea_url"]).content.decode()
    assert "This idea came from the workshop" in idea_page
    assert "Riverside park" in idea_page


# --- running the board without JavaScript -----------------------------------------------------


def test_timer_needs_a_whole_number_of_minutes(client, workshop, facilitator):
    client.force_login(facilitator)
    response = client.post(action_url(workshop, "timer-start"), {"minutes": "0"}, follow=True)
    assert "greater than or equal to 1" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None


def test_timer_runs_for_everyone_to_see_and_stops(client, workshop, facilitator):
    client.force_login(facilitator)
    response = client.post(
        action_url(workshop, "timer-start"), {"minutes": "5", "label": "Write"}, follow=True
    )
    body = response.content.decode()
    assert "The timer is running." in body
    assert "about 5 minutes left" in body
    client.logout()
    assert "Write:" in client.get(board_url(workshop)).content.decode()
    client.force_login(facilitator)
    client.post(action_url(workshop, "timer-stop"))
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None


def test_stage_moves_one_step_and_says_so(client, workshop, facilitator):
    client.force_login(facilitator)
    refused = client.post(
        action_url(workshop, "stage"),
        {"stage": BoardStage.VOTING},
        headers={"X-Requested-With": "fetch"},
    )
    assert refused.status_code == 400
    assert "one stage forward or back" in refused.json()["message"]
    moved = client.post(
        action_url(workshop, "stage"), {"stage": BoardStage.CLUSTERING}, follow=True
    )
    assert "Stage: Clustering." in moved.content.decode()
    workshop.refresh_from_db()
    assert workshop.board_stage == BoardStage.CLUSTERING


def test_moderator_hides_a_note_which_leaves_the_public_board(client, riga, workshop):
    note = NoteFactory(workshop=workshop, text="Nasty words")
    client.force_login(factories.staff(riga, Role.MODERATOR, email="m@riga.example"))
    response = client.post(action_url(workshop, "note-hide"), {"note": note.pk})
    assert response["Location"].endswith(f"#note-{note.pk}")
    note.refresh_from_db()
    assert note.hidden is True
    client.logout()
    assert "Nasty words" not in client.get(board_url(workshop)).content.decode()


def test_clusters_are_made_from_a_note_renamed_and_merged(client, workshop, facilitator):
    workshop.board_stage = BoardStage.CLUSTERING
    workshop.save()
    note = NoteFactory(workshop=workshop, text="Trees")
    other = ClusterFactory(workshop=workshop, title="Green")
    client.force_login(facilitator)
    fetch = {"X-Requested-With": "fetch"}

    made = client.post(
        action_url(workshop, "cluster-create"), {"title": "Shade", "note": note.pk}, headers=fetch
    ).json()
    client.post(
        action_url(workshop, "cluster-rename"),
        {"cluster": made["cluster"], "title": "Shade and trees"},
        headers=fetch,
    )
    merged = client.post(
        action_url(workshop, "cluster-merge"),
        {"cluster": made["cluster"], "target": other.pk},
        headers=fetch,
    ).json()

    assert merged["message"] == "“Shade and trees” merged into “Green”."
    note.refresh_from_db()
    assert note.cluster == other


def test_another_boards_note_is_not_found(client, riga, workshop, facilitator):
    elsewhere = NoteFactory(workshop=board_workshop(organisation=riga), text="Elsewhere")
    client.force_login(facilitator)
    response = client.post(
        action_url(workshop, "note-hide"),
        {"note": elsewhere.pk},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "That note is not on this board."
    elsewhere.refresh_from_db()
    assert elsewhere.hidden is False


def test_unknown_action_is_not_found(client, workshop, facilitator):
    client.force_login(facilitator)
    assert client.post(action_url(workshop, "explode")).status_code == 404


def test_facilitator_opens_an_unopened_board_which_gets_a_code(client, riga):
    workshop = board_workshop(organisation=riga, board_stage=BoardStage.NOT_OPEN, join_code=None)
    user = factories.UserFactory(email="f@example.org")
    workshop.facilitators.add(user)
    client.force_login(user)
    page = client.get(board_url(workshop)).content.decode()
    assert "Open the board" in page
    response = client.post(action_url(workshop, "open"), follow=True)
    workshop.refresh_from_db()
    assert workshop.board_stage == BoardStage.IDEATION
    assert workshop.join_code
    assert workshop.join_code in response.content.decode()
