"""Personal data: the download lists registrations (with answers) and board notes; deleting
the account removes registrations (a confirmed place is given to the first person waiting)
and leaves the person's notes and dots on the board with nothing leading back to them."""

from __future__ import annotations

import pytest

from engagement.notifications.models import Notification
from engagement.personal_data import account_delete, personal_data_export
from tests import factories
from tests.factories import TEST_PASSWORD
from tests.workshops.factories import (
    BoardParticipantFactory,
    NoteFactory,
    PromptFactory,
    RegistrationFactory,
    WorkshopFactory,
)
from workshops.models import BoardParticipant, DotVote, Note, Registration, Workshop
from workshops.services import registration as registering

pytestmark = pytest.mark.django_db


def test_download_lists_registrations_with_answers_and_notes():
    person = factories.UserFactory()
    workshop = WorkshopFactory(title="Park design")
    RegistrationFactory(
        workshop=workshop, user=person, accessibility_needs="Step-free", dietary_needs="Vegan"
    )
    PromptFactory(workshop=workshop, text="What is missing?")
    seat = BoardParticipantFactory(workshop=workshop, user=person)
    NoteFactory(workshop=workshop, participant=seat, text="Shade", display_name="Anna")
    NoteFactory(workshop=workshop, text="Someone else's note")

    data = personal_data_export(user=person)

    (registration,) = data["workshop_registrations"]
    assert registration["workshop_title"] == "Park design"
    assert registration["status"] == "confirmed"
    assert (registration["accessibility_needs"], registration["dietary_needs"]) == (
        "Step-free",
        "Vegan",
    )
    assert [(n["text"], n["display_name"], n["prompt"]) for n in data["workshop_notes"]] == [
        ("Shade", "Anna", "What is missing?")
    ]


def test_deleting_the_account_gives_the_place_to_the_first_waiting():
    workshop = WorkshopFactory(capacity=1)
    person, waiting = factories.UserFactory(), factories.UserFactory()
    registering.register(user=person, workshop=workshop)
    registering.register(user=waiting, workshop=workshop)

    account_delete(user=person, password=TEST_PASSWORD)

    assert list(Registration.objects.values_list("user_id", "status")) == [
        (waiting.pk, "confirmed")
    ]
    assert Workshop.objects.get(pk=workshop.pk).registered == 1
    assert list(
        Notification.objects.filter(event="workshop.promoted").values_list(
            "recipient_id", flat=True
        )
    ) == [waiting.pk]


def test_deleting_the_account_unlinks_notes_and_keeps_the_dots():
    person = factories.UserFactory()
    workshop = WorkshopFactory()
    seat = BoardParticipantFactory(workshop=workshop, user=person)
    note = NoteFactory(workshop=workshop, participant=seat, display_name="Anna", idea_consent=True)
    DotVote.objects.create(workshop=workshop, participant=seat, note=note)

    account_delete(user=person, password=TEST_PASSWORD)

    note = Note.objects.get(pk=note.pk)
    assert (note.display_name, note.idea_consent) == ("", False)
    assert note.text  # what the workshop produced stays
    seat = BoardParticipant.objects.get(pk=seat.pk)
    assert seat.user_id is None
    assert seat.guest_token_digest
    assert len(seat.guest_token_digest) == 64
    assert DotVote.objects.filter(note=note).count() == 1
    assert personal_data_export(user=factories.UserFactory())["workshop_notes"] == []
