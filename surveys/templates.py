"""The built-in surveys of the EmPaci cycle: a needs assessment before a budget round and an
evaluation after it, as definitions (``surveys.definitions``) staff start from and then edit.

Every text is a gettext string. :func:`template_definition` words the definition for one
organisation: the base texts in its first language Kopa has a catalog for (else English),
and a translation into each other interface language, so residents read the survey in the
language they use Kopa in. Question codes are stable (``satisfaction``, ``fairness``, …):
results across rounds are compared by them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engagement.people.models import District, Organisation
from surveys.models import QuestionKind, ResultsVisibility, SurveyPurpose

NEEDS_ASSESSMENT = "needs_assessment"
EVALUATION = "evaluation"

# Question codes other pages read results by (the round comparison: satisfaction, fairness).
THEMES = "themes"
SATISFACTION = "satisfaction"
CLARITY = "clarity"
FAIRNESS = "fairness"
TRUST = "trust"
AGAIN = "again"

Builder = Callable[[Organisation], dict[str, Any]]

# Translatable texts of each level of a definition (its ``translations`` may hold them).
_SURVEY_TEXTS = ("title", "description")
_SECTION_TEXTS = ("title", "description")
_QUESTION_TEXTS = ("text", "help_text")
_LABEL_SETTINGS = ("low_label", "high_label", "unit")
_OPTION_TEXTS = ("text",)


# --- how a question is written down here ---------------------------------------------------


def _question(
    code: str,
    kind: str,
    text: Any,
    *,
    help_text: Any = "",
    required: bool = False,
    options: list[tuple[str, Any]] | None = None,
    settings: Mapping[str, Any] | None = None,
    condition: dict[str, Any] | None = None,
    shuffle_options: bool = False,
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": str(kind),
        "text": text,
        "help_text": help_text,
        "required": required,
        "shuffle_options": shuffle_options,
        "prefill": True,
        "settings": dict(settings or {}),
        "condition": condition,
        "options": [{"code": c, "text": t} for c, t in options or []],
    }


def _scale(code: str, text: Any, low: Any, high: Any, **fields: Any) -> dict[str, Any]:
    return _question(
        code,
        QuestionKind.SCALE,
        text,
        settings={"scale_min": 1, "scale_max": 5, "low_label": low, "high_label": high},
        **fields,
    )


def _district_question(organisation: Organisation) -> list[dict[str, Any]]:
    """Where the resident lives (prefilled from the profile; options are the organisation's
    districts, filled in when the survey is created). None where it has no districts."""
    if not District.objects.filter(organisation=organisation).exists():
        return []
    return [
        _question(
            "district",
            QuestionKind.DISTRICT,
            gettext_lazy("Which district do you live in?"),
            help_text=gettext_lazy("So we know where the needs are."),
            required=True,
        )
    ]


def _profile_questions(organisation: Organisation, *, with_district: bool) -> list[dict]:
    """Who answered, for cross-tabulation: prefilled from the resident's profile; options are
    Kopa's age bands and target groups (filled in when the survey is created)."""
    asked = _district_question(organisation) if with_district else []
    asked += [
        _question("age_band", QuestionKind.AGE_BAND, gettext_lazy("How old are you?")),
        _question(
            "target_groups",
            QuestionKind.TARGET_GROUP,
            gettext_lazy("Do any of these describe you?"),
            help_text=gettext_lazy(
                "Optional. Only used in totals, to see whether the round reaches everyone."
            ),
        ),
    ]
    return asked


# --- the templates ---------------------------------------------------------------------------


def _needs_assessment(organisation: Organisation) -> dict[str, Any]:
    neighbourhood = [
        *_district_question(organisation),
        _question(
            "problems",
            QuestionKind.MULTIPLE_CHOICE,
            gettext_lazy("Which problems do you see in your neighbourhood?"),
            help_text=gettext_lazy("Pick up to three."),
            settings={"max_picks": 3, "allow_other": True},
            options=[
                ("green", gettext_lazy("Too little green space and too few trees")),
                ("traffic", gettext_lazy("Traffic and unsafe streets")),
                ("transport", gettext_lazy("Poor public transport")),
                ("lighting", gettext_lazy("Poorly lit streets and paths")),
                ("litter", gettext_lazy("Litter and neglected public spaces")),
                ("meeting", gettext_lazy("Nowhere to meet or spend free time")),
                ("barriers", gettext_lazy("Barriers for people with disabilities")),
                ("services", gettext_lazy("Social services are far away or missing")),
            ],
        ),
        _question(
            "problem_detail",
            QuestionKind.LONG_TEXT,
            gettext_lazy("Describe one problem where you live that you would like solved."),
            help_text=gettext_lazy("Where is it, and what would make it better?"),
            settings={"max_length": 2000},
        ),
    ]
    return {
        "title": gettext_lazy("What does your neighbourhood need?"),
        "description": gettext_lazy(
            "Before anyone proposes projects, tell the city which themes matter most to you"
            " and what is missing where you live. It takes about five minutes."
        ),
        "purpose": SurveyPurpose.NEEDS_ASSESSMENT.value,
        "anonymous_allowed": False,
        "responses_editable": True,
        "results_visibility": ResultsVisibility.AFTER_CLOSE.value,
        "min_age": None,
        "residence_required": False,
        "verified_email_required": False,
        "sections": [
            {
                "title": gettext_lazy("Priorities"),
                "description": "",
                "questions": [
                    _question(
                        THEMES,
                        QuestionKind.RANKING,
                        gettext_lazy("Which themes should the budget spend on first?"),
                        help_text=gettext_lazy("Put your three most important themes in order."),
                        required=True,
                        shuffle_options=True,
                        settings={"rank_count": 3},
                        options=[
                            ("green_spaces", gettext_lazy("Green spaces and parks")),
                            ("mobility", gettext_lazy("Mobility: walking, cycling, transport")),
                            ("culture", gettext_lazy("Culture")),
                            ("social_care", gettext_lazy("Social care")),
                            ("safety", gettext_lazy("Safety")),
                            ("education", gettext_lazy("Education")),
                            ("sport", gettext_lazy("Sport and leisure")),
                            ("climate", gettext_lazy("Climate and environment")),
                        ],
                    )
                ],
            },
            {
                "title": gettext_lazy("Your neighbourhood"),
                "description": "",
                "questions": neighbourhood,
            },
            {
                "title": gettext_lazy("Taking part"),
                "description": "",
                "questions": [
                    _question(
                        "participation",
                        QuestionKind.MULTIPLE_CHOICE,
                        gettext_lazy("How would you like to take part in the round?"),
                        settings={"allow_other": True},
                        options=[
                            ("propose", gettext_lazy("Propose a project")),
                            ("discuss", gettext_lazy("Discuss and support ideas online")),
                            ("meetings", gettext_lazy("Come to a meeting in my neighbourhood")),
                            ("vote", gettext_lazy("Vote")),
                            ("volunteer", gettext_lazy("Help carry out a project")),
                            ("informed", gettext_lazy("Just stay informed")),
                        ],
                    )
                ],
            },
            {
                "title": gettext_lazy("About you"),
                "description": gettext_lazy(
                    "These answers are optional and are only shown in totals of at least five"
                    " people."
                ),
                "questions": _profile_questions(organisation, with_district=False),
            },
        ],
    }


def _evaluation(organisation: Organisation) -> dict[str, Any]:
    return {
        "title": gettext_lazy("How did the participatory budget go?"),
        "description": gettext_lazy(
            "The round is over. Tell the city what worked and what did not, so the next one"
            " is better. It takes about three minutes."
        ),
        "purpose": SurveyPurpose.EVALUATION.value,
        # Honest answers about trust and fairness come easier without signing in.
        "anonymous_allowed": True,
        "responses_editable": True,
        "results_visibility": ResultsVisibility.AFTER_CLOSE.value,
        "min_age": None,
        "residence_required": False,
        "verified_email_required": False,
        "sections": [
            {
                "title": gettext_lazy("The round"),
                "description": "",
                "questions": [
                    _scale(
                        SATISFACTION,
                        gettext_lazy("Overall, how satisfied are you with the process?"),
                        gettext_lazy("Very dissatisfied"),
                        gettext_lazy("Very satisfied"),
                        required=True,
                    ),
                    _scale(
                        CLARITY,
                        gettext_lazy("How clear were the rules of the round?"),
                        gettext_lazy("Not clear at all"),
                        gettext_lazy("Very clear"),
                    ),
                    _scale(
                        FAIRNESS,
                        gettext_lazy("How fair do you find the outcome?"),
                        gettext_lazy("Very unfair"),
                        gettext_lazy("Very fair"),
                        help_text=gettext_lazy("The projects that were chosen, and how."),
                    ),
                    _scale(
                        TRUST,
                        gettext_lazy("How much do you trust the city administration?"),
                        gettext_lazy("Not at all"),
                        gettext_lazy("Completely"),
                        help_text=gettext_lazy("After taking part in this round."),
                    ),
                    _question(
                        AGAIN,
                        QuestionKind.SINGLE_CHOICE,
                        gettext_lazy("Would you take part again?"),
                        options=[
                            ("yes", gettext_lazy("Yes")),
                            ("maybe", gettext_lazy("Maybe")),
                            ("no", gettext_lazy("No")),
                        ],
                    ),
                ],
            },
            {
                "title": gettext_lazy("How you heard about it"),
                "description": "",
                "questions": [
                    _question(
                        "heard",
                        QuestionKind.MULTIPLE_CHOICE,
                        gettext_lazy("How did you hear about the round?"),
                        settings={"allow_other": True},
                        options=[
                            ("website", gettext_lazy("The city's website")),
                            ("social_media", gettext_lazy("Social media")),
                            ("press", gettext_lazy("Newspaper, radio or TV")),
                            ("posters", gettext_lazy("Posters or leaflets")),
                            ("people", gettext_lazy("Family, friends or neighbours")),
                            ("organisation", gettext_lazy("A school, club or organisation")),
                            ("event", gettext_lazy("A meeting or event")),
                            ("newsletter", gettext_lazy("E-mail or newsletter")),
                        ],
                    ),
                    _question(
                        "feedback",
                        QuestionKind.LONG_TEXT,
                        gettext_lazy("What should the city do better next time?"),
                        help_text=gettext_lazy(
                            "Please do not write your name or other personal details."
                        ),
                        settings={"max_length": 5000},
                    ),
                ],
            },
            {
                "title": gettext_lazy("About you"),
                "description": gettext_lazy(
                    "These answers are optional and are only shown in totals of at least five"
                    " people."
                ),
                "questions": _profile_questions(organisation, with_district=True),
            },
        ],
    }


@dataclass(frozen=True)
class Template:
    key: str
    label: Any
    description: Any
    spec: Builder  # the definition with lazy texts, worded by ``template_definition``


TEMPLATES: dict[str, Template] = {
    NEEDS_ASSESSMENT: Template(
        NEEDS_ASSESSMENT,
        gettext_lazy("Needs assessment"),
        gettext_lazy(
            "Before a budget round: which themes matter, problems in the neighbourhood, how"
            " people want to take part, and who they are."
        ),
        _needs_assessment,
    ),
    EVALUATION: Template(
        EVALUATION,
        gettext_lazy("Evaluation of a round"),
        gettext_lazy(
            "After the results: satisfaction, clarity of the rules, fairness of the outcome,"
            " trust, taking part again, how people heard of it, and open feedback."
        ),
        _evaluation,
    ),
}


# --- wording a template for an organisation ------------------------------------------------


def base_language(organisation: Organisation) -> str:
    """The organisation's first language Kopa has a catalog for; else Kopa's default."""
    interface = [code for code, _name in settings.LANGUAGES]
    for code in organisation.languages or []:
        if code in interface:
            return code
    return settings.LANGUAGE_CODE


def _in(language: str, text: Any) -> str:
    with translation.override(language):
        return str(text)


def _worded(
    item: Mapping[str, Any], fields: tuple[str, ...], base: str, others: list[str]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """``item``'s ``fields`` in ``base``, and their translations where they differ."""
    texts = {field: _in(base, item.get(field, "")) for field in fields}
    translations: dict[str, dict[str, str]] = {}
    for language in others:
        for field in fields:
            worded = _in(language, item.get(field, ""))
            if worded and worded != texts[field]:
                translations.setdefault(language, {})[field] = worded
    return texts, translations


def _word_question(question: Mapping[str, Any], base: str, others: list[str]) -> dict[str, Any]:
    texts, translations = _worded(question, _QUESTION_TEXTS, base, others)
    labels = {k: v for k, v in question["settings"].items() if k in _LABEL_SETTINGS}
    label_texts, label_translations = _worded(labels, tuple(labels), base, others)
    for language, fields in label_translations.items():
        translations.setdefault(language, {}).update(fields)
    options = []
    for option in question["options"]:
        option_texts, option_translations = _worded(option, _OPTION_TEXTS, base, others)
        options.append(
            {"code": option["code"], **option_texts, "translations": option_translations}
        )
    return {
        **question,
        **texts,
        "translations": translations,
        "settings": {**question["settings"], **label_texts},
        "options": options,
    }


def template_definition(key: str, organisation: Organisation) -> dict[str, Any]:
    """The template ``key`` as a definition for ``organisation`` (a new dict each time)."""
    template = TEMPLATES.get(key)
    if template is None:
        raise ValidationError(
            {"template": ValidationError(_("There is no such template."), code="does_not_exist")}
        )
    spec = template.spec(organisation)
    base = base_language(organisation)
    others = [code for code, _name in settings.LANGUAGES if code != base]
    texts, translations = _worded(spec, _SURVEY_TEXTS, base, others)
    sections = []
    for section in spec["sections"]:
        section_texts, section_translations = _worded(section, _SECTION_TEXTS, base, others)
        sections.append(
            {
                **section_texts,
                "translations": section_translations,
                "questions": [_word_question(q, base, others) for q in section["questions"]],
            }
        )
    return {**spec, **texts, "translations": translations, "sections": sections}


def register_templates(register_template: Callable[[str, Any, Builder], None]) -> None:
    """Offer every template through the survey builder's registry
    (``surveys.definitions.register_template``)."""
    for key, template in TEMPLATES.items():
        register_template(
            key,
            template.label,
            lambda organisation, key=key: template_definition(key, organisation),
        )
