"""Answer counts: kept by each response's transaction, equal to a recount from the answers
whatever happened (submits, changes, account deletions, moderation), safe under concurrent
submits on PostgreSQL, and rebuilt by ``manage.py survey_recount``."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.people.models import Role
from engagement.people.permissions import SYSTEM
from engagement.personal_data import account_delete
from surveys import demo
from surveys.definitions import create_survey
from surveys.models import Answer, AnswerCount, Response, Survey
from surveys.selectors import question_specs, survey_by_slug
from surveys.services import building, counts, moderation, responding
from surveys.services.results import recount, survey_results
from tests import factories


def _options(*codes: str) -> list[dict[str, str]]:
    return [{"code": c, "text": c.capitalize()} for c in codes]


def every_kind(slug: str = "every-kind") -> Survey:
    """An open survey, answers changeable, with a question of every kind and a condition."""
    organisation = factories.OrganisationFactory()
    for name in ("centre", "north"):
        factories.DistrictFactory(organisation=organisation, slug=name, name=name.title())
    questions = [
        {"code": "district", "kind": "district", "text": "Where?"},
        {"code": "age", "kind": "age_band", "text": "Age?"},
        {"code": "groups", "kind": "target_group", "text": "You are?"},
        {"code": "mode", "kind": "single_choice", "text": "How do you travel?",
         "settings": {"allow_other": True}, "options": _options("walk", "bus", "car")},
        {"code": "bus", "kind": "scale", "text": "The bus?", "settings": {"scale_min": 0,
         "scale_max": 10}, "condition": {"question": "mode", "options": ["bus"]}},
        {"code": "problems", "kind": "multiple_choice", "text": "Problems?",
         "settings": {"max_picks": 2, "allow_other": True},
         "options": _options("litter", "noise", "parking")},
        {"code": "themes", "kind": "ranking", "text": "Rank", "settings": {"rank_count": 2},
         "options": _options("green", "sport", "culture")},
        {"code": "services", "kind": "matrix", "text": "Rate", "settings": {"scale_min": 1,
         "scale_max": 5}, "options": _options("schools", "parks")},
        {"code": "years", "kind": "number", "text": "Years here", "settings": {"min": 0,
         "max": 90, "integer": False}},
        {"code": "moved", "kind": "date", "text": "Moved in", "settings": {"min": "2000-01-01"}},
        {"code": "idea", "kind": "long_text", "text": "Your idea"},
    ]  # fmt: skip
    survey = create_survey(
        organisation,
        {
            "title": "Every kind",
            "purpose": "needs_assessment",
            "responses_editable": True,
            "results_visibility": "live",
            "sections": [{"title": "All", "questions": questions}],
        },
        actor=SYSTEM,
        slug=slug,
    )
    building.survey_publish(actor=SYSTEM, survey=survey)
    return survey_by_slug(slug)


def _answers(survey: Survey, rng: random.Random) -> dict:
    return demo.plausible_answers(
        question_specs(survey),
        rng,
        profile={
            "district": rng.choice(["centre", "north"]),
            "age_band": rng.choice(["under_26", "26_40", "41_64", "65_plus"]),
            "target_groups": rng.sample(["young", "elderly", "parent"], rng.randint(0, 2)),
        },
        texts=["More trees", "Fewer cars", "A bench"],
        lean=rng.uniform(-0.5, 0.5),
        today=date(2026, 6, 30),
    )


def _stored(survey: Survey) -> dict[tuple[int, str], int]:
    return counts.counts_of(survey)


def _recounted(survey: Survey) -> dict[tuple[int, str], int]:
    return {k: n for k, n in counts._grouped_counts(survey.pk).items() if n}


# --- keys --------------------------------------------------------------------------------------


def test_free_text_has_no_key_and_a_response_answers_a_question_once():
    rows = [
        counts.CountedAnswer(1, "multiple_choice", 10, None, None),
        counts.CountedAnswer(1, "multiple_choice", 11, None, None),
        counts.CountedAnswer(1, "multiple_choice", None, None, None),
        counts.CountedAnswer(2, "long_text", None, None, None),
    ]
    assert counts.count_keys(rows) == {
        (1, "o:10"): 1,
        (1, "o:11"): 1,
        (1, "other"): 1,
        (1, "answered"): 1,
    }


def test_keys_of_values_positions_rows_and_months():
    rows = [
        counts.CountedAnswer(1, "scale", None, 4.0, None),
        counts.CountedAnswer(2, "number", None, 12.5, None),
        counts.CountedAnswer(3, "ranking", 7, 1.0, None),
        counts.CountedAnswer(3, "ranking", 8, 2.0, None),
        counts.CountedAnswer(4, "matrix", 9, 5.0, None),
        counts.CountedAnswer(5, "date", None, None, date(2026, 5, 17)),
    ]
    assert set(counts.count_keys(rows)) == {
        (1, "v:4"), (1, "answered"), (2, "v:12.5"), (2, "answered"),
        (3, "r:7:1"), (3, "r:8:2"), (3, "answered"), (4, "m:9:5"), (4, "answered"),
        (5, "d:2026-05"), (5, "answered"),
    }  # fmt: skip


# --- incremental == recount --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_kept_by_every_write_equal_a_recount(seed):
    survey = every_kind(f"every-kind-{seed}")
    moderator = factories.staff(survey.organisation, Role.MODERATOR)
    rng = random.Random(seed)
    people = [factories.UserFactory() for _ in range(6)]
    steps = Counter()
    for _step in range(40):
        step = rng.choice(["submit", "submit", "anonymous", "delete", "hide"])
        if step in ("submit", "anonymous"):
            actor = rng.choice(people) if step == "submit" else SYSTEM
            responding.submit(survey, _answers(survey, rng), actor=actor)
        elif step == "delete":
            answered = [p for p in people if Response.objects.filter(respondent=p).exists()]
            if not answered:
                continue
            person = rng.choice(answered)
            account_delete(user=person, password=factories.TEST_PASSWORD)
            people[people.index(person)] = factories.UserFactory()
        else:
            texts = list(
                Answer.objects.filter(survey=survey, option__isnull=True)
                .exclude(text="")
                .values_list("pk", "hidden")
            )
            if not texts:
                continue
            pk, hidden = rng.choice(texts)
            moderation.set_answer_hidden(survey, pk, hidden=not hidden, actor=moderator)
        steps[step] += 1
        assert _stored(survey) == _recounted(survey), f"after {steps}"
    assert min(steps[s] for s in ("submit", "anonymous", "delete", "hide")) > 0, steps
    before = survey_results(survey, include_hidden=True)
    recount(survey)
    assert survey_results(survey, include_hidden=True) == before
    assert before["responses"] == Response.objects.filter(survey=survey).count()


@pytest.mark.django_db
def test_a_change_subtracts_the_answers_it_replaces():
    survey = every_kind()
    person = factories.UserFactory()
    responding.submit(survey, {"district": "north", "mode": "bus", "bus": 3}, actor=person)
    responding.submit(survey, {"district": "north", "mode": "walk"}, actor=person)
    mode = survey.questions.get(code="mode")
    walk, bus = (mode.options.get(code=c).pk for c in ("walk", "bus"))
    stored = _stored(survey)
    assert stored[(mode.pk, f"o:{walk}")] == 1
    assert (mode.pk, f"o:{bus}") not in stored
    assert (survey.questions.get(code="bus").pk, "answered") not in stored
    # Counts that fell to 0 are kept as rows of 0 (results read them as no answer).
    assert AnswerCount.objects.get(question=mode, key=f"o:{bus}").n == 0
    assert stored == _recounted(survey)


@pytest.mark.django_db
def test_a_submit_adds_its_counts_in_one_statement():
    survey = every_kind()
    person = factories.UserFactory()
    answers = {"district": "north", "mode": "bus", "bus": 3, "themes": ["sport", "green"]}
    responding.submit(survey, answers, actor=factories.UserFactory())
    with CaptureQueriesContext(connection) as queries:
        responding.submit(survey, answers, actor=person)
    writes = [q["sql"] for q in queries.captured_queries if "surveys_answercount" in q["sql"]]
    assert len(writes) == 1
    assert "ON CONFLICT" in writes[0]
    assert _stored(survey)[(survey.questions.get(code="bus").pk, "v:3")] == 2


# --- the command -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_slug_and_rebuilds_nothing():
    survey = every_kind()
    responding.submit(survey, {"district": "north"}, actor=SYSTEM)
    AnswerCount.objects.update(n=99)
    with pytest.raises(CommandError, match=r"^no survey with slug 'nowhere'$"):
        call_command("survey_recount", survey.slug, "nowhere")
    assert set(AnswerCount.objects.values_list("n", flat=True)) == {99}


@pytest.mark.django_db
def test_the_command_rebuilds_the_counts_of_the_surveys_named(capsys):
    survey = every_kind()
    responding.submit(survey, {"district": "north", "years": 2.5}, actor=SYSTEM)
    right = _stored(survey)
    AnswerCount.objects.filter(survey=survey).delete()
    call_command("survey_recount", survey.slug)
    assert _stored(survey) == right
    assert capsys.readouterr().out == f"{survey.slug}: {len(right)} counts\n"


@pytest.mark.django_db
def test_the_command_exits_non_zero_with_one_line_for_an_unknown_slug(capsys):
    from surveys.management.commands.survey_recount import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "survey_recount", "nowhere"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == "CommandError: no survey with slug 'nowhere'\n"


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_count_every_response_without_deadlock():
    survey = every_kind()
    threads = 16
    barrier = threading.Barrier(threads, timeout=60)
    bodies = [_answers(survey, random.Random(n)) for n in range(threads * 3)]
    people = [factories.UserFactory() for _ in range(threads)]

    def run(n: int) -> list[object]:
        outcomes: list[object] = []
        try:
            barrier.wait()
            mine = survey_by_slug(survey.slug)
            for i in range(3):
                # Each person submits, then changes twice; anonymous paper ones in between.
                actor = people[n] if i != 1 else SYSTEM
                outcomes.append(responding.submit(mine, bodies[n * 3 + i], actor=actor))
        except Exception as error:  # recorded and asserted on below
            outcomes.append(error)
        finally:
            connection.close()
        return outcomes

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = [o for many in pool.map(run, range(threads)) for o in many]
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    responses = Response.objects.filter(survey=survey).count()
    assert responses == threads * 2
    district = survey.questions.get(code="district")
    assert _stored(survey)[(district.pk, "answered")] == responses
    assert _stored(survey) == _recounted(survey)
