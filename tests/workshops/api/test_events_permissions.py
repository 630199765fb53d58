"""Who may do what over the events API: organisation administrators (staff), the
workshop's facilitator, a registered participant, anonymous visitors and another
organisation's administrator. Drafts are not found by those who may not see them."""

from __future__ import annotations

import pytest

from engagement.people.models import Role
from tests import factories
from tests.workshops.factories import RegistrationFactory, WorkshopFactory
from workshops.models import WorkshopStatus

pytestmark = pytest.mark.django_db

ROLES = ("staff", "facilitator", "participant", "anonymous", "other_staff")


@pytest.fixture
def setting():
    organisation = factories.OrganisationFactory(slug="valmiera")
    published = WorkshopFactory(organisation=organisation)
    draft = WorkshopFactory(organisation=organisation, status=WorkshopStatus.DRAFT)
    facilitator = factories.UserFactory()
    participant = factories.UserFactory()
    for workshop in (published, draft):
        workshop.facilitators.add(facilitator)
    RegistrationFactory(workshop=published, user=participant)
    people = {
        "staff": factories.staff(organisation, Role.ADMINISTRATOR),
        "facilitator": facilitator,
        "participant": participant,
        "anonymous": None,
        "other_staff": factories.staff(factories.OrganisationFactory(), Role.ADMINISTRATOR),
    }
    return {"published": published, "draft": draft, "people": people}


def statuses(setting, as_user, call) -> dict[str, int]:
    return {role: call(as_user(setting["people"][role])).status_code for role in ROLES}


def test_reading_a_draft(setting, as_user):
    url = f"/api/v1/workshops/{setting['draft'].pk}/"
    assert statuses(setting, as_user, lambda c: c.get(url)) == {
        "staff": 200,
        "facilitator": 200,
        "participant": 404,
        "anonymous": 404,
        "other_staff": 404,
    }


def test_drafts_in_the_list(setting, as_user):
    def listed(role):
        client = as_user(setting["people"][role])
        body = client.get("/api/v1/workshops/", {"organisation": "valmiera"}).json()
        return sorted(w["id"] for w in body["results"])

    both = sorted([setting["published"].pk, setting["draft"].pk])
    assert {role: listed(role) for role in ROLES} == {
        "staff": both,
        "facilitator": both,
        "participant": [setting["published"].pk],
        "anonymous": [setting["published"].pk],
        "other_staff": [setting["published"].pk],
    }


def test_changing_a_published_workshop(setting, as_user):
    url = f"/api/v1/workshops/{setting['published'].pk}/"
    assert statuses(setting, as_user, lambda c: c.patch(url, {"title": "Changed"})) == {
        "staff": 200,
        "facilitator": 403,
        "participant": 403,
        "anonymous": 403,
        "other_staff": 403,
    }
    setting["published"].refresh_from_db()
    assert setting["published"].title == "Changed"


def test_publishing_a_draft(setting, as_user):
    url = f"/api/v1/workshops/{setting['draft'].pk}/publish/"
    results = statuses(setting, as_user, lambda c: c.post(url))
    # The staff call comes first and publishes it; then everyone may see it.
    assert results == {
        "staff": 200,
        "facilitator": 403,
        "participant": 403,
        "anonymous": 403,
        "other_staff": 403,
    }


def test_cancelling_and_copying(setting, as_user):
    url = f"/api/v1/workshops/{setting['published'].pk}/"
    copies = statuses(
        setting, as_user, lambda c: c.post(url + "copy/", {"starts_at": "2031-05-05T10:00:00"})
    )
    assert copies == {
        "staff": 201,
        "facilitator": 403,
        "participant": 403,
        "anonymous": 403,
        "other_staff": 403,
    }
    cancels = {
        role: as_user(setting["people"][role]).post(url + "cancel/", {}).status_code
        for role in reversed(ROLES)
    }
    assert cancels == {
        "other_staff": 403,
        "anonymous": 403,
        "participant": 403,
        "facilitator": 403,
        "staff": 200,
    }


def test_creating_in_the_organisation(setting, as_user):
    body = {
        "title": "New",
        "format": "online",
        "starts_at": "2031-01-01T10:00:00",
        "ends_at": "2031-01-01T11:00:00",
    }
    url = "/api/v1/organisations/valmiera/workshops/"
    assert statuses(setting, as_user, lambda c: c.post(url, body)) == {
        "staff": 201,
        "facilitator": 403,
        "participant": 403,
        "anonymous": 403,
        "other_staff": 403,
    }


def test_the_check_in_list(setting, as_user):
    url = f"/api/v1/workshops/{setting['published'].pk}/attendance/"
    assert statuses(setting, as_user, lambda c: c.get(url)) == {
        "staff": 200,
        "facilitator": 200,
        "participant": 403,
        "anonymous": 403,
        "other_staff": 403,
    }


def test_registration_needs_sign_in(setting, as_user):
    url = f"/api/v1/workshops/{setting['published'].pk}/registration/"
    assert as_user().get(url).status_code == 403
    assert as_user().post(url, {}).status_code == 403
    assert as_user(setting["people"]["participant"]).get(url).json()["status"] == "confirmed"
    draft_url = f"/api/v1/workshops/{setting['draft'].pk}/registration/"
    assert as_user(setting["people"]["participant"]).post(draft_url, {}).status_code == 404
