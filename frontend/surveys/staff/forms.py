"""Forms of the staff survey builder: a new survey, its settings, sections, questions,
options and conditions, each with its translations.

The forms only read the page; ``surveys.services.building`` and ``surveys.definitions``
check and write, and their refusals go back on the form (``frontend.service_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from engagement.people.models import Organisation
from surveys import definitions, questions
from surveys.models import (
    Question,
    QuestionKind,
    ResultsVisibility,
    Section,
    Survey,
    SurveyPurpose,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def other_languages(organisation: Organisation) -> list[tuple[str, str]]:
    """Languages staff translate into: all content languages but the organisation's first
    (the base texts' language); the organisation's own languages first."""
    offered = list(organisation.languages or [settings.LANGUAGE_CODE])
    others = [(c, n) for c, n in settings.KOPA_CONTENT_LANGUAGES if c != offered[0]]
    return sorted(others, key=lambda item: item[0] not in offered)


class TranslatedForm(forms.Form):
    """A form with one field per translated text and language (``<name>_<code>``), read back
    as the ``translations`` JSON the services check. ``translated`` maps each text's name to
    its label and whether it is long."""

    translated: dict[str, tuple[Any, bool]] = {}

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        translations: dict[str, Any] | None = None,
        translated: dict[str, tuple[Any, bool]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if translated is not None:
            self.translated = translated
        self.existing_translations = dict(translations or {})
        self.languages = other_languages(organisation)
        for code, language in self.languages:
            entry = self.existing_translations.get(code) or {}
            for name, (label, long) in self.translated.items():
                field_name = f"{name}_{code}"
                self.fields[field_name] = forms.CharField(
                    label=_("%(field)s in %(language)s") % {"field": label, "language": language},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput,
                )
                if not self.is_bound and entry.get(name):
                    self.initial[field_name] = entry[name]

    def translations(self) -> dict[str, dict[str, str]]:
        """Languages the page does not offer keep what they had (set through the API)."""
        offered = {code for code, _name in self.languages}
        result = {c: e for c, e in self.existing_translations.items() if c not in offered}
        for code in sorted(offered):
            entry = {
                name: (self.cleaned_data.get(f"{name}_{code}") or "").strip()
                for name in self.translated
            }
            entry = {k: v for k, v in entry.items() if v}
            if entry:
                result[code] = entry
        return result

    def translation_rows(self) -> list[dict[str, Any]]:
        rows = []
        for code, language in self.languages:
            bound = [self[f"{name}_{code}"] for name in self.translated]
            rows.append(
                {
                    "code": code,
                    "name": language,
                    "fields": bound,
                    "open": any(bool(b.value()) or bool(b.errors) for b in bound),
                    "offered": code in (self.organisation.languages or []),
                }
            )
        return rows


# --- surveys -------------------------------------------------------------------------------


class SurveyCreateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=definitions.TITLE_MAX,
        required=False,
        help_text=_("Starting from a template, leave empty to use the template's title."),
    )
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=definitions.SLUG_MAX,
        required=False,
        help_text=_("The end of the survey's address; made from the title when empty."),
    )
    start = forms.ChoiceField(label=_("Start from"), widget=forms.RadioSelect, initial="")
    budget_round_id = forms.TypedChoiceField(
        label=_("Budget round"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A needs assessment or an evaluation belongs to a round."),
    )

    def __init__(
        self,
        *args: Any,
        templates: list[tuple[str, str]],
        organisation: Organisation,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = [("", _("A blank survey")), *templates]
        self.fields["start"].required = False
        self.fields["budget_round_id"].choices = [("", _("None")), *round_choices(organisation)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("start") and not (cleaned.get("title") or "").strip():
            self.add_error("title", _("Give the survey a title."))
        return cleaned


def linked_choices(organisation: Organisation, name: str) -> list[tuple[int, str]]:
    """The organisation's budget rounds or processes, newest first (found through the
    survey's foreign key: this page needs no other feature's code)."""
    model = Survey._meta.get_field(name).related_model
    return list(
        model.objects.filter(organisation=organisation)  # type: ignore[union-attr]
        .order_by("-created_at")
        .values_list("pk", "title")
    )


def round_choices(organisation: Organisation) -> list[tuple[int, str]]:
    return linked_choices(organisation, "budget_round")


class SurveySettingsForm(TranslatedForm):
    translated = {"title": (_("Title"), False), "description": (_("Description"), True)}

    title = forms.CharField(label=_("Title"), max_length=definitions.TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the survey is for and how the answers will be used."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=SurveyPurpose.choices)
    budget_round_id = forms.TypedChoiceField(
        label=_("Budget round"), required=False, coerce=int, empty_value=None
    )
    process_id = forms.TypedChoiceField(
        label=_("Participatory process"), required=False, coerce=int, empty_value=None
    )
    opens_at = _datetime_field(
        _("Opens at"), _("Leave empty to open as soon as the survey is published.")
    )
    closes_at = _datetime_field(_("Closes at"), _("Leave empty to close it by hand."))
    anonymous_allowed = forms.BooleanField(
        label=_("Anyone may answer without signing in"),
        required=False,
        help_text=_("Nothing that identifies the person is stored with the answers."),
    )
    invitation_required = forms.BooleanField(
        label=_("Only people with an invitation code may answer"), required=False
    )
    min_age = forms.IntegerField(
        label=_("Minimum age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Signed-in respondents only. Leave empty for no limit."),
    )
    residence_required = forms.BooleanField(
        label=_("Only residents of the organisation"), required=False
    )
    verified_email_required = forms.BooleanField(
        label=_("Respondents must have confirmed their email address"), required=False
    )
    responses_editable = forms.BooleanField(
        label=_("Answers may be changed until the survey closes"), required=False
    )
    results_visibility = forms.ChoiceField(
        label=_("Results"), choices=ResultsVisibility.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        if not args or args[0] is None:
            kwargs.setdefault("initial", {name: getattr(survey, name) for name in _SETTINGS_SHOWN})
        super().__init__(
            *args, organisation=survey.organisation, translations=survey.translations, **kwargs
        )
        for name in ("budget_round", "process"):
            self.fields[f"{name}_id"].choices = [
                ("", _("None")),
                *linked_choices(survey.organisation, name),
            ]

    def settings_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in _SETTINGS_SHOWN}
        data["translations"] = self.translations()
        return data


_SETTINGS_SHOWN = (
    "title",
    "description",
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


# --- structure -----------------------------------------------------------------------------


class SectionForm(TranslatedForm):
    translated = {"title": (_("Title"), False), "description": (_("Introduction"), True)}

    title = forms.CharField(label=_("Title"), max_length=definitions.TITLE_MAX, required=False)
    description = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, organisation: Organisation, section: Section | None = None, **kwargs: Any
    ) -> None:
        if section is not None:
            kwargs.setdefault("prefix", f"section-{section.pk}")
            if not args or args[0] is None:
                kwargs.setdefault(
                    "initial", {"title": section.title, "description": section.description}
                )
        else:
            kwargs.setdefault("prefix", "new-section")
        super().__init__(
            *args,
            organisation=organisation,
            translations=section.translations if section else None,
            **kwargs,
        )


class QuestionAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=definitions.QUESTION_TEXT_MAX)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Single and multiple choice, ranking and matrix (its rows): at least two. District,"
            " age band and target group questions get their options automatically."
        ),
    )

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"add-{section.pk}")
        super().__init__(*args, **kwargs)

    def option_texts(self) -> list[str]:
        lines = (self.cleaned_data.get("options") or "").splitlines()
        return [line.strip() for line in lines if line.strip()]


SCALE_CHOICES = [("1-5", "1–5"), ("1-7", "1–7"), ("0-10", "0–10")]  # noqa: RUF001


class QuestionForm(TranslatedForm):
    """A question's text, rules and kind settings; rule fields are disabled once answered."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=definitions.QUESTION_CODE_MAX,
        help_text=_("Its stable name in exports, such as q3."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(
        label=_("Question"),
        max_length=definitions.QUESTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_text = forms.CharField(
        label=_("Help text"),
        max_length=definitions.HELP_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    shuffle_options = forms.BooleanField(label=_("Shuffle the options"), required=False)
    prefill = forms.BooleanField(
        label=_("Prefill from the resident's profile"),
        required=False,
        help_text=_("District, age band and target group questions."),
    )
    allow_other = forms.BooleanField(label=_("Offer “Other” with a text box"), required=False)
    min_picks = forms.IntegerField(label=_("Fewest picks"), required=False, min_value=0)
    max_picks = forms.IntegerField(label=_("Most picks"), required=False, min_value=1)
    max_length = forms.IntegerField(
        label=_("Longest answer (characters)"), required=False, min_value=1
    )
    scale = forms.ChoiceField(label=_("Scale"), choices=SCALE_CHOICES, required=False)
    low_label = forms.CharField(
        label=_("Label of the lowest value"), max_length=questions.LABEL_MAX, required=False
    )
    high_label = forms.CharField(
        label=_("Label of the highest value"), max_length=questions.LABEL_MAX, required=False
    )
    rank_count = forms.IntegerField(
        label=_("How many to rank"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to rank all options."),
    )
    number_min = forms.FloatField(label=_("Lowest number"), required=False)
    number_max = forms.FloatField(label=_("Highest number"), required=False)
    integer = forms.BooleanField(label=_("Whole numbers only"), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=questions.UNIT_MAX, required=False)
    date_min = forms.DateField(
        label=_("Earliest date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_max = forms.DateField(
        label=_("Latest date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # Which setting fields each kind shows.
    KIND_FIELDS = {
        QuestionKind.SINGLE_CHOICE: ("allow_other",),
        QuestionKind.MULTIPLE_CHOICE: ("min_picks", "max_picks", "allow_other"),
        QuestionKind.SHORT_TEXT: ("max_length",),
        QuestionKind.LONG_TEXT: ("max_length",),
        QuestionKind.SCALE: ("scale", "low_label", "high_label"),
        QuestionKind.MATRIX: ("scale", "low_label", "high_label"),
        QuestionKind.RANKING: ("rank_count",),
        QuestionKind.NUMBER: ("number_min", "number_max", "integer", "unit"),
        QuestionKind.DATE: ("date_min", "date_max"),
    }
    LOCKABLE = (
        "code",
        "kind",
        "required",
        "min_picks",
        "max_picks",
        "allow_other",
        "max_length",
        "scale",
        "rank_count",
        "number_min",
        "number_max",
        "integer",
        "date_min",
        "date_max",
    )

    def __init__(self, *args: Any, question: Question, locked: bool, **kwargs: Any) -> None:
        self.question = question
        translated = {"text": (_("Question"), True), "help_text": (_("Help text"), True)}
        if question.kind in (QuestionKind.SCALE, QuestionKind.MATRIX):
            translated["low_label"] = (_("Label of the lowest value"), False)
            translated["high_label"] = (_("Label of the highest value"), False)
        if question.kind == QuestionKind.NUMBER:
            translated["unit"] = (_("Unit"), False)
        # Always: disabled (locked) fields take their value from here.
        kwargs.setdefault("initial", self.initial_from(question))
        super().__init__(
            *args,
            organisation=question.survey.organisation,
            translations=question.translations,
            translated=translated,
            **kwargs,
        )
        self.locked = locked
        if locked:
            for name in self.LOCKABLE:
                self.fields[name].disabled = True

    @staticmethod
    def initial_from(question: Question) -> dict[str, Any]:
        s = question.settings or {}
        low, high = questions.scale_range(s)
        return {
            "code": question.code,
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "shuffle_options": question.shuffle_options,
            "prefill": question.prefill,
            "allow_other": s.get("allow_other", False),
            "min_picks": s.get("min_picks"),
            "max_picks": s.get("max_picks"),
            "max_length": s.get("max_length"),
            "scale": f"{low}-{high}",
            "low_label": s.get("low_label", ""),
            "high_label": s.get("high_label", ""),
            "rank_count": s.get("rank_count"),
            "number_min": s.get("min") if question.kind == QuestionKind.NUMBER else None,
            "number_max": s.get("max") if question.kind == QuestionKind.NUMBER else None,
            "integer": s.get("integer", True),
            "unit": s.get("unit", ""),
            "date_min": s.get("min") if question.kind == QuestionKind.DATE else None,
            "date_max": s.get("max") if question.kind == QuestionKind.DATE else None,
        }

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.KIND_FIELDS.get(self.question.kind, ())]

    def settings_for(self, kind: str) -> dict[str, Any]:
        """The kind's settings as ``Question.settings`` (empty fields left out)."""
        data = self.cleaned_data
        found: dict[str, Any] = {}
        for name in self.KIND_FIELDS.get(kind, ()):
            value = data.get(name)
            if name == "scale":
                low, high = (value or "1-5").split("-")
                found["scale_min"], found["scale_max"] = int(low), int(high)
            elif name in ("number_min", "number_max", "date_min", "date_max"):
                if value is not None:
                    key = name.split("_")[1]
                    found[key] = value.isoformat() if name.startswith("date") else _whole(value)
            elif name in ("allow_other", "integer"):
                found[name] = bool(value)
            elif value not in (None, ""):
                found[name] = value
        return found

    def changes(self) -> dict[str, Any]:
        """Input for ``question_update``: once answered, only what may still change."""
        data = self.cleaned_data
        kind = self.question.kind if self.locked else data["kind"]
        settings_now = self.settings_for(kind) if kind == self.question.kind else {}
        if self.locked:
            labels = {k: v for k, v in settings_now.items() if k in questions.LABEL_SETTINGS}
            settings_now = {**(self.question.settings or {}), **labels}
            for key in questions.LABEL_SETTINGS & set(self.question.settings or {}):
                if key not in labels:
                    settings_now.pop(key)
        changes = {
            "text": data["text"],
            "help_text": data.get("help_text", ""),
            "translations": self.translations(),
            "shuffle_options": data.get("shuffle_options", False),
            "prefill": data.get("prefill", False),
            "settings": settings_now,
        }
        if not self.locked:
            changes.update(code=data["code"], kind=kind, required=data.get("required", False))
        return changes


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


class OptionForm(TranslatedForm):
    translated = {"text": (_("Text"), False)}

    text = forms.CharField(label=_("Text"), max_length=definitions.OPTION_TEXT_MAX)

    def __init__(
        self, *args: Any, option: Any = None, organisation: Organisation, **kwargs: Any
    ) -> None:
        if option is not None:
            kwargs.setdefault("prefix", f"option-{option.pk}")
            if not args or args[0] is None:
                kwargs.setdefault("initial", {"text": option.text})
        else:
            kwargs.setdefault("prefix", "new-option")
        super().__init__(
            *args,
            organisation=organisation,
            translations=option.translations if option is not None else None,
            **kwargs,
        )


class ConditionForm(forms.Form):
    """Show the question only when an earlier answer matches: pick the earlier question,
    then the options (choice and profile questions) or a range (scale and number)."""

    question = forms.ChoiceField(label=_("Show this question"), required=False)
    options = forms.MultipleChoiceField(
        label=_("When one of these was chosen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the options of the question picked above count."),
    )
    minimum = forms.FloatField(label=_("When the answer is at least"), required=False)
    maximum = forms.FloatField(label=_("When the answer is at most"), required=False)

    def __init__(
        self, *args: Any, question: Question, earlier: list[Question], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "condition")
        condition = question.condition or {}
        if not args or args[0] is None:
            kwargs.setdefault(
                "initial",
                {
                    "question": condition.get("question", ""),
                    "options": [
                        f"{condition.get('question')}:{o}" for o in condition.get("options", [])
                    ],
                    "minimum": condition.get("min"),
                    "maximum": condition.get("max"),
                },
            )
        super().__init__(*args, **kwargs)
        targets = [
            q
            for q in earlier
            if q.kind in questions.OPTION_CONDITION_KINDS | questions.RANGE_CONDITION_KINDS
        ]
        self.fields["question"].choices = [
            ("", _("always")),
            *(
                (q.code, _("only when %(code)s: %(text)s") % {"code": q.code, "text": q.text[:80]})
                for q in targets
            ),
        ]
        self.fields["options"].choices = [
            (f"{q.code}:{o.code}", f"{q.code}: {o.text}")
            for q in targets
            if q.kind in questions.OPTION_CONDITION_KINDS
            for o in q.options.all()
        ]
        self.kinds = {q.code: q.kind for q in targets}

    def condition(self) -> dict[str, Any] | None:
        code = self.cleaned_data.get("question") or ""
        if not code:
            return None
        if self.kinds.get(code) in questions.RANGE_CONDITION_KINDS:
            found: dict[str, Any] = {"question": code}
            for field, key in (("minimum", "min"), ("maximum", "max")):
                value = self.cleaned_data.get(field)
                if value is not None:
                    found[key] = _whole(value)
            return found
        prefix = f"{code}:"
        return {
            "question": code,
            "options": [
                value[len(prefix) :]
                for value in self.cleaned_data.get("options") or []
                if value.startswith(prefix)
            ],
        }
