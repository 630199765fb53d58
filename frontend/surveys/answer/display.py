"""Questions as the pages show them: texts in the reader's language, options in the
respondent's order, and what the current answer means for each input. The partials in
``templates/surveys/questions/<kind>.html`` render these (the staff preview may too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from engagement.content.languages import localised
from surveys import answers as rules
from surveys.models import Question, Section
from surveys.selectors import localised_settings

OTHER = "__other__"  # the form value of an "other" choice


@dataclass
class Choice:
    code: str
    text: str
    checked: bool = False
    input_id: str = ""


@dataclass
class MatrixRow:
    code: str
    text: str
    cells: list[Choice]
    header_id: str = ""


@dataclass
class RankSlot:
    position: int
    name: str
    input_id: str
    selected: str


@dataclass
class QuestionView:
    code: str
    kind: str
    text: str
    help_text: str
    required: bool
    settings: dict[str, Any]
    errors: list[str]
    input_id: str
    choices: list[Choice] = field(default_factory=list)
    allow_other: bool = False
    other_checked: bool = False
    other_text: str = ""
    text_value: str = ""
    max_length: int | None = None
    scale: list[Choice] = field(default_factory=list)
    matrix: list[MatrixRow] = field(default_factory=list)
    scale_values: list[int] = field(default_factory=list)
    ranks: list[RankSlot] = field(default_factory=list)
    condition_hint: str = ""

    @property
    def template(self) -> str:
        return f"surveys/questions/{self.kind}.html"

    @property
    def describedby(self) -> str:
        ids = []
        if self.help_text:
            ids.append(f"{self.input_id}-help")
        if self.errors:
            ids.append(f"{self.input_id}-error")
        return " ".join(ids)

    @property
    def multiple(self) -> bool:
        return self.kind in rules.MULTIPLE_KINDS


def _chosen(value: Any) -> tuple[set[str], str | None]:
    items = value if isinstance(value, list) else [value]
    codes = {item for item in items if isinstance(item, str)}
    other = next(
        (item["other"] for item in items if isinstance(item, dict) and "other" in item), None
    )
    return codes, other


def _condition_hint(question: Question, by_code: dict[str, Question]) -> str:
    condition = question.condition or {}
    source = by_code.get(condition.get("question", ""))
    if source is None:
        return ""
    if "options" in condition:
        texts = [
            localised(o, "text") for o in source.options.all() if o.code in condition["options"]
        ]
        return _("Answer this only if you chose “%(choices)s” for “%(question)s”.") % {
            "choices": "” / “".join(texts),
            "question": localised(source, "text"),
        }
    low, high = condition.get("min"), condition.get("max")
    if low is not None and high is not None:
        bounds = _("from %(min)s to %(max)s") % {"min": low, "max": high}
    elif low is not None:
        bounds = _("%(min)s or more") % {"min": low}
    else:
        bounds = _("%(max)s or less") % {"max": high}
    return _("Answer this only if your answer to “%(question)s” was %(bounds)s.") % {
        "question": localised(source, "text"),
        "bounds": bounds,
    }


def question_view(
    question: Question,
    value: Any,
    *,
    errors: list[str] | None = None,
    seed: str = "",
    by_code: dict[str, Question] | None = None,
) -> QuestionView:
    """What the partial of ``question``'s kind needs, with ``value`` filled in."""
    settings = localised_settings(question)
    input_id = f"q-{question.code}"
    options = {o.code: localised(o, "text") for o in question.options.all()}
    order = rules.option_order(
        options, seed=f"{seed}:{question.code}", shuffle=question.shuffle_options
    )
    view = QuestionView(
        code=question.code,
        kind=question.kind,
        text=localised(question, "text"),
        help_text=localised(question, "help_text"),
        required=question.required,
        settings=settings,
        errors=list(errors or []),
        input_id=input_id,
        condition_hint=_condition_hint(question, by_code or {}) if question.condition else "",
    )
    kind = question.kind
    if kind in rules.CHOICE_KINDS:
        codes, other = _chosen(value)
        view.choices = [
            Choice(code, options[code], code in codes, f"{input_id}-{code}") for code in order
        ]
        view.allow_other = kind in (rules.SINGLE_CHOICE, rules.MULTIPLE_CHOICE) and bool(
            settings.get("allow_other")
        )
        view.other_checked = other is not None
        view.other_text = other or ""
    elif kind in rules.TEXT_KINDS:
        default, largest = rules.TEXT_LIMITS[kind]
        limit = settings.get("max_length", default)
        view.max_length = min(limit, largest) if isinstance(limit, int) and limit > 0 else default
        view.text_value = value if isinstance(value, str) else ""
    elif kind in (rules.SCALE, rules.MATRIX):
        low, high = rules.scale_bounds(settings)
        view.scale_values = list(range(low, high + 1))
        if kind == rules.SCALE:
            view.scale = [
                Choice(str(n), str(n), value == n, f"{input_id}-{n}") for n in view.scale_values
            ]
        else:
            rows = value if isinstance(value, dict) else {}
            view.matrix = [
                MatrixRow(
                    code,
                    options[code],
                    [
                        Choice(str(n), str(n), rows.get(code) == n, f"{input_id}-{code}-{n}")
                        for n in view.scale_values
                    ],
                    header_id=f"{input_id}-{code}",
                )
                for code in order
            ]
            view.choices = [Choice(code, options[code]) for code in order]
    elif kind == rules.RANKING:
        count = rules.rank_count(
            rules.QuestionSpec(question.code, kind, settings=settings, options=tuple(options))
        )
        ranked = value if isinstance(value, list) else []
        view.choices = [Choice(code, options[code]) for code in order]
        view.ranks = [
            RankSlot(
                n,
                f"{question.code}__rank{n}",
                f"{input_id}-rank{n}",
                ranked[n - 1] if n - 1 < len(ranked) and isinstance(ranked[n - 1], str) else "",
            )
            for n in range(1, count + 1)
        ]
    elif kind in (rules.NUMBER, rules.DATE):
        view.text_value = "" if value is None else str(value)
    return view


@dataclass
class SectionView:
    index: int
    title: str
    description: str
    questions: list[QuestionView]


def section_view(
    section: Section,
    index: int,
    answers: dict[str, Any],
    *,
    errors: dict[str, list[str]],
    hidden: set[str],
    seed: str,
    by_code: dict[str, Question],
) -> SectionView:
    return SectionView(
        index=index,
        title=localised(section, "title"),
        description=localised(section, "description"),
        questions=[
            question_view(
                q, answers.get(q.code), errors=errors.get(q.code), seed=seed, by_code=by_code
            )
            for q in section.questions.all()
            if q.code not in hidden
        ],
    )


def answer_text(question: Question, value: Any) -> str:
    """An answer written out for the review page."""
    if value is None:
        return ""
    options = {o.code: localised(o, "text") for o in question.options.all()}
    kind = question.kind
    if kind in rules.CHOICE_KINDS:
        items = value if isinstance(value, list) else [value]
        texts = [
            options.get(item, item)
            if isinstance(item, str)
            else _("Other: %(text)s") % {"text": item.get("other", "")}
            for item in items
        ]
        return ", ".join(texts) if texts else _("None of these")
    if kind == rules.RANKING:
        return "; ".join(f"{n}. {options.get(code, code)}" for n, code in enumerate(value, start=1))
    if kind == rules.MATRIX:
        return "; ".join(f"{options.get(code, code)}: {v}" for code, v in value.items())
    if kind == rules.NUMBER:
        unit = localised_settings(question).get("unit") or ""
        return f"{value} {unit}".strip()
    return str(value)
