"""What a question may be: its kind's settings, its options and its condition.

Pure checks over plain values (no database): the survey builder, the definition importer
and the staff pages all ask these, so a rule is stated once. Each check returns field
errors keyed by a path relative to the question (``settings.max_picks``,
``condition.options``, ``options``), each a ``ValidationError`` with a stable code; the
callers prefix the question's own path (``sections.0.questions.2.``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from surveys.models import QuestionKind

FieldErrors = dict[str, list[ValidationError]]

# Kinds whose options staff write; kinds whose options Kopa generates; kinds without options.
STAFF_OPTION_KINDS = frozenset(
    {
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.RANKING,
        QuestionKind.MATRIX,
    }
)
PROFILE_KINDS = frozenset({QuestionKind.DISTRICT, QuestionKind.AGE_BAND, QuestionKind.TARGET_GROUP})
NO_OPTION_KINDS = frozenset(
    {
        QuestionKind.SHORT_TEXT,
        QuestionKind.LONG_TEXT,
        QuestionKind.SCALE,
        QuestionKind.NUMBER,
        QuestionKind.DATE,
    }
)
MIN_OPTIONS = 2
MAX_OPTIONS = 100

# Conditions: "any of these options was chosen", or "the value lies in this range".
OPTION_CONDITION_KINDS = frozenset(
    {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, *PROFILE_KINDS}
)
RANGE_CONDITION_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NUMBER})

SCALE_PAIRS = frozenset({(1, 5), (1, 7), (0, 10)})
DEFAULT_SCALE = (1, 5)
# Text answers: (default length, the longest a setting may allow).
TEXT_LIMITS = {QuestionKind.SHORT_TEXT: (200, 500), QuestionKind.LONG_TEXT: (5000, 20000)}
LABEL_MAX = 200
UNIT_MAX = 40
# Settings that only word the question (end labels, unit): correctable once answers exist.
LABEL_SETTINGS = frozenset({"low_label", "high_label", "unit"})

_SCALE_KEYS = frozenset({"scale_min", "scale_max", "low_label", "high_label"})
SETTING_KEYS: dict[str, frozenset[str]] = {
    QuestionKind.SINGLE_CHOICE: frozenset({"allow_other"}),
    QuestionKind.MULTIPLE_CHOICE: frozenset({"min_picks", "max_picks", "allow_other"}),
    QuestionKind.SHORT_TEXT: frozenset({"max_length"}),
    QuestionKind.LONG_TEXT: frozenset({"max_length"}),
    QuestionKind.SCALE: _SCALE_KEYS,
    QuestionKind.RANKING: frozenset({"rank_count"}),
    QuestionKind.MATRIX: _SCALE_KEYS,
    QuestionKind.NUMBER: frozenset({"min", "max", "integer", "unit"}),
    QuestionKind.DATE: frozenset({"min", "max"}),
    QuestionKind.DISTRICT: frozenset(),
    QuestionKind.AGE_BAND: frozenset(),
    QuestionKind.TARGET_GROUP: frozenset(),
}

CODE_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class QuestionShape:
    """What a condition needs to know of the question it depends on."""

    code: str
    kind: str
    option_codes: frozenset[str] = field(default_factory=frozenset)


def add(errors: FieldErrors, path: str, message: Any, error_code: str, **params: Any) -> None:
    """Collect one message at ``path`` with its stable code and parameters."""
    errors.setdefault(path, []).append(
        ValidationError(message, code=error_code, params=params or None)
    )


def prefixed(errors: FieldErrors, prefix: str) -> FieldErrors:
    return {f"{prefix}{path}": messages for path, messages in errors.items()}


def option_source(kind: str) -> str:
    """Who writes a kind's options: ``"staff"``, ``"generated"`` or ``"none"``."""
    if kind in STAFF_OPTION_KINDS:
        return "staff"
    if kind in PROFILE_KINDS:
        return "generated"
    return "none"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def parse_date(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def scale_range(settings: Mapping[str, Any]) -> tuple[int, int]:
    """The (lowest, highest) value of a scale or matrix question (default 1 to 5)."""
    return settings.get("scale_min", DEFAULT_SCALE[0]), settings.get("scale_max", DEFAULT_SCALE[1])


def text_max_length(kind: str, settings: Mapping[str, Any]) -> int:
    return settings.get("max_length", TEXT_LIMITS[kind][0])


def check_kind(kind: Any) -> FieldErrors:
    errors: FieldErrors = {}
    if kind not in QuestionKind.values:
        add(errors, "kind", _("Choose one of the question kinds."), "unknown_kind")
    return errors


# --- settings ------------------------------------------------------------------------------


def check_settings(kind: str, settings: Any, option_count: int) -> FieldErrors:
    """The kind's settings (``surveys`` contract), given how many options the question has."""
    errors: FieldErrors = {}
    if not isinstance(settings, Mapping):
        add(errors, "settings", _("Settings must be an object of named values."), "invalid")
        return errors
    allowed = SETTING_KEYS.get(kind, frozenset())
    for key in sorted(set(settings) - allowed):
        add(
            errors,
            f"settings.{key}",
            _("A %(kind)s question has no setting “%(key)s”."),
            "unknown_setting",
            kind=QuestionKind(kind).label if kind in QuestionKind.values else kind,
            key=key,
        )
    known = {key: value for key, value in settings.items() if key in allowed}
    for key in ("allow_other", "integer"):
        if key in known and not isinstance(known[key], bool):
            add(errors, f"settings.{key}", _("Use true or false."), "invalid")
    for key in ("low_label", "high_label", "unit"):
        if key in known:
            longest = UNIT_MAX if key == "unit" else LABEL_MAX
            if not isinstance(known[key], str):
                add(errors, f"settings.{key}", _("Use text."), "invalid")
            elif len(known[key]) > longest:
                add(
                    errors,
                    f"settings.{key}",
                    _("At most %(maximum)s characters."),
                    "max_length",
                    maximum=longest,
                )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        _check_picks(errors, known, option_count)
    elif kind in TEXT_LIMITS:
        _check_text(errors, kind, known)
    elif kind in (QuestionKind.SCALE, QuestionKind.MATRIX):
        _check_scale(errors, known)
    elif kind == QuestionKind.RANKING:
        _check_rank_count(errors, known, option_count)
    elif kind == QuestionKind.NUMBER:
        _check_number_bounds(errors, known)
    elif kind == QuestionKind.DATE:
        _check_date_bounds(errors, known)
    return errors


def _whole(errors: FieldErrors, settings: Mapping[str, Any], key: str, lowest: int) -> int | None:
    """The whole-number setting ``key`` (absent: None), at least ``lowest``."""
    if key not in settings:
        return None
    value = settings[key]
    if not is_int(value):
        add(errors, f"settings.{key}", _("Use a whole number."), "invalid")
        return None
    if value < lowest:
        add(
            errors,
            f"settings.{key}",
            _("Use %(minimum)s or more."),
            "min_value",
            minimum=lowest,
        )
        return None
    return value


def _check_picks(errors: FieldErrors, settings: Mapping[str, Any], option_count: int) -> None:
    low = _whole(errors, settings, "min_picks", 0)
    high = _whole(errors, settings, "max_picks", 1)
    # Ticking "other" is one more pick than the options offer.
    most = option_count + (1 if settings.get("allow_other") is True else 0)
    if high is not None and high > most:
        add(
            errors,
            "settings.max_picks",
            _("There are only %(count)s choices to pick from."),
            "too_many_picks",
            count=most,
        )
    elif low is not None and low > most:
        add(
            errors,
            "settings.min_picks",
            _("There are only %(count)s choices to pick from."),
            "too_many_picks",
            count=most,
        )
    if low is not None and high is not None and low > high:
        add(
            errors,
            "settings.min_picks",
            _("The fewest picks cannot be more than the most picks (%(maximum)s)."),
            "picks_order",
            maximum=high,
        )


def _check_text(errors: FieldErrors, kind: str, settings: Mapping[str, Any]) -> None:
    length = _whole(errors, settings, "max_length", 1)
    longest = TEXT_LIMITS[kind][1]
    if length is not None and length > longest:
        add(
            errors,
            "settings.max_length",
            _("Answers of this kind can be at most %(maximum)s characters long."),
            "max_length_limit",
            maximum=longest,
        )


def _check_scale(errors: FieldErrors, settings: Mapping[str, Any]) -> None:
    keys = ("scale_min", "scale_max")
    bad = [key for key in keys if key in settings and not is_int(settings[key])]
    for key in bad:
        add(errors, f"settings.{key}", _("Use a whole number."), "invalid")
    if bad:
        return
    if scale_range(settings) not in SCALE_PAIRS:
        add(
            errors,
            "settings.scale_max",
            _("A scale runs from 1 to 5, from 1 to 7 or from 0 to 10."),
            "scale_pair",
        )


def _check_rank_count(errors: FieldErrors, settings: Mapping[str, Any], option_count: int) -> None:
    count = _whole(errors, settings, "rank_count", 1)
    if count is not None and count > option_count:
        add(
            errors,
            "settings.rank_count",
            _("There are only %(count)s options to rank."),
            "rank_count",
            count=option_count,
        )


def _check_number_bounds(errors: FieldErrors, settings: Mapping[str, Any]) -> None:
    bounds = {}
    for key in ("min", "max"):
        if key in settings and settings[key] is not None:
            if is_number(settings[key]) and abs(settings[key]) < 1e15:
                bounds[key] = settings[key]
            else:
                add(errors, f"settings.{key}", _("Use a number."), "invalid")
    if len(bounds) == 2 and bounds["min"] >= bounds["max"]:
        add(
            errors,
            "settings.max",
            _("The highest number must be above the lowest (%(minimum)s)."),
            "bounds_order",
            minimum=bounds["min"],
        )


def _check_date_bounds(errors: FieldErrors, settings: Mapping[str, Any]) -> None:
    bounds = {}
    for key in ("min", "max"):
        if key in settings and settings[key] is not None:
            day = parse_date(settings[key])
            if day is None:
                add(
                    errors,
                    f"settings.{key}",
                    _("Use a date written as YYYY-MM-DD."),
                    "invalid",
                )
            else:
                bounds[key] = day
    if len(bounds) == 2 and bounds["min"] >= bounds["max"]:
        add(
            errors,
            "settings.max",
            _("The latest date must be after the earliest (%(minimum)s)."),
            "bounds_order",
            minimum=bounds["min"].isoformat(),
        )


# --- options -------------------------------------------------------------------------------


def check_option_count(kind: str, count: int) -> FieldErrors:
    """Choice, ranking and matrix questions need at least two options; text, scale, number
    and date questions have none (profile questions' options are generated)."""
    errors: FieldErrors = {}
    source = option_source(kind)
    if source == "staff" and count < MIN_OPTIONS:
        add(
            errors,
            "options",
            _("This kind of question needs at least %(minimum)s options."),
            "too_few_options",
            minimum=MIN_OPTIONS,
        )
    elif source == "staff" and count > MAX_OPTIONS:
        add(
            errors,
            "options",
            _("A question can have at most %(maximum)s options."),
            "too_many_options",
            maximum=MAX_OPTIONS,
        )
    elif source == "none" and count:
        add(errors, "options", _("This kind of question has no options."), "no_options")
    return errors


def check_code(code: Any, taken: Iterable[str], longest: int) -> list[ValidationError]:
    """A code: letters, digits, hyphens and underscores, unique among ``taken``."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        return [
            ValidationError(
                _("Use letters, digits, hyphens and underscores only."), code="invalid_code"
            )
        ]
    if len(code) > longest:
        return [
            ValidationError(
                _("At most %(maximum)s characters."),
                code="max_length",
                params={"maximum": longest},
            )
        ]
    if code in set(taken):
        return [ValidationError(_("This code is used twice."), code="duplicate_code")]
    return []


# --- conditions ----------------------------------------------------------------------------


def check_condition(
    condition: Any,
    *,
    own_code: str,
    earlier: Sequence[QuestionShape],
    later_codes: Iterable[str] = (),
) -> FieldErrors:
    """A condition names an EARLIER question (so conditions cannot loop) and, for a choice
    or profile question, options it has; for a scale or number question, a range."""
    errors: FieldErrors = {}
    if condition is None or condition == {}:
        return errors
    if not isinstance(condition, Mapping):
        add(errors, "condition", _("A condition must be an object, or empty."), "invalid")
        return errors
    target_code = condition.get("question")
    if not isinstance(target_code, str) or not target_code:
        add(errors, "condition.question", _("Name the question this depends on."), "required")
        return errors
    by_code = {shape.code: shape for shape in earlier}
    target = by_code.get(target_code)
    if target is None:
        if target_code == own_code:
            add(
                errors,
                "condition.question",
                _("A question cannot depend on itself."),
                "condition_self",
            )
        elif target_code in set(later_codes):
            add(
                errors,
                "condition.question",
                _("A question can only depend on an earlier question (%(code)s comes later)."),
                "condition_later",
                code=target_code,
            )
        else:
            add(
                errors,
                "condition.question",
                _("There is no question %(code)s."),
                "condition_unknown_question",
                code=target_code,
            )
        return errors
    if target.kind in OPTION_CONDITION_KINDS:
        _check_option_condition(errors, condition, target)
    elif target.kind in RANGE_CONDITION_KINDS:
        _check_range_condition(errors, condition)
    else:
        add(
            errors,
            "condition.question",
            _(
                "A question can only depend on a choice, profile, scale or number question;"
                " %(code)s is not one."
            ),
            "condition_kind",
            code=target_code,
        )
    return errors


def _check_option_condition(
    errors: FieldErrors, condition: Mapping[str, Any], target: QuestionShape
) -> None:
    for key in sorted(set(condition) - {"question", "options"}):
        add(
            errors,
            f"condition.{key}",
            _("A condition on a choice names options only."),
            "condition_mismatch",
        )
    options = condition.get("options")
    if not isinstance(options, list) or not options:
        add(
            errors,
            "condition.options",
            _("Choose at least one option of %(code)s."),
            "condition_options_required",
            code=target.code,
        )
        return
    unknown = [o for o in options if not isinstance(o, str) or o not in target.option_codes]
    if unknown:
        add(
            errors,
            "condition.options",
            _("%(code)s has no option %(options)s."),
            "condition_unknown_option",
            code=target.code,
            options=", ".join(str(o) for o in unknown),
        )
    elif len(set(options)) != len(options):
        add(errors, "condition.options", _("An option is named twice."), "duplicate_code")


def _check_range_condition(errors: FieldErrors, condition: Mapping[str, Any]) -> None:
    for key in sorted(set(condition) - {"question", "min", "max"}):
        add(
            errors,
            f"condition.{key}",
            _("A condition on a scale or number gives a lowest and/or highest value only."),
            "condition_mismatch",
        )
    bounds = {}
    for key in ("min", "max"):
        value = condition.get(key)
        if value is None:
            continue
        if is_number(value):
            bounds[key] = value
        else:
            add(errors, f"condition.{key}", _("Use a number."), "invalid")
    if not bounds and not any(k in errors for k in ("condition.min", "condition.max")):
        add(
            errors,
            "condition.min",
            _("Give a lowest value, a highest value, or both."),
            "condition_range_required",
        )
    if len(bounds) == 2 and bounds["min"] > bounds["max"]:
        add(
            errors,
            "condition.max",
            _("The highest value cannot be below the lowest (%(minimum)s)."),
            "bounds_order",
            minimum=bounds["min"],
        )


def check_conditions(questions: Sequence[tuple[QuestionShape, Any]]) -> dict[str, FieldErrors]:
    """Every condition of a survey's questions, given in their order: errors by code."""
    found: dict[str, FieldErrors] = {}
    codes = [shape.code for shape, _condition in questions]
    for index, (shape, condition) in enumerate(questions):
        errors = check_condition(
            condition,
            own_code=shape.code,
            earlier=[s for s, _c in questions[:index]],
            later_codes=codes[index + 1 :],
        )
        if errors:
            found[shape.code] = errors
    return found


def answer_rules_differ(kind: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether changing settings from ``before`` to ``after`` changes which answers are
    valid (end labels and the unit only word the question)."""

    def rules(settings: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in settings.items() if k not in LABEL_SETTINGS}

    return rules(before or {}) != rules(after or {})
