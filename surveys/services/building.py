"""Staff build surveys: settings, sections, questions, options, conditions, and the state.

Administrators of the survey's organisation (or ``SYSTEM``) do all of it; every write checks
that first. Once the survey has a response (a draft or a submitted one) its structure is
locked — adding, removing or reordering sections, questions or options, changing a kind,
a code, a condition or a setting that changes which answers are valid is refused with the
reason (code ``structure_locked``) — so every answer keeps meaning what it meant. Texts,
help texts, labels and translations can always be corrected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from engagement import dashboards
from engagement.people.models import Organisation
from surveys import definitions, questions
from surveys.definitions import (
    OPTION_CODE_MAX,
    QUESTION_CODE_MAX,
    check_links,
    create_survey,
    definition_of,
    normalise,
    read_choice,
    read_flag,
    read_option,
    read_question,
    read_text,
    read_translations,
    require_builder,
    template_definition,
)
from surveys.models import (
    Option,
    Question,
    ResultsVisibility,
    Section,
    Survey,
    SurveyPurpose,
    SurveyState,
)
from surveys.permissions import current_state
from surveys.questions import FieldErrors, QuestionShape, add

# Survey settings staff may change at any time, in the order pages and the API show them.
SURVEY_SETTINGS = (
    "title",
    "description",
    "translations",
    "purpose",
    "budget_round_id",
    "process_id",
    "opens_at",
    "closes_at",
    "anonymous_allowed",
    "invitation_required",
    "min_age",
    "residence_required",
    "verified_email_required",
    "responses_editable",
    "results_visibility",
)
_SURVEY_FLAGS = (
    "anonymous_allowed",
    "invitation_required",
    "residence_required",
    "verified_email_required",
    "responses_editable",
)
# Question fields that change which answers are valid (locked once answers exist).
QUESTION_RULE_FIELDS = frozenset({"code", "kind", "required", "condition"})
QUESTION_FIELDS = frozenset(
    {
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
    }
)
UP, DOWN = "up", "down"


# --- locking ---------------------------------------------------------------------------------


def response_count(survey: Survey) -> int:
    """Responses of any status: a draft answers the questions too."""
    return survey.responses.count()


def is_locked(survey: Survey) -> bool:
    return survey.responses.exists()


def lock_message(count: int) -> str:
    return ngettext(
        "%(count)s response: the structure is locked; texts can still be corrected.",
        "%(count)s responses: the structure is locked; texts can still be corrected.",
        count,
    ) % {"count": count}


def _locked_error(survey: Survey, *fields: str) -> ValidationError:
    message = lock_message(response_count(survey))
    return ValidationError(
        {name: ValidationError(message, code="structure_locked") for name in fields or ("survey",)}
    )


def require_unlocked(survey: Survey, *fields: str) -> None:
    if is_locked(survey):
        raise _locked_error(survey, *fields)


def _lock(survey: Survey) -> Survey:
    """The survey row locked for this transaction: two staff edits (or an edit and the first
    response's lock check) do not interleave."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _raise(errors: FieldErrors) -> None:
    if errors:
        raise ValidationError(errors)


def _field_error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


# --- creating --------------------------------------------------------------------------------


def survey_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    slug: str | None = None,
    template: str = "",
    budget_round_id: int | None = None,
    process_id: int | None = None,
) -> Survey:
    """A new draft: blank (only its title), or a copy of the built-in ``template`` with the
    given title (empty: the template's)."""
    require_builder(actor, organisation)
    if template:
        definition = dict(template_definition(template, organisation))
        if title.strip() and title.strip() != definition["title"]:
            definition["title"] = title
            # The template's translated titles would show another title in other languages.
            definition["translations"] = {
                code: {name: text for name, text in fields.items() if name != "title"}
                for code, fields in (definition.get("translations") or {}).items()
            }
    else:
        definition = {"title": title, "sections": []}
    return create_survey(
        organisation,
        definition,
        actor=actor,
        slug=slug,
        budget_round_id=budget_round_id,
        process_id=process_id,
        template=template,
    )


def survey_duplicate(*, actor: Any, survey: Survey, slug: str | None = None) -> Survey:
    """A new draft with the same settings and structure, and no responses."""
    require_builder(actor, survey.organisation_id)
    definition = definition_of(survey)
    definition["title"] = (_("%(title)s (copy)") % {"title": survey.title})[: definitions.TITLE_MAX]
    copy = create_survey(
        survey.organisation,
        definition,
        actor=actor,
        slug=slug,
        budget_round_id=survey.budget_round_id,
        process_id=survey.process_id,
        template=survey.template,
    )
    Survey.objects.filter(pk=copy.pk).update(invitation_required=survey.invitation_required)
    copy.invitation_required = survey.invitation_required
    return copy


# --- settings --------------------------------------------------------------------------------


@transaction.atomic
def survey_update(*, actor: Any, survey: Survey, **changes: Any) -> Survey:
    """Change settings (:data:`SURVEY_SETTINGS`): texts, purpose, links to a round or a
    process of the same organisation, times, who may answer, and results."""
    require_builder(actor, survey.organisation_id)
    errors: FieldErrors = {}
    for name in sorted(set(changes) - set(SURVEY_SETTINGS)):
        add(errors, name, _("Unknown setting."), "unknown_field")
    _raise(errors)
    locked = _lock(survey)
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            values[name] = read_text(
                errors, name, value, longest=definitions.TITLE_MAX, required=True
            )
        elif name == "description":
            values[name] = read_text(
                errors, name, value, longest=definitions.DESCRIPTION_MAX, multiline=True
            )
        elif name == "translations":
            values[name] = read_translations(errors, name, value, definitions.SURVEY_TRANSLATED)
        elif name == "purpose":
            values[name] = read_choice(errors, name, value, SurveyPurpose, locked.purpose)
        elif name == "results_visibility":
            values[name] = read_choice(
                errors, name, value, ResultsVisibility, locked.results_visibility
            )
        elif name in _SURVEY_FLAGS:
            values[name] = read_flag(errors, name, value, getattr(locked, name))
        elif name == "min_age":
            if value is not None and (not questions.is_int(value) or not 0 <= value <= 120):
                add(errors, name, _("Use a whole number from 0 to 120, or none."), "invalid")
            values[name] = value
        elif name in ("opens_at", "closes_at"):
            if value is not None and not isinstance(value, datetime):
                add(errors, name, _("Give a date and time."), "invalid")
            values[name] = value
        else:  # the links
            values[name] = value
    links = {
        "budget_round_id": values.get("budget_round_id", locked.budget_round_id),
        "process_id": values.get("process_id", locked.process_id),
    }
    errors.update(check_links(locked.organisation_id, **links))
    opens_at = values.get("opens_at", locked.opens_at)
    closes_at = values.get("closes_at", locked.closes_at)
    if (
        isinstance(opens_at, datetime)
        and isinstance(closes_at, datetime)
        and closes_at <= opens_at
        and "closes_at" not in errors
    ):
        add(errors, "closes_at", _("The survey must close after it opens."), "dates_out_of_order")
    _raise(errors)
    for name, value in values.items():
        setattr(locked, name, value)
    if locked.state == SurveyState.SCHEDULED or (
        locked.state == SurveyState.OPEN and not is_locked(locked)
    ):
        # Published but not answered yet: the opening time decides whether it is open.
        locked.state = _published_state(locked)
    locked.full_clean(exclude=["organisation", "process", "budget_round"])
    locked.save()
    return locked


# --- states ----------------------------------------------------------------------------------


def _published_state(survey: Survey, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if survey.opens_at and survey.opens_at > now:
        return SurveyState.SCHEDULED
    return SurveyState.OPEN


def _state_error(message: str, code: str = "invalid_transition", **params: Any) -> ValidationError:
    return _field_error("state", message, code, **params)


def _set_state(survey: Survey, locked: Survey, state: str) -> Survey:
    locked.state = state
    locked.save(update_fields=["state", "updated_at"])
    survey.state, survey.updated_at = locked.state, locked.updated_at
    # The staff dashboards count the surveys open now.
    organisation_id = survey.organisation_id
    transaction.on_commit(lambda: dashboards.counts_changed(organisation_id))
    return survey


@transaction.atomic
def survey_publish(*, actor: Any, survey: Survey) -> Survey:
    """A draft goes public: scheduled if it opens later, else open at once."""
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    if locked.state != SurveyState.DRAFT:
        raise _state_error(
            _("Only a draft can be published; this survey is %(state)s."),
            state=locked.get_state_display(),
        )
    if not Question.objects.filter(survey=locked).exists():
        raise _state_error(_("Add at least one question first."), "no_questions")
    if locked.closes_at and locked.closes_at <= timezone.now():
        raise _field_error(
            "closes_at", _("The closing time has passed: move it first."), "closes_in_past"
        )
    return _set_state(survey, locked, _published_state(locked))


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey) -> Survey:
    """An open survey stops taking answers now."""
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    if current_state(locked) != SurveyState.OPEN:
        raise _state_error(
            _("Only an open survey can be closed; this survey is %(state)s."),
            state=SurveyState(current_state(locked)).label,
        )
    return _set_state(survey, locked, SurveyState.CLOSED)


@transaction.atomic
def survey_reopen(*, actor: Any, survey: Survey) -> Survey:
    """A closed survey takes answers again, unless its closing time has passed."""
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    if current_state(locked) != SurveyState.CLOSED:
        raise _state_error(
            _("Only a closed survey can be reopened; this survey is %(state)s."),
            state=SurveyState(current_state(locked)).label,
        )
    if locked.closes_at and locked.closes_at <= timezone.now():
        raise _field_error(
            "closes_at",
            _("The closing time has passed: move it later before reopening."),
            "closes_in_past",
        )
    return _set_state(survey, locked, SurveyState.OPEN)


@transaction.atomic
def survey_to_draft(*, actor: Any, survey: Survey) -> Survey:
    """Back to a draft only staff see — only while nobody has answered."""
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    if locked.state == SurveyState.DRAFT:
        raise _state_error(_("The survey is already a draft."))
    count = response_count(locked)
    if count:
        raise _state_error(
            ngettext(
                "%(count)s person has answered: the survey cannot become a draft again.",
                "%(count)s people have answered: the survey cannot become a draft again.",
                count,
            ),
            "has_responses",
            count=count,
        )
    return _set_state(survey, locked, SurveyState.DRAFT)


# --- the whole structure ---------------------------------------------------------------------


def _ordered_questions(survey: Survey) -> list[Question]:
    return list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "section_id", "position", "id")
    )


def _shape(question: Question) -> QuestionShape:
    return QuestionShape(
        code=question.code,
        kind=question.kind,
        option_codes=frozenset(o.code for o in question.options.all()),
    )


def _conditions_hold(survey: Survey, field: str) -> None:
    """After a change of order, kinds or options, every condition still names an earlier
    question and options it has; else the change is refused at ``field``."""
    ordered = _ordered_questions(survey)
    broken = questions.check_conditions([(_shape(q), q.condition) for q in ordered])
    if broken:
        raise _field_error(
            field,
            _("The conditions of %(codes)s would no longer hold: change them first."),
            "condition_broken",
            codes=", ".join(sorted(broken)),
        )


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def _swap(items: list[Any], item: Any, direction: str) -> bool:
    """Move ``item`` one place in ``items`` (renumbered 0..n-1); False at either end."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    return True


@transaction.atomic
def survey_definition_replace(*, actor: Any, survey: Survey, definition: Any) -> Survey:
    """Replace the whole survey by ``definition`` (settings and structure). Once answered,
    only the wording may differ: the same sections, questions, kinds, codes, rules and
    options, each difference refused at its path."""
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    data = normalise(locked.organisation, definition)
    if is_locked(locked):
        _correct_texts(locked, data)
    else:
        locked.sections.all().delete()
        definitions.write_structure(locked, data["sections"])
    for key in definitions.SURVEY_KEYS:
        if key != "sections":
            setattr(locked, key, data[key])
    locked.full_clean(exclude=["organisation", "process", "budget_round"])
    locked.save()
    return locked


def _correct_texts(survey: Survey, data: dict[str, Any]) -> None:
    sections = list(survey.sections.order_by("position", "id"))
    by_section = {s.pk: [] for s in sections}
    for question in _ordered_questions(survey):
        by_section[question.section_id].append(question)
    errors: FieldErrors = {}
    message = lock_message(response_count(survey))
    if len(sections) != len(data["sections"]):
        add(errors, "sections", message, "structure_locked")
        _raise(errors)
    changes: list[Any] = []
    for s_index, (section, new_section) in enumerate(zip(sections, data["sections"], strict=True)):
        path = f"sections.{s_index}."
        stored = by_section[section.pk]
        if [q.code for q in stored] != [q["code"] for q in new_section["questions"]]:
            add(errors, f"{path}questions", message, "structure_locked")
            continue
        for name in ("title", "description", "translations"):
            setattr(section, name, new_section[name])
        changes.append(section)
        for q_index, (question, new) in enumerate(
            zip(stored, new_section["questions"], strict=True)
        ):
            q_path = f"{path}questions.{q_index}."
            for name in ("kind", "required", "condition"):
                if (getattr(question, name) or None) != (new[name] or None):
                    add(errors, f"{q_path}{name}", message, "structure_locked")
            if questions.answer_rules_differ(question.kind, question.settings, new["settings"]):
                add(errors, f"{q_path}settings", message, "structure_locked")
            for name in ("text", "help_text", "translations", "shuffle_options", "prefill"):
                setattr(question, name, new[name])
            question.settings = new["settings"]
            changes.append(question)
            if questions.option_source(question.kind) != "staff":
                continue  # generated options are the organisation's, not the survey's
            options = sorted(question.options.all(), key=lambda o: (o.position, o.pk))
            if [o.code for o in options] != [o["code"] for o in new["options"]]:
                add(errors, f"{q_path}options", message, "structure_locked")
                continue
            for option, new_option in zip(options, new["options"], strict=True):
                option.text, option.translations = new_option["text"], new_option["translations"]
                changes.append(option)
    _raise(errors)
    for item in changes:
        item.full_clean(exclude=["survey", "section", "question"])
        item.save()


# --- sections --------------------------------------------------------------------------------


def _section_texts(
    errors: FieldErrors, title: Any, description: Any, translations: Any
) -> dict[str, Any]:
    return {
        "title": read_text(errors, "title", title, longest=definitions.TITLE_MAX),
        "description": read_text(
            errors, "description", description, longest=definitions.DESCRIPTION_MAX, multiline=True
        ),
        "translations": read_translations(
            errors, "translations", translations, definitions.SECTION_TRANSLATED
        ),
    }


@transaction.atomic
def section_add(
    *,
    actor: Any,
    survey: Survey,
    title: str = "",
    description: str = "",
    translations: dict[str, Any] | None = None,
) -> Section:
    """A new section at the end of the survey."""
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "sections")
    errors: FieldErrors = {}
    texts = _section_texts(errors, title, description, translations)
    _raise(errors)
    last = locked.sections.aggregate(last=Max("position"))["last"]
    return Section.objects.create(survey=locked, position=0 if last is None else last + 1, **texts)


@transaction.atomic
def section_update(
    *,
    actor: Any,
    section: Section,
    title: Any = None,
    description: Any = None,
    translations: Any = None,
) -> Section:
    """Correct a section's wording (at any time)."""
    require_builder(actor, section.survey.organisation_id)
    _lock(section.survey)
    errors: FieldErrors = {}
    texts = _section_texts(
        errors,
        section.title if title is None else title,
        section.description if description is None else description,
        section.translations if translations is None else translations,
    )
    _raise(errors)
    for name, value in texts.items():
        setattr(section, name, value)
    section.save()
    return section


@transaction.atomic
def section_delete(*, actor: Any, section: Section) -> None:
    """Remove a section and its questions, unless later questions depend on them."""
    survey = section.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "sections")
    removed = set(section.questions.values_list("code", flat=True))
    dependants = sorted(
        q.code
        for q in Question.objects.filter(survey=locked).exclude(section=section)
        if (q.condition or {}).get("question") in removed
    )
    if dependants:
        raise _field_error(
            "sections",
            _("%(codes)s depend on questions of this section: change their conditions first."),
            "condition_in_use",
            codes=", ".join(dependants),
        )
    section.delete()
    _renumber(list(locked.sections.order_by("position", "id")))


@transaction.atomic
def section_move(*, actor: Any, section: Section, direction: str) -> Section:
    """One place up or down; refused if a question would come before the one it depends on."""
    survey = section.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "position")
    if not _swap(list(locked.sections.order_by("position", "id")), section, direction):
        raise _field_error("position", _("The section cannot move further."), "cannot_move")
    _conditions_hold(locked, "position")
    section.refresh_from_db(fields=["position"])
    return section


# --- questions -------------------------------------------------------------------------------


def _earlier_and_later(
    survey: Survey, section: Section, position: int, exclude: int | None = None
) -> tuple[list[QuestionShape], list[str]]:
    """The questions before and after place ``position`` of ``section``."""
    earlier, later = [], []
    for question in _ordered_questions(survey):
        if question.pk == exclude:
            continue
        before = question.section.position < section.position or (
            question.section_id == section.pk and question.position < position
        )
        if before:
            earlier.append(_shape(question))
        else:
            later.append(question.code)
    return earlier, later


def _checked_question(
    survey: Survey,
    raw: dict[str, Any],
    *,
    section: Section,
    position: int,
    current: Question | None = None,
) -> dict[str, Any]:
    """A question's fields read and checked as a definition's are, its code unique in the
    survey (``q<n>`` when empty) and its condition naming an earlier question."""
    errors: FieldErrors = {}
    data = read_question(errors, "", raw, survey.organisation)
    if data is None:
        _raise(errors)
        raise AssertionError  # read_question returns None only with errors
    others = Question.objects.filter(survey=survey)
    if current is not None:
        others = others.exclude(pk=current.pk)
    taken = set(others.values_list("code", flat=True))
    if data["code"] in (None, ""):
        number = len(taken) + 1
        while f"q{number}" in taken:
            number += 1
        data["code"] = f"q{number}"
        data.pop("raw_code", None)
    else:
        for problem in questions.check_code(data["raw_code"], taken, QUESTION_CODE_MAX):
            errors.setdefault("code", []).append(problem)
        data.pop("raw_code", None)
    if questions.option_source(data["kind"]) == "staff":
        definitions.assign_codes(
            errors,
            [(f"options.{i}.", o) for i, o in enumerate(data["options"])],
            "o",
            OPTION_CODE_MAX,
        )
    earlier, later = _earlier_and_later(
        survey, section, position, exclude=current.pk if current else None
    )
    errors.update(
        questions.check_condition(
            data["condition"], own_code=data["code"], earlier=earlier, later_codes=later
        )
    )
    _raise(errors)
    return data


def _question_raw(question: Question) -> dict[str, Any]:
    raw = definitions.question_definition(question)
    if questions.option_source(question.kind) != "staff":
        raw["options"] = []
    return raw


@transaction.atomic
def question_add(
    *,
    actor: Any,
    section: Section,
    kind: str,
    text: str,
    code: str = "",
    help_text: str = "",
    translations: dict[str, Any] | None = None,
    required: bool = False,
    shuffle_options: bool = False,
    prefill: bool = True,
    settings: dict[str, Any] | None = None,
    condition: dict[str, Any] | None = None,
    options: list[Any] | None = None,
) -> Question:
    """A new question at the end of ``section``. ``options`` are texts or ``{"code",
    "text", "translations"}`` (choice, ranking and matrix questions need two or more);
    profile questions get their options from the organisation."""
    survey = section.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "questions")
    last = section.questions.aggregate(last=Max("position"))["last"]
    position = 0 if last is None else last + 1
    raw = {
        "code": code,
        "kind": kind,
        "text": text,
        "help_text": help_text,
        "translations": translations or {},
        "required": required,
        "shuffle_options": shuffle_options,
        "prefill": prefill,
        "settings": settings or {},
        "condition": condition,
        "options": [o if isinstance(o, dict) else {"text": o} for o in options or []],
    }
    data = _checked_question(locked, raw, section=section, position=position)
    return _store_question(locked, section, position, data)


def _store_question(
    survey: Survey, section: Section, position: int, data: dict[str, Any]
) -> Question:
    question = Question.objects.create(
        survey=survey,
        section=section,
        position=position,
        **{k: data[k] for k in definitions.QUESTION_KEYS if k != "options"},
    )
    _replace_options(question, data["options"])
    return question


def _replace_options(question: Question, options: list[dict[str, Any]]) -> None:
    question.options.all().delete()
    Option.objects.bulk_create(
        Option(
            question=question,
            position=position,
            code=option["code"],
            text=option["text"],
            translations=option["translations"],
        )
        for position, option in enumerate(options)
    )


@transaction.atomic
def question_update(*, actor: Any, question: Question, **changes: Any) -> Question:
    """Change a question. Wording (text, help text, translations, end labels, unit) and the
    display options (shuffling, prefilling) at any time; its code, kind, whether it is
    required, its condition, rule settings and options only while nobody has answered.
    ``options`` (a list, as for :func:`question_add`) replaces the options."""
    survey = question.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    errors: FieldErrors = {}
    for name in sorted(set(changes) - QUESTION_FIELDS):
        add(errors, name, _("Unknown field."), "unknown_field")
    _raise(errors)
    current = _question_raw(question)
    raw = {**current, **changes}
    if "options" in changes:
        raw["options"] = [
            o if isinstance(o, dict) else {"text": o} for o in changes["options"] or []
        ]
    elif raw["kind"] != question.kind and questions.option_source(raw["kind"]) != "staff":
        raw["options"] = []  # a new kind without written options drops the old ones
    if is_locked(locked):
        refused = [
            name
            for name in QUESTION_RULE_FIELDS
            if name in changes and (current[name] or None) != (raw[name] or None)
        ]
        if "settings" in changes and questions.answer_rules_differ(
            question.kind, current["settings"], raw["settings"] or {}
        ):
            refused.append("settings")
        if "options" in changes:
            refused.append("options")
        if refused:
            raise _locked_error(locked, *sorted(refused))
    section = question.section
    data = _checked_question(
        locked, raw, section=section, position=question.position, current=question
    )
    for name in definitions.QUESTION_KEYS:
        if name != "options":
            setattr(question, name, data[name])
    question.save()
    if "options" in changes or raw["kind"] != current["kind"]:
        _replace_options(question, data["options"])
        _conditions_hold(locked, "kind" if "kind" in changes else "options")
    elif "code" in changes and data["code"] != current["code"]:
        _repoint_conditions(locked, current["code"], data["code"])
    if "kind" in changes:
        _conditions_hold(locked, "kind")
    return question


def _repoint_conditions(survey: Survey, old: str, new: str) -> None:
    """A renamed question keeps the conditions that named it (only before answers exist)."""
    for other in Question.objects.filter(survey=survey, condition__isnull=False):
        if (other.condition or {}).get("question") == old:
            other.condition = {**other.condition, "question": new}
            other.save(update_fields=["condition"])


@transaction.atomic
def question_set_condition(*, actor: Any, question: Question, condition: Any) -> Question:
    """Show the question only when an earlier answer matches (``None``: always)."""
    return question_update(actor=actor, question=question, condition=condition)


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    """Remove a question, unless later questions depend on it."""
    survey = question.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "questions")
    dependants = sorted(
        q.code
        for q in Question.objects.filter(survey=locked).exclude(pk=question.pk)
        if (q.condition or {}).get("question") == question.code
    )
    if dependants:
        raise _field_error(
            "questions",
            _("%(codes)s depend on this question: change their conditions first."),
            "condition_in_use",
            codes=", ".join(dependants),
        )
    section = question.section
    question.delete()
    _renumber(list(section.questions.order_by("position", "id")))


@transaction.atomic
def question_move(*, actor: Any, question: Question, direction: str) -> Question:
    """One place up or down; past the first or last question of its section, into the end
    of the section before or the start of the one after. Refused if a condition would name a
    later question."""
    survey = question.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "position")
    section = question.section
    siblings = list(section.questions.order_by("position", "id"))
    if not _swap(siblings, question, direction):
        sections = list(locked.sections.order_by("position", "id"))
        index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
        target_index = index - 1 if direction == UP else index + 1
        if direction not in (UP, DOWN) or not 0 <= target_index < len(sections):
            raise _field_error("position", _("The question cannot move further."), "cannot_move")
        target = sections[target_index]
        moved = list(target.questions.order_by("position", "id"))
        question.section = target
        if direction == UP:
            moved.append(question)
        else:
            moved.insert(0, question)
        question.position = 0  # renumbered below
        question.save(update_fields=["section", "position"])
        _renumber(moved)
        _renumber(list(section.questions.order_by("position", "id")))
    _conditions_hold(locked, "position")
    question.refresh_from_db(fields=["section", "position"])
    return question


# --- options ---------------------------------------------------------------------------------


def _require_staff_options(question: Question) -> None:
    source = questions.option_source(question.kind)
    if source == "generated":
        raise _field_error(
            "options",
            _("The options of this question come from the organisation and Kopa."),
            "generated_options",
        )
    if source == "none":
        raise _field_error("options", _("This kind of question has no options."), "no_options")


@transaction.atomic
def option_add(
    *,
    actor: Any,
    question: Question,
    text: str,
    code: str = "",
    translations: dict[str, Any] | None = None,
) -> Option:
    """A new option at the end of a choice, ranking or matrix question."""
    survey = question.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "options")
    _require_staff_options(question)
    existing = list(question.options.order_by("position", "id"))
    errors: FieldErrors = {}
    if len(existing) >= questions.MAX_OPTIONS:
        add(
            errors,
            "options",
            _("A question can have at most %(maximum)s options."),
            "too_many_options",
            maximum=questions.MAX_OPTIONS,
        )
    data = read_option(errors, "", {"code": code, "text": text, "translations": translations})
    taken = {o.code for o in existing}
    if data["raw_code"] in (None, ""):
        number = len(existing) + 1
        while f"o{number}" in taken:
            number += 1
        data["code"] = f"o{number}"
    else:
        for problem in questions.check_code(data["raw_code"], taken, OPTION_CODE_MAX):
            errors.setdefault("code", []).append(problem)
    _raise(errors)
    return Option.objects.create(
        question=question,
        position=(existing[-1].position + 1) if existing else 0,
        code=data["code"],
        text=data["text"],
        translations=data["translations"],
    )


@transaction.atomic
def option_update(
    *, actor: Any, option: Option, text: Any = None, translations: Any = None
) -> Option:
    """Correct an option's wording (at any time)."""
    require_builder(actor, option.question.survey.organisation_id)
    _lock(option.question.survey)
    errors: FieldErrors = {}
    data = read_option(
        errors,
        "",
        {
            "text": option.text if text is None else text,
            "translations": option.translations if translations is None else translations,
        },
    )
    _raise(errors)
    option.text, option.translations = data["text"], data["translations"]
    option.save(update_fields=["text", "translations"])
    return option


@transaction.atomic
def option_delete(*, actor: Any, option: Option) -> None:
    """Remove an option, keeping at least two, the question's settings valid, and no
    condition naming it."""
    question = option.question
    survey = question.survey
    require_builder(actor, survey.organisation_id)
    locked = _lock(survey)
    require_unlocked(locked, "options")
    _require_staff_options(question)
    remaining = question.options.exclude(pk=option.pk).count()
    errors: FieldErrors = questions.check_option_count(question.kind, remaining)
    errors.update(questions.check_settings(question.kind, question.settings, remaining))
    dependants = sorted(
        q.code
        for q in Question.objects.filter(survey=locked)
        if (q.condition or {}).get("question") == question.code
        and option.code in ((q.condition or {}).get("options") or [])
    )
    if dependants:
        add(
            errors,
            "options",
            _("%(codes)s depend on this option: change their conditions first."),
            "condition_in_use",
            codes=", ".join(dependants),
        )
    _raise(errors)
    option.delete()
    _renumber(list(question.options.order_by("position", "id")))


@transaction.atomic
def option_move(*, actor: Any, option: Option, direction: str) -> Option:
    question = option.question
    require_builder(actor, question.survey.organisation_id)
    locked = _lock(question.survey)
    require_unlocked(locked, "position")
    if not _swap(list(question.options.order_by("position", "id")), option, direction):
        raise _field_error("position", _("The option cannot move further."), "cannot_move")
    option.refresh_from_db(fields=["position"])
    return option
