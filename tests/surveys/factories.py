"""Factories for surveys: a survey, its sections, questions and options."""

from __future__ import annotations

import factory

from surveys.models import Option, Question, QuestionKind, Section, Survey, SurveyState
from tests.factories import OrganisationFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"survey-{n}")
    title = factory.Sequence(lambda n: f"How is the neighbourhood? ({n})")
    state = SurveyState.OPEN


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n)
    title = "About you"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    position = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"q{n + 1}")
    kind = QuestionKind.SINGLE_CHOICE
    text = "What matters most to you?"


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"o{n + 1}")
    text = factory.Sequence(lambda n: f"Option {n + 1}")


def choice_question(survey: Survey, code: str, options: list[str], **fields: object) -> Question:
    """A question of ``survey`` (in its first section) with options coded o1, o2, …"""
    section = survey.sections.first() or SectionFactory(survey=survey, position=0)
    question = QuestionFactory(section=section, survey=survey, code=code, **fields)
    for position, text in enumerate(options):
        OptionFactory(question=question, position=position, code=f"o{position + 1}", text=text)
    return question


def two_section_survey(organisation=None, **fields: object) -> Survey:
    """An open survey of two sections, used by the answering tests.

    Section 1 "About you": q1 "Do you cycle?" (single, required: o1 Yes / o2 No),
    q2 district (prefill; options "centre", "north"), q3 age band (prefill),
    q4 target groups (prefill). Section 2 "Your views": q5 "How safe is cycling?" (scale
    1 to 5, required, shown only when q1 is o1), q6 "Anything else?" (short text).
    """
    from engagement.statistics import AGE_BANDS
    from tests.factories import DistrictFactory

    organisation = organisation or OrganisationFactory()
    survey = SurveyFactory(organisation=organisation, **fields)
    about = SectionFactory(survey=survey, position=0, title="About you")
    views = SectionFactory(survey=survey, position=1, title="Your views")
    for slug, name in (("centre", "Centre"), ("north", "North")):
        if not organisation.districts.filter(slug=slug).exists():
            DistrictFactory(organisation=organisation, slug=slug, name=name)

    def question(section, position, code, kind, text, options=(), **extra):
        made = QuestionFactory(
            section=section,
            survey=survey,
            position=position,
            code=code,
            kind=kind,
            text=text,
            **extra,
        )
        for index, (option_code, option_text) in enumerate(options):
            OptionFactory(question=made, position=index, code=option_code, text=option_text)
        return made

    question(
        about,
        0,
        "q1",
        "single_choice",
        "Do you cycle?",
        [("o1", "Yes"), ("o2", "No")],
        required=True,
    )
    question(
        about, 1, "q2", "district", "Where do you live?", [("centre", "Centre"), ("north", "North")]
    )
    question(
        about,
        2,
        "q3",
        "age_band",
        "How old are you?",
        [(key, str(label)) for key, label, _low, _high in AGE_BANDS],
    )
    question(
        about,
        3,
        "q4",
        "target_group",
        "Do any of these describe you?",
        [("young", "Young person"), ("parent", "Parent or carer")],
    )
    question(
        views,
        0,
        "q5",
        "scale",
        "How safe is cycling here?",
        required=True,
        settings={"scale_min": 1, "scale_max": 5, "low_label": "Unsafe", "high_label": "Safe"},
        condition={"question": "q1", "options": ["o1"]},
    )
    question(views, 1, "q6", "short_text", "Anything else?", settings={"max_length": 200})
    return survey
