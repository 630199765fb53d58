"""Answers checked against their questions. Pure: plain question specs and the answers dict
in (value formats as in the surveys contract), errors per question code, or the clean
answers with their counted rows and the respondent's groups out. No database.

A question is shown when it has no condition, or its condition matches the answer given to
the earlier question it names (which must itself be shown). Required applies to shown
questions only; an answer to a question that is not shown is an error.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The kinds (surveys.models.QuestionKind's values; named here so this module needs no models).
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
SHORT_TEXT = "short_text"
LONG_TEXT = "long_text"
SCALE = "scale"
RANKING = "ranking"
MATRIX = "matrix"
NUMBER = "number"
DATE = "date"
DISTRICT = "district"
AGE_BAND = "age_band"
TARGET_GROUP = "target_group"

SINGLE_KINDS = frozenset({SINGLE_CHOICE, DISTRICT, AGE_BAND})
MULTIPLE_KINDS = frozenset({MULTIPLE_CHOICE, TARGET_GROUP})
CHOICE_KINDS = SINGLE_KINDS | MULTIPLE_KINDS
TEXT_KINDS = frozenset({SHORT_TEXT, LONG_TEXT})
PROFILE_KINDS = frozenset({DISTRICT, AGE_BAND, TARGET_GROUP})

TEXT_LIMITS = {SHORT_TEXT: (200, 500), LONG_TEXT: (5000, 20000)}  # default, largest
OTHER_MAX_LENGTH = 200


@dataclass(frozen=True)
class QuestionSpec:
    """What validation needs of a question (``surveys.selectors.question_specs`` builds
    these from the database; tests write them by hand)."""

    code: str
    kind: str
    required: bool = False
    settings: Mapping[str, Any] = field(default_factory=dict)
    condition: Mapping[str, Any] | None = None
    options: tuple[str, ...] = ()
    section: int = 0  # position of its section, for pages that show one section at a time


@dataclass(frozen=True)
class CountedRow:
    """One row to count (``surveys.models.Answer``), by codes."""

    question: str
    option: str | None = None
    number: float | None = None
    text: str = ""
    date: date | None = None


@dataclass(frozen=True)
class Groups:
    district: str = ""
    age_band: str = ""
    target_groups: tuple[str, ...] = ()


@dataclass
class Checked:
    """The outcome: ``errors`` by question code (empty when valid), the clean answers of
    shown questions (unanswered ones left out) and which questions were shown."""

    errors: dict[str, list[str]]
    answers: dict[str, Any]
    shown: set[str]

    @property
    def valid(self) -> bool:
        return not self.errors


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def is_unanswered(kind: str, value: Any) -> bool:
    """Missing, null, blank text, or an empty list or object (an empty target-group list is
    an answer: none of them applies)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list):
        return not value and kind != TARGET_GROUP
    if isinstance(value, dict):
        return not value
    return False


def _whole(value: Any) -> int:
    """An integer (``4`` or ``4.0``), not a flag or a fraction."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    if isinstance(value, float) and not value.is_integer():
        raise TypeError
    return int(value)


def scale_bounds(settings: Mapping[str, Any]) -> tuple[int, int]:
    low = settings.get("scale_min", 1)
    high = settings.get("scale_max", 5)
    return (low if isinstance(low, int) else 1), (high if isinstance(high, int) else 5)


def _scale_value(value: Any, low: int, high: int) -> int:
    message = _("Choose a value from %(min)s to %(max)s.") % {"min": low, "max": high}
    try:
        number = _whole(value)
    except TypeError:
        raise _Invalid(message) from None
    if not low <= number <= high:
        raise _Invalid(message)
    return number


def _other_text(value: Any, allow_other: bool) -> dict[str, str]:
    if not allow_other:
        raise _Invalid(_("This question has no “other” answer."))
    if set(value) != {"other"} or not isinstance(value["other"], str):
        raise _Invalid(_("Write your “other” answer as text."))
    text = value["other"].strip()
    if not text:
        raise _Invalid(_("Write what you mean by “other”."))
    if len(text) > OTHER_MAX_LENGTH or "\x00" in text:
        raise _Invalid(
            _("Keep your “other” answer to %(max)s characters.") % {"max": OTHER_MAX_LENGTH}
        )
    return {"other": text}


def _single(spec: QuestionSpec, value: Any) -> Any:
    allow_other = spec.kind == SINGLE_CHOICE and bool(spec.settings.get("allow_other"))
    if isinstance(value, dict):
        return _other_text(value, allow_other)
    if not isinstance(value, str) or value not in spec.options:
        raise _Invalid(_("Choose one of the options."))
    return value


def _multiple(spec: QuestionSpec, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Invalid(_("Choose from the options."))
    allow_other = spec.kind == MULTIPLE_CHOICE and bool(spec.settings.get("allow_other"))
    chosen: list[Any] = []
    others = 0
    for item in value:
        if isinstance(item, dict):
            others += 1
            chosen.append(_other_text(item, allow_other))
        elif isinstance(item, str) and item in spec.options:
            if item in chosen:
                raise _Invalid(_("Choose each option once."))
            chosen.append(item)
        else:
            raise _Invalid(_("Choose from the options."))
    if others > 1:
        raise _Invalid(_("Give one “other” answer."))
    low, high = spec.settings.get("min_picks"), spec.settings.get("max_picks")
    if isinstance(low, int) and low > 0 and len(chosen) < low and spec.kind == MULTIPLE_CHOICE:
        raise _Invalid(
            ngettext("Choose at least %(n)s.", "Choose at least %(n)s.", low) % {"n": low}
        )
    if isinstance(high, int) and high > 0 and len(chosen) > high:
        raise _Invalid(
            ngettext("Choose at most %(n)s.", "Choose at most %(n)s.", high) % {"n": high}
        )
    return chosen


def _text(spec: QuestionSpec, value: Any) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise _Invalid(_("Write your answer as text."))
    default, largest = TEXT_LIMITS[spec.kind]
    limit = spec.settings.get("max_length", default)
    limit = min(limit, largest) if isinstance(limit, int) and limit > 0 else default
    text = value.strip()
    if len(text) > limit:
        raise _Invalid(
            _("Keep your answer to %(max)s characters (it has %(count)s).")
            % {"max": limit, "count": len(text)}
        )
    return text


def rank_count(spec: QuestionSpec) -> int:
    count = spec.settings.get("rank_count")
    if isinstance(count, int) and 0 < count <= len(spec.options):
        return count
    return len(spec.options)


def _ranking(spec: QuestionSpec, value: Any) -> list[str]:
    count = rank_count(spec)
    message = ngettext("Rank %(n)s option.", "Rank %(n)s options.", count) % {"n": count}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(message)
    if any(v not in spec.options for v in value):
        raise _Invalid(_("Rank only the options offered."))
    if len(set(value)) != len(value):
        raise _Invalid(_("Rank each option once."))
    if len(value) != count:
        raise _Invalid(message)
    return list(value)


def _matrix(spec: QuestionSpec, value: Any) -> dict[str, int]:
    low, high = scale_bounds(spec.settings)
    if not isinstance(value, dict):
        raise _Invalid(
            _("Give each row a value from %(min)s to %(max)s.") % {"min": low, "max": high}
        )
    unknown = [row for row in value if row not in spec.options]
    if unknown:
        raise _Invalid(_("There is no row %(row)s in this question.") % {"row": unknown[0]})
    rows: dict[str, int] = {}
    for row in spec.options:  # in the rows' order
        if row in value and value[row] is not None:
            try:
                rows[row] = _scale_value(value[row], low, high)
            except _Invalid:
                raise _Invalid(
                    _("Give each row a value from %(min)s to %(max)s.") % {"min": low, "max": high}
                ) from None
    if spec.required and len(rows) < len(spec.options):
        raise _Invalid(_("Answer every row."))
    return rows


def _bound(settings: Mapping[str, Any], name: str) -> float | None:
    value = settings.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _number(spec: QuestionSpec, value: Any) -> float | int:
    low, high = _bound(spec.settings, "min"), _bound(spec.settings, "max")
    integer = spec.settings.get("integer", True) is not False
    if low is not None and high is not None:
        range_message = _("Enter a number from %(min)s to %(max)s.") % {
            "min": _number_text(low),
            "max": _number_text(high),
        }
    elif low is not None:
        range_message = _("Enter a number of at least %(min)s.") % {"min": _number_text(low)}
    elif high is not None:
        range_message = _("Enter a number of at most %(max)s.") % {"max": _number_text(high)}
    else:
        range_message = _("Enter a number.")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid(range_message)
    if integer:
        if not float(value).is_integer():
            raise _Invalid(_("Enter a whole number."))
        value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _Invalid(range_message)
    return value


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _date(spec: QuestionSpec, value: Any) -> str:
    day = _iso_date(value)
    if day is None:
        raise _Invalid(_("Enter a date as YYYY-MM-DD, for example 2026-05-01."))
    low, high = _iso_date(spec.settings.get("min")), _iso_date(spec.settings.get("max"))
    if (low and day < low) or (high and day > high):
        if low and high:
            message = _("Enter a date from %(min)s to %(max)s.")
        elif low:
            message = _("Enter a date on or after %(min)s.")
        else:
            message = _("Enter a date on or before %(max)s.")
        raise _Invalid(message % {"min": low, "max": high})
    return day.isoformat()


def clean_value(spec: QuestionSpec, value: Any) -> Any:
    """The clean form of an answer to ``spec``; ``_Invalid`` with the message if wrong."""
    if spec.kind in SINGLE_KINDS:
        return _single(spec, value)
    if spec.kind in MULTIPLE_KINDS:
        return _multiple(spec, value)
    if spec.kind in TEXT_KINDS:
        return _text(spec, value)
    if spec.kind == SCALE:
        return _scale_value(value, *scale_bounds(spec.settings))
    if spec.kind == RANKING:
        return _ranking(spec, value)
    if spec.kind == MATRIX:
        return _matrix(spec, value)
    if spec.kind == NUMBER:
        return _number(spec, value)
    if spec.kind == DATE:
        return _date(spec, value)
    raise _Invalid(_("This question cannot be answered."))


def condition_matches(condition: Mapping[str, Any], answer: Any) -> bool:
    """Whether a clean ``answer`` of the named question meets ``condition``."""
    if answer is None:
        return False
    if "options" in condition:
        wanted = set(condition.get("options") or ())
        chosen = answer if isinstance(answer, list) else [answer]
        return any(isinstance(item, str) and item in wanted for item in chosen)
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return False
    low, high = _bound(condition, "min"), _bound(condition, "max")
    return (low is None or answer >= low) and (high is None or answer <= high)


def check(
    questions: Sequence[QuestionSpec], answers: Mapping[str, Any], *, partial: bool = False
) -> Checked:
    """Check ``answers`` against ``questions`` (in survey order).

    ``partial`` (a draft): each given answer must fit its question, but nothing is required
    and answers to questions not shown (yet) are kept.
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    shown: set[str] = set()
    if not isinstance(answers, Mapping):
        return Checked(
            {"answers": [_("Answers must be an object keyed by question code.")]}, {}, set()
        )
    known = {spec.code for spec in questions}
    for code in answers:
        if code not in known:
            errors[str(code)] = [
                _("There is no question %(code)s in this survey.") % {"code": code}
            ]
    undetermined: set[str] = set()  # depends on an answer that is itself wrong
    for spec in questions:
        value = answers.get(spec.code)
        condition = spec.condition
        if condition:
            source = condition.get("question")
            if source in errors or source in undetermined:
                undetermined.add(spec.code)
                is_shown = None
            else:
                is_shown = source in shown and condition_matches(condition, clean.get(source))
        else:
            is_shown = True
        if is_shown:
            shown.add(spec.code)
        if is_unanswered(spec.kind, value):
            if is_shown and spec.required and not partial:
                errors[spec.code] = [_("Answer this question.")]
            continue
        if is_shown is False and not partial:
            errors[spec.code] = [_("This question was not shown; leave it unanswered.")]
            continue
        try:
            clean[spec.code] = clean_value(spec, value)
        except _Invalid as invalid:
            errors[spec.code] = [invalid.message]
    # A draft keeps answers to questions not shown now: an earlier answer may change back.
    return Checked(errors, clean, shown)


def hidden_codes(questions: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> set[str]:
    """Codes of the questions not shown for ``answers`` (pages skip them)."""
    return {spec.code for spec in questions} - check(questions, answers, partial=True).shown


def counted_rows(questions: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> list[CountedRow]:
    """The rows to count for checked, clean ``answers`` (``check(...).answers``)."""
    rows: list[CountedRow] = []
    for spec in questions:
        value = answers.get(spec.code)
        if value is None:
            continue
        code = spec.code
        if spec.kind in CHOICE_KINDS:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    rows.append(CountedRow(code, text=item["other"]))
                else:
                    rows.append(CountedRow(code, option=item))
        elif spec.kind in (SCALE, NUMBER):
            rows.append(CountedRow(code, number=float(value)))
        elif spec.kind == RANKING:
            rows.extend(
                CountedRow(code, option=item, number=float(position))
                for position, item in enumerate(value, start=1)
            )
        elif spec.kind == MATRIX:
            rows.extend(CountedRow(code, option=row, number=float(v)) for row, v in value.items())
        elif spec.kind in TEXT_KINDS:
            rows.append(CountedRow(code, text=value))
        elif spec.kind == DATE:
            rows.append(CountedRow(code, date=date.fromisoformat(value)))
    return rows


def respondent_groups(questions: Sequence[QuestionSpec], answers: Mapping[str, Any]) -> Groups:
    """District, age band and target groups from the first question of each profile kind."""
    found: dict[str, Any] = {}
    for spec in questions:
        if spec.kind in PROFILE_KINDS and spec.kind not in found:
            found[spec.kind] = answers.get(spec.code)
    district = found.get(DISTRICT)
    age_band = found.get(AGE_BAND)
    targets = found.get(TARGET_GROUP) or []
    return Groups(
        district=district if isinstance(district, str) else "",
        age_band=age_band if isinstance(age_band, str) else "",
        target_groups=tuple(t for t in targets if isinstance(t, str)),
    )


def option_order(options: Iterable[str], *, seed: str, shuffle: bool) -> list[str]:
    """The options in the order one respondent sees them: as built, or shuffled the same
    way every time for the same ``seed`` (so a page shows one order while it is filled)."""
    ordered = list(options)
    if shuffle:
        random.Random(seed).shuffle(ordered)  # an order, not a secret
    return ordered
