"""The staff page comparing a city's rounds: the right figures, small groups suppressed, the
CSV the same as the table, and only the organisation's staff let in."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from budgeting import statistics
from budgeting.models import DistrictBudget, Participation
from engagement.people.models import ResidentProfile, Role
from surveys.models import Answer, QuestionKind, Response, ResponseStatus, SurveyPurpose
from surveys.selectors import evaluation_scores
from tests import factories
from tests.surveys.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def statistics_uncached(monkeypatch):
    monkeypatch.setattr(statistics, "CACHE_SECONDS", 0)


def _voters(budget_round, organisation, groups_per_voter):
    city = DistrictBudget.objects.get(round=budget_round, key="city")
    for groups in groups_per_voter:
        person = factories.UserFactory()
        ResidentProfile.objects.create(user=person, birth_year=1980, target_groups=groups)
        factories.residence(person, organisation)
        Participation.objects.create(
            round=budget_round,
            district_budget=city,
            voter=person,
            voter_key=f"user:{person.pk}",
            channel="online",
        )


def _evaluation(budget_round, satisfaction, fairness, purpose=SurveyPurpose.EVALUATION):
    """An evaluation survey of ``budget_round`` with one submitted response per score given
    (``None``: that question left unanswered)."""
    survey = SurveyFactory(
        organisation=budget_round.organisation, budget_round=budget_round, purpose=purpose
    )
    questions = {
        code: QuestionFactory(
            survey=survey, section__survey=survey, code=code, kind=QuestionKind.SCALE
        )
        for code in ("satisfaction", "fairness")
    }
    for score_s, score_f in zip(satisfaction, fairness, strict=True):
        response = Response.objects.create(
            survey=survey,
            status=ResponseStatus.SUBMITTED,
            submitted_on=date(2026, 6, 1),
            updated_on=date(2026, 6, 1),
            answers={"satisfaction": score_s, "fairness": score_f},
        )
        for code, score in (("satisfaction", score_s), ("fairness", score_f)):
            if score is not None:
                Answer.objects.create(
                    response=response, survey=survey, question=questions[code], number=score
                )
    return survey


@pytest.fixture
def rounds(riga):
    """2025: 14 voters of 24 residents (6 young, 2 elderly), 6 ideas, an evaluation of six
    (satisfaction mean 4, fairness answered by four). 2026: 4 voters, 3 evaluations."""
    older = factories.budget_process(
        organisation=riga, phase="closed", districts=(), slug="riga-2025", title="Riga 2025"
    )
    first = older.budget_round
    for _n in range(6):
        factories.IdeaFactory(process=older)
    _voters(first, riga, [["young"]] * 6 + [["elderly"]] * 2 + [[]] * 6)
    for _n in range(10):
        factories.residence(factories.UserFactory(), riga)
    _evaluation(first, [5, 4, 4, 3, 5, 3], [5, 5, None, 4, None, 1])
    # A consultation linked to the round does not count as its evaluation.
    _evaluation(first, [1] * 6, [1] * 6, purpose=SurveyPurpose.CONSULTATION)

    second = factories.BudgetRoundFactory(
        organisation=riga, phase="results", slug="riga-2026", title="Riga 2026"
    )
    factories.DistrictBudgetFactory(round=second)
    _voters(second, riga, [["young"]] * 4)
    _evaluation(second, [5, 5, 5], [5, 5, 5])
    factories.BudgetRoundFactory(organisation=riga, phase="draft", slug="riga-draft")
    return first, second


@pytest.fixture
def admin(riga):
    return factories.staff(riga, Role.ADMINISTRATOR, email="admin@riga.example")


PAGE = "/staff/o/riga/rounds/compare/"


# --- refusals first ----------------------------------------------------------------------------


def test_only_staff_of_the_organisation_see_the_comparison(client, riga, gdansk, rounds):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(factories.UserFactory())
    assert client.get(PAGE).status_code == 403
    client.force_login(factories.staff(gdansk, Role.ADMINISTRATOR))
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + "?format=csv").status_code == 403
    client.force_login(factories.staff(riga, Role.REVIEWER))
    assert client.get(PAGE).status_code == 200


# --- the scores selector -----------------------------------------------------------------------


def test_evaluation_scores_are_means_of_five_answers_or_more(rounds):
    first, second = rounds
    assert evaluation_scores([first.pk, second.pk, 999_999]) == {
        first.pk: {"satisfaction": 4.0, "fairness": None, "responses": 6},
        second.pk: {"satisfaction": None, "fairness": None, "responses": 3},
    }
    assert evaluation_scores([]) == {}


# --- the page ----------------------------------------------------------------------------------


def _table(response):
    table = response.context["table"]
    return {
        row["round"].slug: dict(zip(table["columns"], row["figures"], strict=True))
        for row in table["rows"]
    }


def test_each_round_has_its_figures_and_small_groups_are_suppressed(client, admin, rounds):
    client.force_login(admin)
    response = client.get(PAGE)
    table = _table(response)
    assert list(table) == ["riga-2025", "riga-2026"]  # oldest first, no draft

    first = {heading: (f.value, f.suppressed) for heading, f in table["riga-2025"].items()}
    assert first["Ballots cast"] == (14, False)
    assert first["Voters"] == (14, False)
    # 14 voters of 28 registered residents (the 4 voters of 2026 are residents too).
    assert first["Turnout (percentage of registered residents)"] == (50.0, False)
    assert first["Ideas submitted"] == (6, False)
    assert first["Reach: Young person (under 26) (% of voters)"] == (42.9, False)
    assert first["Reach: Older person (65 or over) (% of voters)"] == (None, True)  # 2 people
    assert first["Satisfaction (mean score)"] == (4.0, False)
    assert first["Fairness of the outcome (mean score)"] == (None, True)  # 4 answers
    assert first["Evaluation responses"] == (6, False)

    second = {heading: (f.value, f.suppressed) for heading, f in table["riga-2026"].items()}
    assert second["Voters"] == (None, True)
    assert second["Turnout (percentage of registered residents)"] == (None, True)
    assert second["Reach: Young person (under 26) (% of voters)"] == (None, True)
    assert second["Ideas submitted"] == (None, False)  # no idea phase
    assert second["Satisfaction (mean score)"] == (None, True)  # 3 responses
    assert second["Evaluation responses"] == (None, True)

    body = response.content.decode()
    assert "fewer than 5" in body
    # The results pages' bars: one per round, the same figures as the table.
    satisfaction = next(c for c in response.context["charts"] if "Satisfaction" in c["title"])
    assert [(b["label"], b["count"], b["width"]) for b in satisfaction["bars"]] == [
        ("Riga 2025", 4.0, 100.0),
        ("Riga 2026", "fewer than 5", 0),
    ]
    assert 'class="survey-bars"' in body
    assert "42.9 %" in body or "42,9 %" in body


def test_the_csv_is_the_table(client, admin, rounds):
    client.force_login(admin)
    table = _table(client.get(PAGE))
    download = client.get(PAGE + "?format=csv")
    assert download["Content-Type"].startswith("text/csv")
    assert "riga-round-comparison.csv" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [r["Round"] for r in rows] == list(table)
    for row in rows:
        for heading, figure in table[row["Round"]].items():
            if figure.suppressed:
                expected = "fewer than 5"
            elif figure.value is None:
                expected = ""
            else:
                expected = str(figure.value)
            assert row[heading] == expected, (row["Round"], heading)


def test_the_organisation_page_links_the_comparison(client, admin, rounds):
    client.force_login(admin)
    assert PAGE in client.get("/staff/o/riga/").content.decode()
