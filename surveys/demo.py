"""Demo surveys: the 2027 round's needs assessment, the 2026 round's evaluation, and an open
anonymous consultation about the city's parks with live results.

Runs after the budgeting and ideas demos (``seed_demo``), whose rounds it links to (found in
``context.extra["budget_rounds"]``). Surveys are built from the built-in templates through
the same services staff use, published, and answered through the same submit residents use:
signed-in demo residents answer the profile questions as their profile says (district of
residence, age band, target groups); paper questionnaires typed in by the city (the system)
make up the rest of the needs assessment; the park survey is answered anonymously with form
tokens. Deterministic (a seeded random generator) and idempotent: a survey is created once,
found by its slug, and answered only while it has no responses.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from engagement.people.models import Residence, ResidentProfile
from engagement.people.permissions import SYSTEM
from engagement.statistics import age_band
from surveys import answers as rules
from surveys.definitions import create_survey
from surveys.models import Response, ResultsVisibility, Survey, SurveyPurpose, SurveyState
from surveys.selectors import question_specs, survey_by_slug
from surveys.services import building, responding
from surveys.templates import EVALUATION, NEEDS_ASSESSMENT, template_definition

if TYPE_CHECKING:
    from engagement.people.demo import DemoContext

NEEDS_SLUG = "demo-city-2027-needs"
EVALUATION_SLUG = "demo-city-2026-evaluation"
PARKS_SLUG = "demo-city-parks"

# Paper questionnaires collected at the district info stands, on top of the residents online.
NEEDS_PAPER_RESPONSES = 40
PARKS_RESPONSES = 36

# What residents write, by what the survey asks about.
TEXTS = {
    SurveyPurpose.NEEDS_ASSESSMENT: [
        "The bus stop on Harbour Road has no shelter and no bench.",
        "Street lights in the park are broken for months.",
        "Too few places for teenagers to meet in the evening.",
        "Cars park on the pavement near the school.",
        "The river path floods every spring.",
        "Nowhere to sit in the shade on Market Square.",
        "The playground is old and not accessible for my son's wheelchair.",
        "More bins, please: the beach is full of litter in summer.",
    ],
    SurveyPurpose.EVALUATION: [
        "Voting online was easy, thank you.",
        "I did not understand why some projects were not on the ballot.",
        "Please explain the counting rule in simpler words.",
        "Good to see the projects being built. Keep us informed.",
        "The information evening was too late for parents.",
        "I would like paper ballots in the library too.",
    ],
    SurveyPurpose.CONSULTATION: [
        "Keep the old oaks.",
        "A water fountain near the playground.",
        "Quiet zones without music.",
        "Better lighting on the paths in winter.",
        "A fenced area for dogs away from the children.",
        "Toilets that are open all year.",
    ],
}

PARKS_DEFINITION: dict[str, Any] = {
    "title": "Our parks: what should change?",
    "description": "Tell the city how you use its parks and what would make them better. "
    "Answers are anonymous; you do not need an account.",
    "translations": {
        "lv": {"title": "Mūsu parki: kas jāmaina?"},
        "pl": {"title": "Nasze parki: co zmienić?"},
        "de": {"title": "Unsere Parks: Was soll sich ändern?"},
    },
    "purpose": SurveyPurpose.CONSULTATION,
    "anonymous_allowed": True,
    "responses_editable": False,
    "results_visibility": ResultsVisibility.LIVE,
    "min_age": None,
    "residence_required": False,
    "verified_email_required": False,
    "sections": [
        {
            "title": "How you use the parks",
            "description": "",
            "translations": {},
            "questions": [
                {
                    "code": "park",
                    "kind": "single_choice",
                    "text": "Which park do you visit most?",
                    "required": True,
                    "settings": {"allow_other": True},
                    "options": [
                        {"code": "central", "text": "Central Park"},
                        {"code": "riverside", "text": "Riverside meadows"},
                        {"code": "pine-hills", "text": "Pine Hills forest park"},
                    ],
                },
                {
                    "code": "visits",
                    "kind": "number",
                    "text": "How many times did you visit a park last month?",
                    "settings": {"min": 0, "max": 60, "integer": True, "unit": "visits"},
                },
                {
                    "code": "activities",
                    "kind": "multiple_choice",
                    "text": "What do you do there?",
                    "settings": {"max_picks": 3},
                    "options": [
                        {"code": "walk", "text": "Walk"},
                        {"code": "play", "text": "Play with children"},
                        {"code": "sport", "text": "Sport"},
                        {"code": "rest", "text": "Rest and read"},
                        {"code": "dog", "text": "Walk the dog"},
                    ],
                },
                {
                    "code": "last_visit",
                    "kind": "date",
                    "text": "When were you last in a park?",
                    "settings": {},
                },
            ],
        },
        {
            "title": "What should change",
            "description": "",
            "translations": {},
            "questions": [
                {
                    "code": "satisfied",
                    "kind": "scale",
                    "text": "How happy are you with the parks today?",
                    "required": True,
                    "settings": {
                        "scale_min": 1,
                        "scale_max": 5,
                        "low_label": "Not at all",
                        "high_label": "Very",
                    },
                },
                {
                    "code": "priorities",
                    "kind": "ranking",
                    "text": "Rank what the city should do first.",
                    "settings": {"rank_count": 3},
                    "options": [
                        {"code": "trees", "text": "Plant trees"},
                        {"code": "benches", "text": "More benches"},
                        {"code": "lights", "text": "Better lighting"},
                        {"code": "toilets", "text": "Public toilets"},
                    ],
                },
                {
                    "code": "rate",
                    "kind": "matrix",
                    "text": "How do you rate these in your park?",
                    "settings": {"scale_min": 1, "scale_max": 5},
                    "options": [
                        {"code": "clean", "text": "Cleanliness"},
                        {"code": "safe", "text": "Safety"},
                        {"code": "access", "text": "Access for everyone"},
                    ],
                },
                {
                    "code": "why_unhappy",
                    "kind": "short_text",
                    "text": "What bothers you most?",
                    "settings": {"max_length": 200},
                    "condition": {"question": "satisfied", "max": 2},
                },
                {
                    "code": "idea",
                    "kind": "long_text",
                    "text": "Anything else you would like in the parks?",
                    "settings": {},
                },
            ],
        },
    ],
}


# --- plausible answers -----------------------------------------------------------------------


def _weights(rng: random.Random, n: int) -> list[float]:
    """Uneven popularity of a question's options (a few favourites, a long tail)."""
    return [0.1 + rng.random() ** 2 for _ in range(n)]


def _scale(rng: random.Random, low: int, high: int, lean: float) -> int:
    """A value on low..high, centred a little above the middle, moved up by ``lean``."""
    middle = (low + high) / 2 + lean * (high - low) / 4
    value = round(rng.gauss(middle, (high - low) / 4))
    return max(low, min(high, value))


def _weighted_order(rng: random.Random, options: Sequence[str], weights: list[float]) -> list[str]:
    keyed = sorted(options, key=lambda o: -weights[options.index(o)] * rng.random())
    return keyed


def _answer(
    spec: rules.QuestionSpec,
    rng: random.Random,
    popularity: list[float],
    profile: Mapping[str, Any] | None,
    texts: Sequence[str],
    lean: float,
    today: date,
) -> Any:
    settings = spec.settings or {}
    options = list(spec.options)
    kind = spec.kind
    if kind in (rules.DISTRICT, rules.AGE_BAND) and profile is not None:
        key = "district" if kind == rules.DISTRICT else "age_band"
        if profile.get(key) in options:
            return profile[key]
        # Not in the profile: someone who must answer picks one, the others skip it.
        return rng.choice(options) if spec.required and options else None
    if kind == rules.TARGET_GROUP and profile is not None:
        return [g for g in profile.get("target_groups", []) if g in options]
    if kind == rules.TARGET_GROUP:
        return [o for o in options if rng.random() < 0.12]
    if kind in rules.SINGLE_KINDS and options:
        if settings.get("allow_other") and rng.random() < 0.05:
            return {"other": rng.choice(texts)[:100]}
        return rng.choices(options, weights=popularity)[0]
    if kind == rules.MULTIPLE_CHOICE and options:
        low = settings.get("min_picks") or 1
        high = min(settings.get("max_picks") or len(options), len(options))
        count = rng.randint(min(low, high), max(min(low, high), min(high, 3)))
        picked: list[Any] = []
        for option in _weighted_order(rng, options, popularity):
            if len(picked) < count:
                picked.append(option)
        if settings.get("allow_other") and rng.random() < 0.05 and len(picked) < high:
            picked.append({"other": rng.choice(texts)[:100]})
        return picked
    if kind in rules.TEXT_KINDS:
        limit = settings.get("max_length") or rules.TEXT_LIMITS[kind][0]
        return rng.choice(texts)[:limit]
    if kind == rules.SCALE:
        return _scale(rng, *rules.scale_bounds(settings), lean)
    if kind == rules.RANKING and options:
        return _weighted_order(rng, options, popularity)[: rules.rank_count(spec)]
    if kind == rules.MATRIX and options:
        low, high = rules.scale_bounds(settings)
        return {row: _scale(rng, low, high, lean) for row in options}
    if kind == rules.NUMBER:
        low = settings.get("min", 0)
        high = settings.get("max", low + 20)
        value = low + (high - low) * rng.random() ** 2  # most people: a little
        return round(value) if settings.get("integer", True) is not False else round(value, 1)
    if kind == rules.DATE:
        first = (
            date.fromisoformat(settings["min"]) if settings.get("min") else today - timedelta(365)
        )
        last = date.fromisoformat(settings["max"]) if settings.get("max") else today
        return (first + timedelta(days=rng.randint(0, max((last - first).days, 0)))).isoformat()
    return None


def plausible_answers(
    specs: Sequence[rules.QuestionSpec],
    rng: random.Random,
    *,
    profile: Mapping[str, Any] | None = None,
    texts: Sequence[str] = TEXTS[SurveyPurpose.CONSULTATION],
    lean: float = 0.0,
    today: date | None = None,
    popularity: Mapping[str, list[float]] | None = None,
) -> dict[str, Any]:
    """Answers a person might give to the questions ``specs`` (in survey order), valid for
    them: conditions followed, required questions answered, optional ones mostly (free text
    less often). ``profile`` (district, age_band, target_groups) answers the profile
    questions as the person's profile says. ``lean`` (-1..1) moves scale answers up or down.
    ``popularity``: per question code, how popular each option is (the same for everyone
    answering a survey, so results show favourites)."""
    today = today or date.today()
    popularity = popularity or {}
    answers: dict[str, Any] = {}
    for spec in specs:
        condition = spec.condition
        if condition and not rules.condition_matches(condition, answers.get(condition["question"])):
            continue
        chance = 0.35 if spec.kind in rules.TEXT_KINDS else 0.9
        # Profile questions come prefilled: whoever has a profile leaves them as they are.
        prefilled = profile is not None and spec.kind in rules.PROFILE_KINDS
        if not spec.required and not prefilled and rng.random() > chance:
            continue
        weights = popularity.get(spec.code) or [1.0] * len(spec.options)
        value = _answer(spec, rng, weights, profile, texts, lean, today)
        if value is not None and not rules.is_unanswered(spec.kind, value):
            answers[spec.code] = value
    return answers


def option_popularity(
    specs: Sequence[rules.QuestionSpec], rng: random.Random
) -> dict[str, list[float]]:
    return {spec.code: _weights(rng, len(spec.options)) for spec in specs}


def resident_profile(user: Any, organisation: Any, year: int) -> dict[str, Any]:
    """What a resident's profile says: district of residence, age band, target groups."""
    residence = (
        Residence.objects.filter(user=user, organisation=organisation)
        .select_related("district")
        .first()
    )
    profile = ResidentProfile.objects.filter(user=user).first()
    return {
        "district": residence.district.slug if residence and residence.district_id else None,
        "age_band": age_band(profile.birth_year if profile else None, year),
        "target_groups": list(profile.target_groups or []) if profile else [],
    }


def _paper_profile(rng: random.Random, context: DemoContext, year: int) -> dict[str, Any]:
    """Someone who filled in a paper questionnaire: a district of the city, an age band."""
    return {
        "district": rng.choice(context.districts).slug,
        "age_band": age_band(rng.randint(1938, 2010), year),
        "target_groups": rng.sample(["young", "elderly", "parent", "migrant"], k=rng.randint(0, 1)),
    }


# --- the demo surveys -------------------------------------------------------------------------


def _survey(
    context: DemoContext,
    slug: str,
    definition: dict[str, Any],
    *,
    budget_round: Any = None,
    template: str = "",
) -> Survey:
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        survey = create_survey(
            context.organisation,
            definition,
            actor=SYSTEM,
            slug=slug,
            budget_round_id=budget_round.pk if budget_round is not None else None,
            template=template,
        )
    if survey.state == SurveyState.DRAFT:
        building.survey_publish(actor=SYSTEM, survey=survey)
    # With its structure: every submit reads the questions, once.
    return survey_by_slug(slug)


def _answer_as(
    survey: Survey,
    specs: Sequence[rules.QuestionSpec],
    people: Sequence[Any],
    rng: random.Random,
    context: DemoContext,
    *,
    popularity: Mapping[str, list[float]],
    lean: float,
    year: int,
    today: date,
) -> None:
    """Each of ``people`` answers signed in, the profile questions as their profile says."""
    texts = TEXTS[SurveyPurpose(survey.purpose)]
    for person in people:
        profile = resident_profile(person, context.organisation, year)
        answers = plausible_answers(
            specs, rng, profile=profile, texts=texts, lean=lean, today=today, popularity=popularity
        )
        responding.submit(survey, answers, actor=person)


@transaction.atomic
def seed(context: DemoContext) -> None:
    rng = random.Random(2028)
    rounds = context.extra.get("budget_rounds", {})
    organisation = context.organisation
    today = timezone.localdate(timezone=ZoneInfo(organisation.time_zone))
    year = today.year

    # Before the 2027 round took ideas: what do residents need? Closed since.
    needs = _survey(
        context,
        NEEDS_SLUG,
        template_definition(NEEDS_ASSESSMENT, organisation),
        budget_round=rounds.get("voting"),
        template=NEEDS_ASSESSMENT,
    )
    if not Response.objects.filter(survey=needs).exists():
        specs = question_specs(needs)
        popularity = option_popularity(specs, rng)
        _answer_as(
            needs,
            specs,
            context.residents,
            rng,
            context,
            popularity=popularity,
            lean=0.0,
            year=year,
            today=today,
        )
        texts = TEXTS[SurveyPurpose.NEEDS_ASSESSMENT]
        for _n in range(NEEDS_PAPER_RESPONSES):
            answers = plausible_answers(
                specs,
                rng,
                profile=_paper_profile(rng, context, year),
                texts=texts,
                today=today,
                popularity=popularity,
            )
            responding.submit(needs, answers, actor=SYSTEM)
    if needs.state == SurveyState.OPEN:
        building.survey_close(actor=SYSTEM, survey=needs)

    # After the 2026 results: how did it go? Most voters answer, rather content.
    evaluation = _survey(
        context,
        EVALUATION_SLUG,
        template_definition(EVALUATION, organisation),
        budget_round=rounds.get("finished"),
        template=EVALUATION,
    )
    if not Response.objects.filter(survey=evaluation).exists():
        specs = question_specs(evaluation)
        voters = context.residents[: int(len(context.residents) * 0.75)]
        _answer_as(
            evaluation,
            specs,
            voters,
            rng,
            context,
            popularity=option_popularity(specs, rng),
            lean=0.6,
            year=year,
            today=today,
        )

    # A stand-alone consultation anyone may answer without an account, results live.
    parks = _survey(context, PARKS_SLUG, PARKS_DEFINITION)
    if not Response.objects.filter(survey=parks).exists():
        specs = question_specs(parks)
        popularity = option_popularity(specs, rng)
        for _n in range(PARKS_RESPONSES):
            answers = plausible_answers(
                specs,
                rng,
                texts=TEXTS[SurveyPurpose.CONSULTATION],
                today=today,
                popularity=popularity,
            )
            token = responding.issue_form_token(parks)
            responding.submit(parks, answers, actor=AnonymousUser(), form_token=token)
    context.extra["surveys"] = {"needs": needs, "evaluation": evaluation, "parks": parks}
