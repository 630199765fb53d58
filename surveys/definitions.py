"""A survey as a plain "definition" dict, and a survey made from one.

The definition is what templates produce, what duplicating copies and what the staff API
reads and writes as a whole (the keys are in :data:`SURVEY_KEYS`, :data:`SECTION_KEYS`,
:data:`QUESTION_KEYS`, :data:`OPTION_KEYS`)::

    {"title": "…", "description": "…", "translations": {"pl": {"title": "…"}},
     "purpose": "consultation", "anonymous_allowed": False, "responses_editable": True,
     "results_visibility": "after_close", "min_age": None, "residence_required": False,
     "verified_email_required": False,
     "sections": [{"title": "…", "description": "…", "translations": {},
                   "questions": [{"code": "q1", "kind": "single_choice", "text": "…",
                                  "help_text": "", "translations": {}, "required": True,
                                  "shuffle_options": False, "prefill": True, "settings": {},
                                  "condition": None,
                                  "options": [{"code": "o1", "text": "…",
                                               "translations": {}}]}]}]}

:func:`normalise` checks everything at once and answers every problem keyed by its path
(``sections.0.questions.2.settings.max_picks``); questions and options without a code get
``q1``, ``q2``… and ``o1``, ``o2``…; the options of profile questions (district, age band,
target group) are generated from the organisation and Kopa, whatever the definition says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from engagement.content import sanitise
from engagement.content.languages import validate_translations
from engagement.people.models import District, Organisation, TargetGroup
from engagement.people.permissions import person_or_none
from engagement.statistics import AGE_BANDS
from surveys import permissions, questions
from surveys.models import (
    Option,
    Question,
    QuestionKind,
    ResultsVisibility,
    Section,
    Survey,
    SurveyPurpose,
    SurveyState,
)
from surveys.questions import FieldErrors, QuestionShape, add, prefixed

SURVEY_KEYS = (
    "title",
    "description",
    "translations",
    "purpose",
    "anonymous_allowed",
    "responses_editable",
    "results_visibility",
    "min_age",
    "residence_required",
    "verified_email_required",
    "sections",
)
SECTION_KEYS = ("title", "description", "translations", "questions")
QUESTION_KEYS = (
    "code",
    "kind",
    "text",
    "help_text",
    "translations",
    "required",
    "shuffle_options",
    "prefill",
    "settings",
    "condition",
    "options",
)
OPTION_KEYS = ("code", "text", "translations")

# Translatable fields of each level (the models' validators say the same).
SURVEY_TRANSLATED = ("title", "description")
SECTION_TRANSLATED = ("title", "description")
QUESTION_TRANSLATED = ("text", "help_text", "low_label", "high_label", "unit")
OPTION_TRANSLATED = ("text",)

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
QUESTION_TEXT_MAX = 1_000
HELP_TEXT_MAX = 2_000
OPTION_TEXT_MAX = 300
QUESTION_CODE_MAX = Question._meta.get_field("code").max_length
OPTION_CODE_MAX = Option._meta.get_field("code").max_length  # a district slug fits
SLUG_MAX = 120
MAX_SECTIONS = 50
MAX_QUESTIONS = 200

_SURVEY_BOOLS = {
    "anonymous_allowed": False,
    "responses_editable": True,
    "residence_required": False,
    "verified_email_required": False,
}


# --- reading a definition ----------------------------------------------------------------


def _unknown_keys(errors: FieldErrors, path: str, value: Mapping[str, Any], known: tuple) -> None:
    for key in sorted(set(value) - set(known), key=str):
        add(errors, f"{path}{key}", _("Unknown field."), "unknown_field")


def read_text(
    errors: FieldErrors,
    path: str,
    value: Any,
    *,
    longest: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        add(errors, path, _("Use text."), "invalid")
        return ""
    text = sanitise.plain_text(value, multiline=multiline)
    if required and not text:
        add(errors, path, _("This field is required."), "required")
    elif len(text) > longest:
        add(errors, path, _("At most %(maximum)s characters."), "max_length", maximum=longest)
    return text


def read_flag(errors: FieldErrors, path: str, value: Any, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        add(errors, path, _("Use true or false."), "invalid")
        return default
    return value


def read_choice(errors: FieldErrors, path: str, value: Any, choices: Any, default: str) -> str:
    if value is None:
        return default
    if value not in choices.values:
        add(
            errors,
            path,
            _("Choose one of: %(choices)s."),
            "invalid_choice",
            choices=", ".join(choices.values),
        )
        return default
    return value


def read_translations(errors: FieldErrors, path: str, value: Any, fields: tuple[str, ...]) -> dict:
    if value is None:
        return {}
    try:
        validate_translations(value, fields=fields)
    except ValidationError as exc:
        for message in exc.messages:
            add(errors, path, message, "invalid_translations")
        return {}
    cleaned = {}
    for code, entry in value.items():
        texts = {
            name: sanitise.plain_text(text, multiline=name in ("description", "help_text"))
            for name, text in entry.items()
        }
        texts = {name: text for name, text in texts.items() if text}
        if texts:
            cleaned[code] = texts
    return cleaned


def _mapping(errors: FieldErrors, path: str, value: Any) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        add(errors, path.rstrip(".") or "non_field_errors", _("Use an object."), "invalid")
        return None
    return value


def _list(errors: FieldErrors, path: str, value: Any, longest: int) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        add(errors, path, _("Use a list."), "invalid")
        return []
    if len(value) > longest:
        add(errors, path, _("At most %(maximum)s items."), "max_length", maximum=longest)
        return []
    return value


def generated_options(kind: str, organisation: Organisation) -> list[dict[str, Any]]:
    """The options of a profile question: the organisation's districts (code = slug), the
    age bands of ``engagement.statistics`` or the target groups, worded in the organisation's
    first language and translated into Kopa's other interface languages."""
    if kind == QuestionKind.DISTRICT:
        return [
            {"code": d.slug, "text": d.name, "translations": {}}
            for d in District.objects.filter(organisation=organisation).order_by("name", "slug")
        ]
    if kind == QuestionKind.AGE_BAND:
        labelled = [(key, label) for key, label, _low, _high in AGE_BANDS]
    elif kind == QuestionKind.TARGET_GROUP:
        labelled = list(TargetGroup.choices)
    else:
        return []
    default = (organisation.languages or [django_settings.LANGUAGE_CODE])[0]
    options = []
    for code, label in labelled:
        with translation.override(default):
            text = str(label)
        translations = {}
        for language, _name in django_settings.LANGUAGES:
            if language == default:
                continue
            with translation.override(language):
                worded = str(label)
            if worded != text:
                translations[language] = {"text": worded}
        options.append({"code": code, "text": text, "translations": translations})
    return options


def read_option(errors: FieldErrors, path: str, raw: Any) -> dict[str, Any]:
    value = _mapping(errors, path, raw)
    if value is None:
        return {"code": "", "text": "", "translations": {}}
    _unknown_keys(errors, path, value, OPTION_KEYS)
    code = value.get("code") or ""
    return {
        "code": code if isinstance(code, str) else "",
        "raw_code": value.get("code"),
        "text": read_text(
            errors, f"{path}text", value.get("text"), longest=OPTION_TEXT_MAX, required=True
        ),
        "translations": read_translations(
            errors, f"{path}translations", value.get("translations"), OPTION_TRANSLATED
        ),
    }


def read_question(
    errors: FieldErrors, path: str, raw: Any, organisation: Organisation
) -> dict[str, Any] | None:
    value = _mapping(errors, path, raw)
    if value is None:
        return None
    _unknown_keys(errors, path, value, QUESTION_KEYS)
    kind = value.get("kind")
    errors.update(prefixed(questions.check_kind(kind), path))
    question: dict[str, Any] = {
        "code": value.get("code") or "",
        "raw_code": value.get("code"),
        "kind": kind if kind in QuestionKind.values else "",
        "text": read_text(
            errors, f"{path}text", value.get("text"), longest=QUESTION_TEXT_MAX, required=True
        ),
        "help_text": read_text(
            errors,
            f"{path}help_text",
            value.get("help_text"),
            longest=HELP_TEXT_MAX,
            multiline=True,
        ),
        "translations": read_translations(
            errors, f"{path}translations", value.get("translations"), QUESTION_TRANSLATED
        ),
        "required": read_flag(errors, f"{path}required", value.get("required"), False),
        "shuffle_options": read_flag(
            errors, f"{path}shuffle_options", value.get("shuffle_options"), False
        ),
        "prefill": read_flag(errors, f"{path}prefill", value.get("prefill"), True),
        "settings": value.get("settings") if value.get("settings") is not None else {},
        "condition": value.get("condition") or None,
    }
    source = questions.option_source(question["kind"])
    raw_options = _list(errors, f"{path}options", value.get("options"), questions.MAX_OPTIONS)
    if source == "generated":
        # Whatever the definition lists (a copy of another survey's), the organisation's own.
        question["options"] = generated_options(question["kind"], organisation)
        if question["kind"] == QuestionKind.DISTRICT and not question["options"]:
            add(
                errors,
                f"{path}kind",
                _("This organisation has no districts yet: add them before asking for one."),
                "no_districts",
            )
    else:
        question["options"] = [
            read_option(errors, f"{path}options.{index}.", option)
            for index, option in enumerate(raw_options)
        ]
        if question["kind"]:
            errors.update(
                prefixed(questions.check_option_count(question["kind"], len(raw_options)), path)
            )
    if question["kind"]:
        errors.update(
            prefixed(
                questions.check_settings(
                    question["kind"], question["settings"], len(question["options"])
                ),
                path,
            )
        )
    return question


def assign_codes(
    errors: FieldErrors, items: list[tuple[str, dict[str, Any]]], prefix: str, longest: int
) -> None:
    """Given codes are checked; missing ones become ``<prefix>1``, ``<prefix>2``… (by
    position, skipping codes already taken)."""
    taken: set[str] = set()
    for path, item in items:
        if item.get("raw_code") in (None, ""):
            continue
        problems = questions.check_code(item["raw_code"], taken, longest)
        for problem in problems:
            errors.setdefault(f"{path}code", []).append(problem)
        taken.add(item["code"])
    for position, (_path, item) in enumerate(items, start=1):
        if item.get("raw_code") not in (None, ""):
            continue
        number = position
        while f"{prefix}{number}" in taken:
            number += 1
        item["code"] = f"{prefix}{number}"
        taken.add(item["code"])
    for _path, item in items:
        item.pop("raw_code", None)


def normalise(organisation: Organisation, definition: Any) -> dict[str, Any]:
    """The definition checked and completed (codes, generated options, clean texts), or a
    ``ValidationError`` with every problem keyed by its path."""
    errors: FieldErrors = {}
    value = _mapping(errors, "", definition)
    if value is None:
        raise ValidationError(errors)
    _unknown_keys(errors, "", value, SURVEY_KEYS)
    survey: dict[str, Any] = {
        "title": read_text(errors, "title", value.get("title"), longest=TITLE_MAX, required=True),
        "description": read_text(
            errors,
            "description",
            value.get("description"),
            longest=DESCRIPTION_MAX,
            multiline=True,
        ),
        "translations": read_translations(
            errors, "translations", value.get("translations"), SURVEY_TRANSLATED
        ),
        "purpose": read_choice(
            errors, "purpose", value.get("purpose"), SurveyPurpose, SurveyPurpose.CONSULTATION
        ),
        "results_visibility": read_choice(
            errors,
            "results_visibility",
            value.get("results_visibility"),
            ResultsVisibility,
            ResultsVisibility.AFTER_CLOSE,
        ),
        "min_age": value.get("min_age"),
    }
    for name, default in _SURVEY_BOOLS.items():
        survey[name] = read_flag(errors, name, value.get(name), default)
    min_age = survey["min_age"]
    if min_age is not None and (not questions.is_int(min_age) or not 0 <= min_age <= 120):
        add(errors, "min_age", _("Use a whole number from 0 to 120, or none."), "invalid")
        survey["min_age"] = None

    sections = []
    all_questions: list[tuple[str, dict[str, Any]]] = []
    for s_index, raw_section in enumerate(
        _list(errors, "sections", value.get("sections"), MAX_SECTIONS)
    ):
        path = f"sections.{s_index}."
        section_value = _mapping(errors, path, raw_section)
        if section_value is None:
            continue
        _unknown_keys(errors, path, section_value, SECTION_KEYS)
        section = {
            "title": read_text(
                errors, f"{path}title", section_value.get("title"), longest=TITLE_MAX
            ),
            "description": read_text(
                errors,
                f"{path}description",
                section_value.get("description"),
                longest=DESCRIPTION_MAX,
                multiline=True,
            ),
            "translations": read_translations(
                errors, f"{path}translations", section_value.get("translations"), SECTION_TRANSLATED
            ),
            "questions": [],
        }
        raw_questions = _list(
            errors, f"{path}questions", section_value.get("questions"), MAX_QUESTIONS
        )
        for q_index, raw_question in enumerate(raw_questions):
            q_path = f"{path}questions.{q_index}."
            question = read_question(errors, q_path, raw_question, organisation)
            if question is not None:
                section["questions"].append(question)
                all_questions.append((q_path, question))
        sections.append(section)
    if len(all_questions) > MAX_QUESTIONS:
        add(
            errors,
            "sections",
            _("A survey can have at most %(maximum)s questions."),
            "max_length",
            maximum=MAX_QUESTIONS,
        )
    assign_codes(errors, all_questions, "q", QUESTION_CODE_MAX)
    for q_path, question in all_questions:
        options = [(f"{q_path}options.{i}.", o) for i, o in enumerate(question["options"])]
        if questions.option_source(question["kind"]) == "staff":
            assign_codes(errors, options, "o", OPTION_CODE_MAX)
    paths = {question["code"]: q_path for q_path, question in all_questions}
    condition_errors = questions.check_conditions(
        [(shape_of(question), question["condition"]) for _path, question in all_questions]
    )
    for code, found in condition_errors.items():
        errors.update(prefixed(found, paths[code]))
    if errors:
        raise ValidationError(errors)
    survey["sections"] = sections
    return survey


def shape_of(question: Mapping[str, Any]) -> QuestionShape:
    return QuestionShape(
        code=question["code"],
        kind=question["kind"],
        option_codes=frozenset(o["code"] for o in question["options"]),
    )


# --- a survey from a definition ----------------------------------------------------------


def require_builder(actor: Any, organisation: Organisation | int) -> None:
    """Administrators of the organisation build surveys (and the system); nobody else. A
    missing actor (``None``) is refused."""
    if actor is None or not permissions.can_build(actor, organisation):
        raise PermissionDenied(_("Only administrators of this organisation can build surveys."))


def check_links(
    organisation: Organisation | int,
    *,
    budget_round_id: int | None = None,
    process_id: int | None = None,
) -> FieldErrors:
    """A survey links only to a budget round or a process of its own organisation. Found
    through the survey's foreign keys, so this feature imports neither budgeting nor ideas."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    errors: FieldErrors = {}
    for name, pk, message in (
        ("budget_round", budget_round_id, _("This organisation has no such budget round.")),
        ("process", process_id, _("This organisation has no such participatory process.")),
    ):
        if pk is None:
            continue
        model = Survey._meta.get_field(name).related_model
        if (
            not questions.is_int(pk)
            or not model.objects.filter(  # type: ignore[union-attr]
                pk=pk, organisation_id=org_id
            ).exists()
        ):
            add(errors, name, message, "does_not_exist")
    return errors


def free_slug(title: str) -> str:
    """A slug from the title not used by another survey (``-2``, ``-3``… added if needed)."""
    base = slugify(title)[:80].strip("-") or "survey"
    taken = set(Survey.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def check_slug(slug: Any) -> FieldErrors:
    errors: FieldErrors = {}
    if not isinstance(slug, str) or not slug or not questions.CODE_PATTERN.fullmatch(slug):
        add(errors, "slug", _("Use letters, digits, hyphens and underscores only."), "invalid")
    elif len(slug) > SLUG_MAX:
        add(errors, "slug", _("At most %(maximum)s characters."), "max_length", maximum=SLUG_MAX)
    elif Survey.objects.filter(slug=slug).exists():
        add(errors, "slug", _("Another survey already has this address."), "unique")
    return errors


def write_structure(survey: Survey, sections: list[dict[str, Any]]) -> None:
    """Store normalised sections, questions and options under ``survey`` (checked before)."""
    for s_position, section_data in enumerate(sections):
        section = Section.objects.create(
            survey=survey,
            position=s_position,
            title=section_data["title"],
            description=section_data["description"],
            translations=section_data["translations"],
        )
        for q_position, data in enumerate(section_data["questions"]):
            question = Question.objects.create(
                survey=survey,
                section=section,
                position=q_position,
                code=data["code"],
                kind=data["kind"],
                text=data["text"],
                help_text=data["help_text"],
                translations=data["translations"],
                required=data["required"],
                shuffle_options=data["shuffle_options"],
                prefill=data["prefill"],
                settings=data["settings"],
                condition=data["condition"],
            )
            Option.objects.bulk_create(
                Option(
                    question=question,
                    position=o_position,
                    code=option["code"],
                    text=option["text"],
                    translations=option["translations"],
                )
                for o_position, option in enumerate(data["options"])
            )


def create_survey(
    organisation: Organisation,
    definition: Any,
    *,
    actor: Any,
    slug: str | None = None,
    budget_round_id: int | None = None,
    process_id: int | None = None,
    template: str = "",
) -> Survey:
    """A new survey in draft from ``definition``: all of it, or nothing (every problem is
    named at once, keyed by its path). Administrators of the organisation, or ``SYSTEM``."""
    require_builder(actor, organisation)
    errors: FieldErrors = {}
    try:
        data = normalise(organisation, definition)
    except ValidationError as exc:
        errors.update(exc.error_dict)
        data = None
    if slug is not None:
        errors.update(check_slug(slug))
    errors.update(check_links(organisation, budget_round_id=budget_round_id, process_id=process_id))
    if errors or data is None:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = Survey(
            organisation=organisation,
            slug=slug or free_slug(data["title"]),
            template=template,
            budget_round_id=budget_round_id,
            process_id=process_id,
            state=SurveyState.DRAFT,
            created_by=person_or_none(actor),
            **{key: data[key] for key in SURVEY_KEYS if key != "sections"},
        )
        survey.full_clean(exclude=["organisation", "process", "budget_round"])
        survey.save()
        write_structure(survey, data["sections"])
    return survey


# --- a definition from a survey ----------------------------------------------------------


def definition_of(survey: Survey) -> dict[str, Any]:
    """The survey as a definition: what :func:`create_survey` makes the same survey from."""
    sections = list(survey.sections.order_by("position", "id"))
    by_section: dict[int, list[Question]] = {s.pk: [] for s in sections}
    for question in (
        Question.objects.filter(survey=survey)
        .prefetch_related("options")
        .order_by("section__position", "section_id", "position", "id")
    ):
        by_section.setdefault(question.section_id, []).append(question)
    return {
        "title": survey.title,
        "description": survey.description,
        "translations": survey.translations or {},
        "purpose": survey.purpose,
        "anonymous_allowed": survey.anonymous_allowed,
        "responses_editable": survey.responses_editable,
        "results_visibility": survey.results_visibility,
        "min_age": survey.min_age,
        "residence_required": survey.residence_required,
        "verified_email_required": survey.verified_email_required,
        "sections": [
            {
                "title": section.title,
                "description": section.description,
                "translations": section.translations or {},
                "questions": [question_definition(q) for q in by_section[section.pk]],
            }
            for section in sections
        ],
    }


def question_definition(question: Question) -> dict[str, Any]:
    options = sorted(question.options.all(), key=lambda o: (o.position, o.pk))
    return {
        "code": question.code,
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "translations": question.translations or {},
        "required": question.required,
        "shuffle_options": question.shuffle_options,
        "prefill": question.prefill,
        "settings": question.settings or {},
        "condition": question.condition or None,
        "options": [
            {"code": o.code, "text": o.text, "translations": o.translations or {}} for o in options
        ],
    }


# --- templates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    key: str
    label: Any
    builder: Callable[[Organisation], dict[str, Any]]


_TEMPLATES: dict[str, Template] = {}


def register_template(
    key: str, label: Any, builder: Callable[[Organisation], dict[str, Any]]
) -> None:
    """Offer a built-in survey to start from: ``builder(organisation)`` returns its
    definition (called when the app loads, from the registering feature's ``ready()``)."""
    _TEMPLATES[key] = Template(key, label, builder)


def template_choices() -> list[tuple[str, str]]:
    return [(t.key, str(t.label)) for t in _TEMPLATES.values()]


def template_definition(key: str, organisation: Organisation) -> dict[str, Any]:
    template = _TEMPLATES.get(key)
    if template is None:
        raise ValidationError(
            {"template": ValidationError(_("There is no such template."), code="does_not_exist")}
        )
    return template.builder(organisation)
