"""One support per person under concurrency, and one open report (PostgreSQL only).

Many threads support the same idea for the same person at the same instant; the unique
constraint and ``INSERT … ON CONFLICT DO NOTHING`` must leave exactly one support row, one
call answering "added" and every other "already there" — no errors. Each thread uses its
own database connection and closes it.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from engagement.ideas.models import Report, Support
from engagement.ideas.services import moderation, supports
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 40


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


def test_supporting_at_once_leaves_exactly_one_support():
    idea = factories.IdeaFactory()
    person = factories.UserFactory()
    outcomes = race([lambda: supports.support_add(user=person, idea=idea)] * THREADS)
    assert Counter(outcomes) == {True: 1, False: THREADS - 1}
    assert Support.objects.filter(idea=idea, user=person).count() == 1
    assert Support.objects.count() == 1


def test_many_people_at_once_each_support_once():
    idea = factories.IdeaFactory()
    people = [factories.UserFactory() for _n in range(10)]
    calls = [lambda p=p: supports.support_add(user=p, idea=idea) for p in people for _ in range(4)]
    outcomes = race(calls)
    assert Counter(outcomes) == {True: 10, False: 30}
    assert sorted(Support.objects.values_list("user", flat=True)) == sorted(p.pk for p in people)


def test_reporting_at_once_leaves_one_open_report():
    idea = factories.IdeaFactory()
    person = factories.UserFactory()
    outcomes = race(
        [lambda: moderation.report_create(reporter=person, idea=idea, reason="spam")] * 30
    )
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refusals) == 29
    assert {e.code for r in refusals for e in r.error_dict["idea"]} == {"already_reported"}
    assert Report.objects.filter(idea=idea, reporter=person).count() == 1
