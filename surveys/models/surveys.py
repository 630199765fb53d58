"""A survey as staff build it: sections, questions of a kind, and the options they offer."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from engagement.content.languages import TranslatedFieldsValidator
from engagement.people.models import Organisation


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SurveyPurpose(models.TextChoices):
    """What the survey is for in the participation cycle."""

    CONSULTATION = "consultation", _("Consultation")
    NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
    EVALUATION = "evaluation", _("Evaluation")


class ResultsVisibility(models.TextChoices):
    STAFF = "staff", _("Staff only")
    AFTER_CLOSE = "after_close", _("Public once the survey closes")
    LIVE = "live", _("Public while answers come in")


class Survey(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="surveys")
    # Optional links into the participation cycle (by name: surveys import no other feature).
    process = models.ForeignKey(
        "engagement.ParticipatoryProcess",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("participatory process"),
    )
    budget_round = models.ForeignKey(
        "budgeting.BudgetRound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("budget round"),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=SurveyPurpose.choices,
        default=SurveyPurpose.CONSULTATION,
    )
    template = models.CharField(
        _("started from template"), max_length=40, blank=True, editable=False
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslatedFieldsValidator("title", "description")],
        help_text=_('Title and description in other languages: {"pl": {"title": "…"}}.'),
    )

    state = models.CharField(
        _("state"), max_length=12, choices=SurveyState.choices, default=SurveyState.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    # Who may answer: anonymous answering, or the round rules (age, residence, verified e-mail).
    anonymous_allowed = models.BooleanField(
        _("answers without an account"),
        default=False,
        help_text=_("Anyone may answer without signing in; nothing identifying is stored."),
    )
    invitation_required = models.BooleanField(
        _("invitation code required"),
        default=False,
        help_text=_("Only people with a single-use invitation code may answer."),
    )
    invitations_issued = models.PositiveIntegerField(default=0, editable=False)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    residence_required = models.BooleanField(_("only residents of the organisation"), default=False)
    verified_email_required = models.BooleanField(_("verified email required"), default=False)
    responses_editable = models.BooleanField(
        _("answers may be changed until the survey closes"), default=True
    )
    results_visibility = models.CharField(
        _("results"),
        max_length=12,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_CLOSE,
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=SurveyState.values), name="survey_known_state"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=SurveyPurpose.values), name="survey_known_purpose"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:survey", args=[self.slug])


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslatedFieldsValidator("title", "description")],
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.title or f"{self.survey_id}/{self.position}"


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SCALE = "scale", _("Scale")
    RANKING = "ranking", _("Ranking")
    MATRIX = "matrix", _("Matrix (rows on one scale)")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    # Profile questions: options come from the organisation / Kopa, answers may be prefilled
    # from the resident's profile, and results can be cross-tabulated by them.
    DISTRICT = "district", _("District")
    AGE_BAND = "age_band", _("Age band")
    TARGET_GROUP = "target_group", _("Target groups")


class Question(models.Model):
    """One question. ``settings`` holds what its kind needs (see ``surveys.kinds``);
    ``condition`` shows it only when an earlier answer matches."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stable name in exports, e.g. q3.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("help text"), blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[
            TranslatedFieldsValidator("text", "help_text", "low_label", "high_label", "unit")
        ],
    )
    required = models.BooleanField(_("required"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=False)
    prefill = models.BooleanField(
        _("prefill from the resident's profile"),
        default=True,
        help_text=_("District, age band and target group questions."),
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    condition = models.JSONField(
        _("shown only when"),
        null=True,
        blank=True,
        help_text=_('{"question": "q2", "options": ["o1"]} or {"question": "q3", "min": 4}.'),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_known_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"


class Option(models.Model):
    """A choice, an item to rank, or a row of a matrix."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.SlugField(_("code"), max_length=120)
    text = models.CharField(_("text"), max_length=300)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslatedFieldsValidator("text")],
    )

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text
