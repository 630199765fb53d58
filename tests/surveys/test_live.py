"""A survey's results update live (survey:<slug>:results): a snapshot for whoever joins,
an update once new answers are committed and none when they roll back; the public may watch
only while the survey publishes its results live, staff always."""

from __future__ import annotations

import pytest
from django.db import transaction

from surveys.live import results_snapshot
from surveys.models import Answer, QuestionKind, ResultsVisibility, SurveyState
from surveys.services import moderation
from surveys.services.live_updates import publish_results
from tests.realtime import (  # noqa: F401 (autouse fixtures, for this module's tests only)
    Live,
    cookie_of,
    fresh_broadcaster,
    fresh_counters,
    quick_interval,
    run,
)
from tests.surveys.counted import respond
from tests.surveys.factories import SurveyFactory, choice_question

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(riga):
    survey = SurveyFactory(
        organisation=riga, slug="parks", results_visibility=ResultsVisibility.LIVE
    )
    choice_question(survey, "q1", ["Trees", "Benches"])
    choice_question(survey, "q9", [], kind=QuestionKind.LONG_TEXT)
    return survey


def _submit(survey, answers, *, fail=False):
    """A response committed (and announced on commit, as the answering service does), or
    rolled back."""
    with transaction.atomic():
        respond(survey, answers)
        publish_results(survey.pk)
        if fail:
            raise RuntimeError("rolled back")


def _count(state, code="q1", option="o1"):
    question = next(q for q in state["questions"] if q["code"] == code)
    return next(o["count"] for o in question["options"] if o["code"] == option)


async def test_refused_first_staff_only_results_and_drafts(survey, resident, client):
    survey.results_visibility = ResultsVisibility.AFTER_CLOSE
    await run(survey.save)()
    live = await Live.open(await run(cookie_of)(client, resident))
    refused = await live.subscribe("survey:parks:results")
    assert refused["type"] == "error"
    assert refused["payload"]["code"] == 4003
    refused = await live.subscribe("survey:no-such-survey:results", id="s2")
    assert refused["payload"]["code"] == 4004
    await live.close()


async def test_a_draft_does_not_exist_for_the_public(survey):
    survey.state = SurveyState.DRAFT
    await run(survey.save)()
    live = await Live.open()
    refused = await live.subscribe("survey:parks:results")
    assert refused["payload"]["code"] == 4004
    await live.close()


async def test_staff_always_watch(survey, riga_moderator, client):
    survey.results_visibility = ResultsVisibility.STAFF
    await run(survey.save)()
    live = await Live.open(await run(cookie_of)(client, riga_moderator))
    subscribed = await live.subscribe("survey:parks:results")
    assert subscribed["type"] == "subscribed"
    snapshot = await live.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["payload"]["state"]["responses"] == 0
    await live.close()


async def test_snapshot_then_an_update_after_commit_and_none_after_rollback(survey):
    await run(_submit)(survey, {"q1": "o1"})
    live = await Live.open()
    subscribed = await live.subscribe("survey:parks:results")
    assert subscribed["type"] == "subscribed"
    snapshot = await live.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["payload"]["state"]["responses"] == 1
    assert _count(snapshot["payload"]["state"]) == 1

    await run(_submit)(survey, {"q1": "o1"})
    update = await live.receive(timeout=3)
    assert update["type"] == "results"
    assert update["payload"]["responses"] == 2
    assert _count(update["payload"]) == 2

    with pytest.raises(RuntimeError):
        await run(_submit)(survey, {"q1": "o2"}, fail=True)
    assert await live.nothing(0.5)
    await live.close()


async def test_hiding_an_answer_updates_the_public_count(survey, riga_moderator):
    await run(_submit)(survey, {"q9": "Rude words"})
    answer = await run(Answer.objects.get)(text="Rude words")
    live = await Live.open()
    await live.subscribe("survey:parks:results")
    assert (await live.receive())["type"] == "snapshot"
    await run(moderation.hide_answer)(survey, answer.pk, actor=riga_moderator)
    update = await live.receive(timeout=3)
    text = next(q for q in update["payload"]["questions"] if q["code"] == "q9")
    assert text["count"] == 0
    assert "hidden" not in text
    await live.close()


async def test_a_response_submitted_through_the_service_is_pushed(survey, resident):
    from surveys.services import responding

    live = await Live.open()
    await live.subscribe("survey:parks:results")
    assert (await live.receive())["payload"]["state"]["responses"] == 0
    await run(responding.submit)(survey, {"q1": "o2"}, actor=resident)
    update = await live.receive(timeout=3)
    assert update["payload"]["responses"] == 1
    assert _count(update["payload"], option="o2") == 1
    await live.close()


def test_the_frame_says_what_a_date_bar_is(survey):
    choice_question(survey, "q7", [], kind=QuestionKind.DATE)
    for value in ("1961-01-01", "2024-06-30"):
        respond(survey, {"q7": value})
    dates = next(q for q in results_snapshot("parks")["questions"] if q["code"] == "q7")
    assert dates["unit"] == "decade"
    assert [p["period"] for p in dates["periods"]] == ["1960", "2020"]
