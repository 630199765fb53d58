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
