"""A survey's results page in a real browser: accessible (axe), no sideways scrolling on a
320 px phone, charts with their tables, the cross-tabulation and the written answers."""

from __future__ import annotations

import pytest

from engagement.people.models import District
from surveys.models import QuestionKind, ResultsVisibility
from tests.e2e.browser import no_horizontal_scroll, snap, visit
from tests.surveys.counted import respond
from tests.surveys.factories import SurveyFactory, choice_question

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(riga):
    survey = SurveyFactory(
        organisation=riga,
        slug="parks",
        title="What our parks need, according to the people who walk in them every day",
        results_visibility=ResultsVisibility.LIVE,
    )
    choice_question(
        survey,
        "q1",
        ["More trees and shade along the long riverside promenade", "Benches", "Lights"],
        text="What should change first?",
    )
    choice_question(
        survey, "q2", ["Walk", "Bike", "Bus"], kind=QuestionKind.MULTIPLE_CHOICE, text="How?"
    )
    choice_question(
        survey,
        "q4",
        [],
        kind=QuestionKind.SCALE,
        text="How happy are you with the parks?",
        settings={"scale_min": 0, "scale_max": 10},
    )
    choice_question(survey, "q5", ["Parks", "Roads", "Culture"], kind=QuestionKind.RANKING)
    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT, text="Anything else?")
    for slug in ("harbour", "old-town", "pine-hills"):
        District.objects.create(organisation=riga, slug=slug, name=slug.replace("-", " ").title())
    districts = ["harbour", "old-town", "pine-hills"]
    for n in range(24):
        respond(
            survey,
            {
                "q1": f"o{1 + n % 3}",
                "q2": ["o1", "o3"] if n % 2 else ["o2"],
                "q4": n % 11,
                "q5": ["o1", "o2", "o3"] if n % 3 else ["o3", "o1", "o2"],
                "q9": "A much longer written answer that goes on and on without a break "
                f"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa {n}",
            },
            district=districts[n % 3],
            age_band="26_40" if n % 2 else "41_64",
            target_groups=["parent"] if n % 4 == 0 else [],
        )
    return survey


def test_the_results_page_fits_a_phone_and_is_accessible(open_page, survey):
    page = open_page(viewport={"width": 320, "height": 640})
    visit(page, "/surveys/parks/results/?question=q1&by=district")
    no_horizontal_scroll(page, 320)
    assert page.get_by_role("heading", name="Answers by group").is_visible()
    # every chart has its table
    assert page.locator("table.survey-table").count() >= 4
    snap(page, "survey-results")
    visit(page, "/surveys/parks/results/?question=q2&by=target_group&text=q9&search=longer")
    no_horizontal_scroll(page, 320)
