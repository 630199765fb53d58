"""Participatory-budgeting data: rounds, district budgets, projects, ballots, results.

Amounts are integers in the currency's minor unit (cents). A round has one or more
``DistrictBudget``s — a city-wide pot and/or one per district — and each is a separate
election: its own projects, ballots and outcome.

Who voted (``Participation``) and what was voted (``Ballot``) are separate rows. While the
ballot box is closed (voting and tallying) a ballot exists only sealed on its participation
(``budgeting/sealing.py``); when the round moves to results the box is opened and the
ballots are written to the ballot table in a random order. In a secret round nothing then
links a ballot to its voter, not even the order or the transaction it was written in
(docs/budgeting.md, "Ballot secrecy"). The voter's receipt code — only a keyed hash of it is
stored — proves the ballot is counted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from engagement.content.languages import TranslatedFieldsValidator
from engagement.money import CURRENCIES
from engagement.people.models import District, Organisation


class Phase(models.TextChoices):
    """The EmPaci cycle of a budget round, in order."""

    DRAFT = "draft", _("Draft")
    INFORMATION = "information", _("Information")
    NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
    PROPOSALS = "proposals", _("Proposals")
    REVIEW = "review", _("Review")
    VOTING = "voting", _("Voting")
    TALLYING = "tallying", _("Tallying")
    RESULTS = "results", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")
    EVALUATION = "evaluation", _("Evaluation")
    CLOSED = "closed", _("Closed")


class BallotFormat(models.TextChoices):
    APPROVAL = "approval", _("Approval (choose projects, optionally within the budget)")
    CUMULATIVE = "cumulative", _("Cumulative (share out points)")
    ORDINAL = "ordinal", _("Ranking (order your favourites)")
    CHOOSE_ONE = "choose-1", _("Choose one project")


class OutcomeRule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first (greedy)")
    MES = "mes", _("Method of Equal Shares (no completion)")
    EQUAL_SHARES = "equal-shares", _("Method of Equal Shares with Add1 completion")
    EQUAL_SHARES_GREEDY = "equal-shares-greedy", _("Equal Shares, leftover funds by votes")


class TieBreak(models.TextChoices):
    PROJECT_ID = "project-id", _("Project id order")
    LOWER_COST = "lower-cost", _("Lower cost first")
    LOTTERY = "lottery", _("Lottery with a published seed")


class BudgetRound(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="budget_rounds"
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
    currency = models.CharField(
        _("currency"), max_length=3, choices=[(c, c) for c in CURRENCIES], default="EUR"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    phase_changed_at = models.DateTimeField(null=True, blank=True)

    # Ballot format and limits
    ballot_format = models.CharField(
        _("ballot format"),
        max_length=12,
        choices=BallotFormat.choices,
        default=BallotFormat.APPROVAL,
    )
    min_projects = models.PositiveSmallIntegerField(_("minimum projects on a ballot"), default=1)
    max_projects = models.PositiveSmallIntegerField(
        _("maximum projects on a ballot"), null=True, blank=True
    )
    knapsack = models.BooleanField(
        _("ballot must fit the budget"),
        default=False,
        help_text=_("Approval ballots: the chosen projects may cost at most the budget."),
    )
    min_spend_percent = models.PositiveSmallIntegerField(
        _("minimum spend (% of budget)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    points_budget = models.PositiveIntegerField(
        _("points per voter"), null=True, blank=True, help_text=_("Cumulative ballots.")
    )
    max_points_per_project = models.PositiveIntegerField(
        _("maximum points per project"), null=True, blank=True
    )
    max_rank = models.PositiveSmallIntegerField(
        _("projects to rank"), null=True, blank=True, help_text=_("Ranking ballots.")
    )

    # Outcome
    outcome_rule = models.CharField(
        _("outcome rule"), max_length=24, choices=OutcomeRule.choices, default=OutcomeRule.GREEDY
    )
    tie_break = models.CharField(
        _("tie-break"), max_length=12, choices=TieBreak.choices, default=TieBreak.PROJECT_ID
    )
    lottery_seed = models.BigIntegerField(_("lottery seed"), null=True, blank=True)

    # Participation rules
    live_counts_public = models.BooleanField(_("show vote counts during voting"), default=False)
    ballot_changes_allowed = models.BooleanField(_("ballots may be changed"), default=True)
    secret_ballot = models.BooleanField(_("secret ballot"), default=True)
    one_district_per_voter = models.BooleanField(
        _("voters choose one district"),
        default=False,
        help_text=_("A voter may vote in the city-wide budget and in one district only."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    residence_required = models.BooleanField(
        _("district ballots only for residents of the district"), default=False
    )
    verified_email_required = models.BooleanField(_("verified email required"), default=True)

    source_meta = models.JSONField(
        _("source metadata"), default=dict, blank=True, help_text=_("pabulib META of imports.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase__in=Phase.values), name="budget_round_known_phase"
            ),
            models.CheckConstraint(
                condition=Q(max_projects__isnull=True)
                | Q(max_projects__gte=models.F("min_projects")),
                name="budget_round_max_projects_gte_min",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:round", args=[self.slug])


class PhaseSchedule(models.Model):
    """When a phase should start by itself (run by Celery beat)."""

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="schedule")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    starts_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "phase"], name="phase_schedule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.phase} at {self.starts_at:%Y-%m-%d %H:%M}"


class DistrictBudget(models.Model):
    """One election within a round: the city-wide pot or one district's budget."""

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="districts")
    key = models.SlugField(_("key"), max_length=80, help_text=_('"city" for the city-wide pot.'))
    name = models.CharField(_("name"), max_length=200)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgets",
        help_text=_("Empty for the city-wide pot."),
    )
    budget = models.BigIntegerField(_("budget (minor units)"), validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("district budget")
        verbose_name_plural = _("district budgets")
        ordering = ["round", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="district_budget_unique_key"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="district_budget_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.name}"

    @property
    def is_citywide(self) -> bool:
        return self.district_id is None


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    FEASIBLE = "feasible", _("Feasible")
    REJECTED = "rejected", _("Rejected")
    ON_BALLOT = "on_ballot", _("On the ballot")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    IMPLEMENTED = "implemented", _("Implemented")


class Project(models.Model):
    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="projects")
    district_budget = models.ForeignKey(
        DistrictBudget, on_delete=models.PROTECT, related_name="projects"
    )
    external_id = models.CharField(
        _("project id"), max_length=120, help_text=_("The pabulib id for imported rounds.")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslatedFieldsValidator("title", "description")],
        help_text=_('Title and description in other languages: {"pl": {"title": "…"}}.'),
    )
    cost = models.BigIntegerField(_("cost (minor units)"), validators=[MinValueValidator(0)])
    categories = models.JSONField(_("categories"), default=list, blank=True)
    targets = models.JSONField(_("target groups"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    public_reason = models.TextField(
        _("public reason"), blank=True, help_text=_("Why it was rejected, for everyone to read.")
    )
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    extra = models.JSONField(default=dict, blank=True, help_text=_("Other pabulib columns."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["round", "district_budget", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "external_id"], name="project_unique_external_id"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="project_cost_non_negative"),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_known_status"
            ),
        ]
        indexes = [models.Index(fields=["district_budget", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:project", args=[self.round.slug, self.pk])


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")
    IMPORTED = "imported", _("Imported")


class Participation(models.Model):
    """That a person voted in a district budget — never what they voted.

    ``voter_key`` identifies the person across channels (``user:<id>`` for accounts, a keyed
    hash of an identity reference for paper voters without an account). The unique
    constraint makes "one person, one ballot" race-free.
    """

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="participations")
    district_budget = models.ForeignKey(
        DistrictBudget, on_delete=models.CASCADE, related_name="participations"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    voter_key = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    limits_district = models.BooleanField(
        default=False,
        help_text=_("Counts toward the one-district-per-voter limit of the round."),
    )
    ballot_seal = models.CharField(
        max_length=64,
        blank=True,
        help_text=_(
            "A keyed hash of the voter's receipt code: only the code's holder can check, change"
            " or withdraw the ballot, and the code cannot be read back from it. Empty for paper."
        ),
    )
    sealed_ballot = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("What was voted, sealed, until the ballot box is opened."),
    )
    tallied_ballot = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("The sealed ballot as the live vote counts last included it."),
    )
    tally_pending = models.BooleanField(
        default=False, help_text=_("Cast or changed since the live vote counts last moved.")
    )
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district_budget", "voter_key"], name="one_ballot_per_voter"
            ),
            models.UniqueConstraint(
                fields=["round", "voter_key"],
                condition=Q(limits_district=True),
                name="one_district_per_voter",
            ),
            models.UniqueConstraint(
                fields=["ballot_seal"], condition=~Q(ballot_seal=""), name="one_ballot_per_receipt"
            ),
        ]
        indexes = [
            models.Index(fields=["round", "cast_at"]),
            models.Index(
                fields=["district_budget"],
                condition=Q(tally_pending=True),
                name="participation_tally_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Participation {self.pk} in {self.district_budget_id} ({self.channel})"


class Ballot(models.Model):
    """What was voted, by project primary keys (ordinal: in preference order): the opened
    ballot box, and ballots imported from pabulib files."""

    district_budget = models.ForeignKey(
        DistrictBudget, on_delete=models.CASCADE, related_name="ballots"
    )
    participation = models.OneToOneField(
        Participation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ballot",
        help_text=_("Empty in secret rounds: nothing links the ballot to its voter."),
    )
    projects = models.JSONField(help_text=_("Project primary keys."))
    points = models.JSONField(null=True, blank=True, help_text=_("Cumulative: parallel points."))
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source_voter_id = models.CharField(
        max_length=120, blank=True, help_text=_("The pabulib voter id of imported ballots.")
    )
    extra = models.JSONField(default=dict, blank=True)
    cast_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty in secret rounds."))

    class Meta:
        indexes = [models.Index(fields=["district_budget", "id"])]

    def __str__(self) -> str:
        return f"Ballot {self.pk} in {self.district_budget_id}"


class PaperSheetStatus(models.TextChoices):
    AWAITING_SECOND_ENTRY = "awaiting_second", _("Awaiting second entry")
    COUNTED = "counted", _("Counted")
    CONFLICT = "conflict", _("Entries disagree")
    DUPLICATE_VOTER = "duplicate_voter", _("Voter already voted")


class PaperBallotSheet(models.Model):
    """A paper ballot, identified by its printed serial; counted once two entries agree."""

    district_budget = models.ForeignKey(
        DistrictBudget, on_delete=models.CASCADE, related_name="paper_sheets"
    )
    serial = models.CharField(_("sheet serial"), max_length=60)
    status = models.CharField(
        max_length=20,
        choices=PaperSheetStatus.choices,
        default=PaperSheetStatus.AWAITING_SECOND_ENTRY,
    )
    voter_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district_budget", "serial"], name="paper_sheet_unique_serial"
            )
        ]

    def __str__(self) -> str:
        return f"Paper ballot {self.serial} ({self.status})"


class PaperBallotEntry(models.Model):
    """One officer's reading of a sheet: whose it is and, sealed like an online ballot, what
    it says. The sealed reading is erased when the ballot box is opened."""

    sheet = models.ForeignKey(PaperBallotSheet, on_delete=models.CASCADE, related_name="entries")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    voter_key = models.CharField(max_length=100)
    sealed_ballot = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "entered_by"], name="paper_entry_one_per_officer"
            )
        ]

    def __str__(self) -> str:
        return f"Entry of {self.sheet_id} by {self.entered_by_id}"


class TallyResult(models.Model):
    """One run of an outcome rule on one district budget, with per-project explanations."""

    district_budget = models.ForeignKey(
        DistrictBudget, on_delete=models.CASCADE, related_name="results"
    )
    rule = models.CharField(max_length=24, choices=OutcomeRule.choices)
    tie_break = models.CharField(max_length=12, choices=TieBreak.choices)
    lottery_seed = models.BigIntegerField(default=0, help_text=_("0 unless tie_break is lottery."))
    input_digest = models.CharField(
        max_length=64, help_text=_("Hash of the ballots and projects this was computed from.")
    )
    ballot_count = models.PositiveIntegerField()
    selected = models.JSONField(help_text=_("Project external ids, in selection order."))
    spent = models.BigIntegerField()
    budget = models.BigIntegerField()
    explanations = models.JSONField()
    support = models.JSONField(help_text=_("Votes or points per project external id."))
    computed_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["district_budget", "rule", "tie_break", "lottery_seed", "input_digest"],
                name="tally_result_idempotent",
            ),
            models.UniqueConstraint(
                fields=["district_budget"],
                condition=Q(published_at__isnull=False),
                name="one_published_result_per_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on {self.district_budget_id} at {self.computed_at:%Y-%m-%d %H:%M}"
