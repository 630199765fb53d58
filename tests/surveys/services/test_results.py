"""A survey's results, counted in SQL: every kind of question, and cross-tabulations by
group that never expose a small group of people."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from engagement.people.models import District
from engagement.statistics import THRESHOLD
from surveys.models import Answer, QuestionKind, Response, ResponseStatus
from surveys.services.results import cross_tab, date_periods, survey_results, text_answers
from tests.surveys.counted import respond
from tests.surveys.factories import SurveyFactory, choice_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(riga):
    return SurveyFactory(organisation=riga, slug="parks")


def _question(results, code):
    return next(q for q in results["questions"] if q["code"] == code)


def _options(item):
    return {o["code"]: o for o in item["options"]}


# --- failure cases first ----------------------------------------------------------------------


def test_cross_tab_refuses_an_unknown_group_kind_or_question(survey):
    choice_question(survey, "q1", ["Yes", "No"])
    with pytest.raises(ValidationError) as error:
        cross_tab(survey, "q1", "income", include_hidden=False)
    assert "by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        cross_tab(survey, "q99", "district", include_hidden=False)
    assert "question" in error.value.message_dict


def test_cross_tab_refuses_questions_without_options(survey):
    choice_question(survey, "q1", [], kind=QuestionKind.LONG_TEXT)
    with pytest.raises(ValidationError) as error:
        cross_tab(survey, "q1", "district", include_hidden=False)
    assert "question" in error.value.message_dict


def test_drafts_are_not_counted(survey, resident):
    choice_question(survey, "q1", ["Yes", "No"])
    Response.objects.create(
        survey=survey,
        respondent=resident,
        status=ResponseStatus.DRAFT,
        answers={"q1": "o1"},
        updated_on="2026-05-01",
    )
    results = survey_results(survey, include_hidden=False)
    assert results["responses"] == 0
    assert _options(_question(results, "q1"))["o1"]["count"] == 0


# --- every kind --------------------------------------------------------------------------------


def test_single_choice_counts_and_shares_with_other(survey):
    choice_question(survey, "q1", ["Trees", "Benches", "Lights"], settings={"allow_other": True})
    for value in ["o1", "o1", "o2", {"other": "A fountain"}]:
        respond(survey, {"q1": value})
    item = _question(survey_results(survey, include_hidden=False), "q1")
    options = _options(item)
    assert options["o1"] == {"code": "o1", "text": "Trees", "count": 2, "share": 0.5}
    assert options["o2"]["count"] == 1
    assert options["o3"] == {"code": "o3", "text": "Lights", "count": 0, "share": 0.0}
    assert item["other"] == {"count": 1, "share": 0.25}
    assert item["respondents"] == 4


def test_multiple_choice_shares_are_of_respondents(survey):
    choice_question(survey, "q2", ["Walk", "Bike", "Bus"], kind=QuestionKind.MULTIPLE_CHOICE)
    respond(survey, {"q2": ["o1", "o2"]})
    respond(survey, {"q2": ["o1"]})
    respond(survey, {"q2": ["o1", "o2", "o3"]})
    respond(survey, {"q2": ["o3"]})
    options = _options(_question(survey_results(survey, include_hidden=False), "q2"))
    assert options["o1"]["count"] == 3
    assert options["o1"]["share"] == 0.75  # 3 of 4 respondents, not of 7 ticks
    assert options["o2"]["share"] == 0.5


def test_scale_distribution_mean_and_median(survey):
    choice_question(
        survey, "q4", [], kind=QuestionKind.SCALE, settings={"scale_min": 1, "scale_max": 5}
    )
    for value in [1, 2, 2, 5]:
        respond(survey, {"q4": value})
    item = _question(survey_results(survey, include_hidden=False), "q4")
    assert item["distribution"] == [
        {"value": 1, "count": 1},
        {"value": 2, "count": 2},
        {"value": 3, "count": 0},
        {"value": 4, "count": 0},
        {"value": 5, "count": 1},
    ]
    assert item["n"] == 4
    assert item["mean"] == 2.5
    assert item["median"] == 2.0


def test_a_scale_from_zero_to_ten_and_an_even_median(survey):
    choice_question(
        survey, "q4", [], kind=QuestionKind.SCALE, settings={"scale_min": 0, "scale_max": 10}
    )
    for value in [0, 3, 8, 10]:
        respond(survey, {"q4": value})
    item = _question(survey_results(survey, include_hidden=False), "q4")
    assert [d["value"] for d in item["distribution"]] == list(range(11))
    assert item["median"] == 5.5


def test_number_mean_and_median(survey):
    choice_question(survey, "q7", [], kind=QuestionKind.NUMBER)
    for value in [1, 2, 3, 10, 12.5]:
        respond(survey, {"q7": value})
    item = _question(survey_results(survey, include_hidden=False), "q7")
    assert item == item | {"n": 5, "mean": 5.7, "median": 3.0}


def test_an_even_number_of_numbers_has_the_middle_two_averaged(survey):
    # percentile_cont on PostgreSQL, counts per value elsewhere: the same answer
    choice_question(survey, "q7", [], kind=QuestionKind.NUMBER)
    for value in [10, 1, 3, 2]:
        respond(survey, {"q7": value})
    assert _question(survey_results(survey, include_hidden=False), "q7")["median"] == 2.5


def test_ranking_average_rank_and_borda(survey):
    choice_question(survey, "q5", ["Parks", "Roads", "Culture"], kind=QuestionKind.RANKING)
    respond(survey, {"q5": ["o1", "o2", "o3"]})
    respond(survey, {"q5": ["o1", "o3", "o2"]})
    respond(survey, {"q5": ["o2", "o1", "o3"]})
    options = _options(_question(survey_results(survey, include_hidden=False), "q5"))
    # three options: first 2 points, second 1, third 0
    assert options["o1"]["borda"] == 2 + 2 + 1
    assert options["o2"]["borda"] == 1 + 0 + 2
    assert options["o3"]["borda"] == 0 + 1 + 0
    assert options["o1"]["average_rank"] == round(4 / 3, 3)
    assert options["o3"]["average_rank"] == round(8 / 3, 3)
    assert options["o1"]["positions"][0] == {"position": 1, "count": 2}


def test_a_partial_ranking_gives_unranked_options_no_points(survey):
    choice_question(
        survey,
        "q5",
        ["Parks", "Roads", "Culture", "Safety"],
        kind=QuestionKind.RANKING,
        settings={"rank_count": 2},
    )
    respond(survey, {"q5": ["o4", "o1"]})
    respond(survey, {"q5": ["o1", "o2"]})
    options = _options(_question(survey_results(survey, include_hidden=False), "q5"))
    assert options["o1"]["borda"] == 2 + 3
    assert options["o4"]["borda"] == 3
    assert options["o3"] == options["o3"] | {"ranked": 0, "borda": 0, "average_rank": None}
    assert options["o1"]["average_rank"] == 1.5


def test_matrix_rows_by_scale_value_with_means(survey):
    choice_question(
        survey,
        "q6",
        ["Cleanliness", "Safety"],
        kind=QuestionKind.MATRIX,
        settings={"scale_min": 1, "scale_max": 5},
    )
    respond(survey, {"q6": {"o1": 4, "o2": 5}})
    respond(survey, {"q6": {"o1": 2, "o2": 5}})
    rows = {
        r["code"]: r for r in _question(survey_results(survey, include_hidden=False), "q6")["rows"]
    }
    assert rows["o1"]["mean"] == 3.0
    assert rows["o2"]["counts"][4] == {"value": 5, "count": 2}
    assert rows["o1"]["counts"][1] == {"value": 2, "count": 1}
    assert rows["o1"]["n"] == 2


def test_text_is_counted_and_hidden_ones_only_for_staff(survey):
    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT)
    for text in ["More trees", "Less noise", "Rude words"]:
        respond(survey, {"q9": text})
    Answer.objects.filter(text="Rude words").update(hidden=True)
    assert _question(survey_results(survey, include_hidden=False), "q9")["count"] == 2
    staff = _question(survey_results(survey, include_hidden=True), "q9")
    assert staff["count"] == 3
    assert staff["hidden"] == 1


def test_dates_by_month_while_they_span_two_years_at_most(survey):
    choice_question(survey, "q8", [], kind=QuestionKind.DATE)
    for value in ["2025-08-01", "2026-05-01", "2026-05-30", "2027-07-02"]:
        respond(survey, {"q8": value})
    item = _question(survey_results(survey, include_hidden=False), "q8")
    assert item["unit"] == "month"
    assert item["periods"] == [
        {"period": "2025-08", "count": 1},
        {"period": "2026-05", "count": 2},
        {"period": "2027-07", "count": 1},
    ]
    assert item["n"] == 4


def test_dates_over_more_than_two_years_by_year(survey):
    choice_question(survey, "q8", [], kind=QuestionKind.DATE)
    # August 2025 to August 2027: 25 months
    for value in ["2025-08-01", "2026-05-01", "2026-12-30", "2027-08-02"]:
        respond(survey, {"q8": value})
    item = _question(survey_results(survey, include_hidden=False), "q8")
    assert item["unit"] == "year"
    assert item["periods"] == [
        {"period": "2025", "count": 1},
        {"period": "2026", "count": 2},
        {"period": "2027", "count": 1},
    ]
    assert item["n"] == 4


def test_dates_over_more_than_thirty_years_by_decade(survey):
    choice_question(survey, "q8", [], kind=QuestionKind.DATE)
    for value in ["1950-01-01", "1959-12-31", "1984-06-01", "1989-01-01", "1990-01-01"]:
        respond(survey, {"q8": value})
    item = _question(survey_results(survey, include_hidden=False), "q8")
    assert item["unit"] == "decade"
    assert item["periods"] == [
        {"period": "1950", "count": 2},
        {"period": "1980", "count": 2},
        {"period": "1990", "count": 1},
    ]


def test_date_periods_at_their_limits():
    def months(*keys):
        return [{"month": key, "count": 1} for key in keys]

    assert date_periods([]) == ("month", [])
    assert date_periods(months("2024-01", "2025-12"))[0] == "month"  # 24 months
    assert date_periods(months("2024-01", "2026-01"))[0] == "year"  # 25
    assert date_periods(months("1990-01", "2019-12"))[0] == "year"  # 30 years
    assert date_periods(months("1990-12", "2020-01"))[0] == "decade"  # 31 years


def test_translated_texts(survey):
    question = choice_question(survey, "q1", ["Trees"], translations={"lv": {"text": "Kas?"}})
    option = question.options.get()
    option.translations = {"lv": {"text": "Koki"}}
    option.save()
    item = _question(survey_results(survey, include_hidden=False, language="lv"), "q1")
    assert item["text"] == "Kas?"
    assert item["options"][0]["text"] == "Koki"


def test_the_whole_survey_costs_a_few_queries_whatever_the_questions(
    survey, django_assert_max_num_queries
):
    for n in range(12):
        kind = [QuestionKind.SINGLE_CHOICE, QuestionKind.SCALE, QuestionKind.RANKING][n % 3]
        choice_question(survey, f"q{n}", ["A", "B", "C"], kind=kind)
    respond(survey, {"q0": "o1", "q1": 3, "q2": ["o1", "o2", "o3"]})
    with django_assert_max_num_queries(8):
        results = survey_results(survey, include_hidden=False)
    assert results["responses"] == 1
    assert len(results["questions"]) == 12


# --- cross-tabulation --------------------------------------------------------------------------


@pytest.fixture
def districts(riga):
    return [
        District.objects.create(organisation=riga, slug=slug, name=slug.title())
        for slug in ("harbour", "old-town", "pines")
    ]


def _cells(table):
    columns = [c["key"] for c in table["columns"]]
    return {
        (row["key"], column): cell["count"]
        for row in table["rows"]
        for column, cell in zip(columns, row["cells"], strict=True)
    }


def test_cross_tab_by_district_suppresses_small_groups_and_their_complements(survey, districts):
    choice_question(survey, "q3", ["Yes", "No"])
    plan = {
        ("o1", "harbour"): 12,
        ("o2", "harbour"): 9,
        ("o1", "old-town"): 3,
        ("o2", "old-town"): 8,
    }
    for (option, district), n in plan.items():
        for _ in range(n):
            respond(survey, {"q3": option}, district=district)
    table = cross_tab(survey, "q3", "district", include_hidden=False)
    cells = _cells(table)
    assert table["total"] == {"count": 32, "suppressed": False}
    assert cells[("o1", "old-town")] is None
    # the subtraction attack: old-town total (11) minus "no" (8), or "yes" total (15) minus
    # harbour (12) — neither is available
    columns = {c["key"]: c["total"]["count"] for c in table["columns"]}
    rows = {r["key"]: r["total"]["count"] for r in table["rows"]}
    assert cells[("o2", "old-town")] is None or columns["old-town"] is None
    assert cells[("o1", "harbour")] is None or rows["o1"] is None
    for value in cells.values():
        assert value is None or value >= THRESHOLD
    # empty districts and "unknown" are hidden, never shown as 0
    assert cells[("o1", "pines")] is None
    assert table["overlapping"] is False


def test_cross_tab_by_age_band(survey):
    choice_question(survey, "q3", ["Yes", "No"])
    for _ in range(6):
        respond(survey, {"q3": "o1"}, age_band="26_40")
    for _ in range(7):
        respond(survey, {"q3": "o2"}, age_band="26_40")
    table = cross_tab(survey, "q3", "age_band", include_hidden=False)
    assert _cells(table)[("o1", "26_40")] == 6
    assert [c["key"] for c in table["columns"]][-1] == "unknown"


def test_cross_tab_by_target_group_protects_people_outside_the_group(survey):
    choice_question(survey, "q3", ["Yes", "No"])
    # 12 say yes, 10 of them parents: "10 parents" beside "12" would give away 2.
    for n in range(12):
        respond(survey, {"q3": "o1"}, target_groups=["parent"] if n < 10 else [])
    for n in range(20):
        respond(survey, {"q3": "o2"}, target_groups=["parent", "young"] if n < 8 else ["young"])
    table = cross_tab(survey, "q3", "target_group", include_hidden=False)
    cells = _cells(table)
    rows = {r["key"]: r["total"]["count"] for r in table["rows"]}
    assert table["overlapping"] is True
    assert cells[("o1", "parent")] is None or rows["o1"] is None
    assert cells[("o2", "young")] == 20 or cells[("o2", "young")] is None
    assert table["total"]["count"] == 32


def test_cross_tab_of_a_multiple_choice_question(survey, districts):
    choice_question(survey, "q2", ["Walk", "Bike"], kind=QuestionKind.MULTIPLE_CHOICE)
    for _ in range(10):
        respond(survey, {"q2": ["o1", "o2"]}, district="harbour")
    for _ in range(2):
        respond(survey, {"q2": ["o1"]}, district="harbour")
    table = cross_tab(survey, "q2", "district", include_hidden=False)
    cells = _cells(table)
    columns = {c["key"]: c["total"]["count"] for c in table["columns"]}
    # 12 answered in harbour, 10 biked: 2 did not — "10" cannot stand beside "12"
    assert cells[("o2", "harbour")] is None or columns["harbour"] is None
    assert table["overlapping"] is True


def test_other_answers_are_a_row_of_their_own(survey, districts):
    choice_question(survey, "q1", ["Trees"], settings={"allow_other": True})
    for _ in range(6):
        respond(survey, {"q1": {"other": "A pond"}}, district="harbour")
    table = cross_tab(survey, "q1", "district", include_hidden=False)
    assert [r["key"] for r in table["rows"]] == ["o1", "other"]


# --- free text ---------------------------------------------------------------------------------


def test_text_answers_latest_written_first_searchable_hidden_for_staff_only(survey):
    import datetime

    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT)
    respond(survey, {"q9": "More trees please"}, day=datetime.date(2026, 5, 1))
    respond(survey, {"q9": "Fix the benches"}, day=datetime.date(2026, 5, 3))
    # Written last, though its response's day is earlier (a late upload): listed first.
    respond(survey, {"q9": "TREES by the river"}, day=datetime.date(2026, 5, 2))
    Answer.objects.filter(text="Fix the benches").update(hidden=True)
    public = text_answers(survey, "q9", include_hidden=False)
    assert [a["text"] for a in public["results"]] == ["TREES by the river", "More trees please"]
    assert public["count"] == 2
    assert "hidden" not in public["results"][0]
    staff = text_answers(survey, "q9", include_hidden=True)
    assert [(a["text"], a["hidden"]) for a in staff["results"]] == [
        ("TREES by the river", False),
        ("Fix the benches", True),
        ("More trees please", False),
    ]
    assert staff["count"] == 3
    found = text_answers(survey, "q9", search="trees", include_hidden=False)
    assert found["count"] == 2
    assert text_answers(survey, "q9", search="bench", include_hidden=False)["count"] == 0


def test_text_answers_are_paged(survey):
    choice_question(survey, "q9", [], kind=QuestionKind.SHORT_TEXT)
    for n in range(25):
        respond(survey, {"q9": f"answer {n}"})
    second = text_answers(survey, "q9", include_hidden=False, page=2)
    assert second["count"] == 25
    assert second["pages"] == 2
    assert len(second["results"]) == 5
    assert text_answers(survey, "q9", include_hidden=False, page=99)["page"] == 2


def test_text_answers_of_other_options(survey):
    choice_question(survey, "q1", ["Trees"], settings={"allow_other": True})
    respond(survey, {"q1": {"other": "A pond"}})
    respond(survey, {"q1": "o1"})
    assert [a["text"] for a in text_answers(survey, "q1", include_hidden=False)["results"]] == [
        "A pond"
    ]
