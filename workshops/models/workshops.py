"""A workshop as a city runs it: when and where, for whom, and who registered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from engagement.people.models import District, Organisation


class WorkshopFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid (in person and online)")


class WorkshopStatus(models.TextChoices):
    """Whether the workshop is announced. Upcoming, running and past follow from the times."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class BoardStage(models.TextChoices):
    """The live board's stages, switched by facilitators in this order (or back)."""

    NOT_OPEN = "not_open", _("Not open yet")
    IDEATION = "ideation", _("Ideation")
    CLUSTERING = "clustering", _("Clustering")
    VOTING = "voting", _("Dot voting")
    CLOSED = "closed", _("Closed")


class Workshop(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workshops"
    )
    # Optional links into the participation cycle (by name: workshops import no other feature's
    # models; ideas are reached through engagement.ideas.ports).
    process = models.ForeignKey(
        "engagement.ParticipatoryProcess",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("participatory process"),
    )
    budget_round = models.ForeignKey(
        "budgeting.BudgetRound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("budget round"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("district"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Sanitised rich text.")
    )
    format = models.CharField(_("format"), max_length=10, choices=WorkshopFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    # Stored in UTC; entered and shown in the organisation's time zone.
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    # Where: a place (in person, hybrid) and/or an online link (online, hybrid).
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    online_url = models.URLField(
        _("online meeting link"),
        max_length=500,
        blank=True,
        help_text=_("Shown only to registered participants, from shortly before the start."),
    )

    languages = models.JSONField(_("languages"), default=list, blank=True)
    accessibility = models.TextField(_("accessibility information"), blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)

    # Registration. ``capacity`` null: no limit. ``registered`` counts confirmed places and is
    # kept by the registering transaction; the constraint below makes overbooking impossible
    # whatever the code above it does.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    registered = models.PositiveIntegerField(default=0, editable=False)
    waitlist_enabled = models.BooleanField(_("waiting list when full"), default=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True
    )
    asks_accessibility_needs = models.BooleanField(_("ask for accessibility needs"), default=True)
    asks_dietary_needs = models.BooleanField(_("ask for dietary needs"), default=False)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)

    # The live board.
    board_stage = models.CharField(
        _("board stage"), max_length=10, choices=BoardStage.choices, default=BoardStage.NOT_OPEN
    )
    join_code = models.CharField(_("join code"), max_length=12, null=True, blank=True, unique=True)
    dots_per_participant = models.PositiveSmallIntegerField(_("dots per participant"), default=3)
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_label = models.CharField(max_length=120, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_workshops",
        verbose_name=_("facilitators"),
    )

    # Outcomes.
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Sanitised rich text."))
    outcome_published_at = models.DateTimeField(null=True, blank=True)

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
        ordering = ["starts_at", "pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        indexes = [models.Index(fields=["organisation", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="workshop_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="workshop_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(registered__lte=F("capacity")),
                name="workshop_not_overbooked",
            ),
            models.CheckConstraint(
                condition=Q(dots_per_participant__gte=1) & Q(dots_per_participant__lte=20),
                name="workshop_dots_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    # Minutes after the start, so a copied workshop keeps its agenda at its new time.
    starts_after_minutes = models.PositiveIntegerField(_("minutes after the start"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["workshop", "position", "pk"]
        verbose_name = _("agenda item")

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """One person's place (or wait) at one workshop; one row per person and workshop, reused
    when they register again after cancelling."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_registrations"
    )
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    # Registration questions: deleted 30 days after the workshop (workshops.tasks).
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    dietary_needs = models.TextField(_("dietary needs"), blank=True)
    answers_deleted_at = models.DateTimeField(null=True, blank=True)
    # Waiting-list order: the time of the latest (re)registration.
    registered_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Staff check-in list.
    attended = models.BooleanField(_("attended"), default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # Reminders are claimed by setting these with UPDATE … WHERE … IS NULL: sent once.
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop", "registered_at", "pk"]
        verbose_name = _("registration")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "user"], name="one_registration_per_person"
            ),
        ]
        indexes = [models.Index(fields=["workshop", "status", "registered_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.workshop_id}: {self.status}"


class WorkshopPhoto(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="photos")
    file = models.ImageField(_("photo"), upload_to="workshops/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(
        _("description for people who cannot see the photo"), max_length=300
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workshop", "position", "pk"]
        verbose_name = _("photo")

    def __str__(self) -> str:
        return self.alt_text
