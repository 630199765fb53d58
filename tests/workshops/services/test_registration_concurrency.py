"""Places under concurrent registration (PostgreSQL only).

Fifty people press "register" at the same instant for ten places: exactly ten places are
confirmed, forty people wait, the count on the workshop matches the rows, and every call
ends cleanly. Each thread uses its own database connection and closes it.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from engagement.notifications.models import Notification
from tests import factories
from tests.workshops.factories import WorkshopFactory
from workshops.models import Registration, RegistrationStatus, Workshop
from workshops.services import registration as registering

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PEOPLE = 50
PLACES = 10


def race(calls) -> list[object]:
    """Run every call at the same instant, each in its own thread; outcomes in order."""
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


def outcome(result) -> str:
    if isinstance(result, Registration):
        return result.status
    return f"unexpected {type(result).__name__}: {result}"


def test_fifty_for_ten_places_gives_ten_confirmed_and_forty_waiting():
    workshop = WorkshopFactory(capacity=PLACES)
    people = [factories.UserFactory() for _ in range(PEOPLE)]
    results = race([lambda p=p: registering.register(user=p, workshop=workshop) for p in people])
    assert Counter(outcome(r) for r in results) == {"confirmed": PLACES, "waitlisted": 40}
    rows = Counter(Registration.objects.values_list("status", flat=True))
    assert rows == {"confirmed": PLACES, "waitlisted": 40}
    workshop.refresh_from_db()
    assert workshop.registered == PLACES


def test_without_waiting_list_the_others_are_refused_as_full():
    workshop = WorkshopFactory(capacity=PLACES, waitlist_enabled=False)
    people = [factories.UserFactory() for _ in range(PEOPLE)]
    results = race([lambda p=p: registering.register(user=p, workshop=workshop) for p in people])

    def kind(result) -> str:
        if isinstance(result, Registration):
            return result.status
        codes = getattr(result, "error_dict", {}).get("registration", [])
        return f"refused:{codes[0].code}" if codes else f"unexpected {result!r}"

    assert Counter(kind(r) for r in results) == {"confirmed": PLACES, "refused:full": 40}
    workshop.refresh_from_db()
    assert workshop.registered == PLACES


def test_concurrent_cancellations_promote_each_waiting_person_once():
    workshop = WorkshopFactory(capacity=PLACES)
    people = [factories.UserFactory() for _ in range(PLACES + 5)]
    for person in people:
        registering.register(user=person, workshop=workshop)
    leaving = people[:5]
    results = race(
        [lambda p=p: registering.cancel_registration(user=p, workshop=workshop) for p in leaving]
    )
    assert [outcome(r) for r in results] == ["cancelled"] * 5
    confirmed = Registration.objects.filter(workshop=workshop, status=RegistrationStatus.CONFIRMED)
    assert confirmed.count() == PLACES
    assert not Registration.objects.filter(status=RegistrationStatus.WAITLISTED).exists()
    assert Workshop.objects.get(pk=workshop.pk).registered == PLACES
    told = Counter(
        Notification.objects.filter(event="workshop.promoted").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {p.pk: 1 for p in people[PLACES:]}


def test_the_same_person_twice_at_once_gets_one_registration():
    workshop = WorkshopFactory(capacity=PLACES)
    person = factories.UserFactory()
    results = race([lambda: registering.register(user=person, workshop=workshop)] * 8)

    def kind(result) -> str:
        if isinstance(result, Registration):
            return result.status
        codes = getattr(result, "error_dict", {}).get("registration", [])
        return f"refused:{codes[0].code}" if codes else f"unexpected {result!r}"

    assert Counter(kind(r) for r in results) == {"confirmed": 1, "refused:already_registered": 7}
    assert Workshop.objects.get(pk=workshop.pk).registered == 1
