"""Contributions to a round's idea phase are counted in its statistics, suppressed like
every other group."""

from __future__ import annotations

import pytest
from django.utils import timezone

from budgeting import statistics
from engagement.ideas.models import Idea, ParticipatoryProcess
from tests import factories
from tests.budgeting import round_statistics

# The shared round and the uncached statistics (autouse), as this module's fixtures.
city = round_statistics.city
statistics_uncached = round_statistics.statistics_uncached


@pytest.mark.django_db
def test_contributions_count_public_ideas_and_suppress_small_numbers(city, riga):
    process = ParticipatoryProcess.objects.create(
        organisation=riga, slug="riga-ideas", title="Ideas", kind="budget", budget_round=city
    )
    now = timezone.now()
    authors = [factories.UserFactory() for _ in range(6)]
    for author in authors:
        Idea.objects.create(
            process=process,
            author=author,
            title="Idea",
            description="<p>x</p>",
            status="submitted",
            submitted_at=now,
        )
    Idea.objects.create(process=process, author=authors[0], title="Draft", description="d")
    Idea.objects.create(
        process=process,
        author=factories.UserFactory(),
        title="Hidden",
        description="h",
        status="submitted",
        submitted_at=now,
        hidden=True,
    )
    answer = statistics.round_statistics(city)["contributions"]
    assert answer["ideas"] == {"count": 6, "suppressed": False}
    assert answer["comments"] == {"count": None, "suppressed": True}  # 0
    assert answer["contributors"] == {"count": 6, "suppressed": False}
    assert answer["by_district"]["people_total"] == {"count": 6, "suppressed": False}
    # Nobody lives in a known district: the zeros are hidden, and so is "unknown" (6),
    # else the total would show the hidden cells hold no one.
    assert all(r["people"]["suppressed"] for r in answer["by_district"]["groups"])
