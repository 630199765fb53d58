"""Citizens' ideas, their images, the discussion under them, supports and followers.

Text is stored sanitised: rich text (``description``, comment ``body``) keeps a small
allow-list of tags (``engagement.content.sanitise``), plain text keeps no markup at all.
Amounts are integers in the process currency's minor unit.

Hidden (by moderators) is a flag next to the status, never a status: a hidden idea keeps
its place in the review pipeline and is simply not shown to the public.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from engagement.ideas.models.processes import ParticipatoryProcess
from engagement.people.models import District

MAX_COMMENT_DEPTH = 3  # a top-level comment is depth 0; replies go three levels deep


class IdeaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another idea")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses in which the author may still change the idea (in the submission phase).
EDITABLE_STATUSES = frozenset({IdeaStatus.DRAFT, IdeaStatus.SUBMITTED})
# Statuses a reviewer may still answer.
OPEN_STATUSES = frozenset({IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW, IdeaStatus.REJECTED})
# Ideas waiting for the reviewers' answer: the review queue.
AWAITING_REVIEW_STATUSES = (IdeaStatus.SUBMITTED, IdeaStatus.UNDER_REVIEW)


class Idea(models.Model):
    process = models.ForeignKey(
        ParticipatoryProcess, on_delete=models.PROTECT, related_name="ideas"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        help_text=_("Empty once the author deleted their account (the idea is kept)."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Sanitised rich text."))
    category = models.CharField(_("category"), max_length=80, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas"
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    estimated_cost = models.BigIntegerField(
        _("author's cost estimate (minor units)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IdeaStatus.choices, default=IdeaStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set once: the idea has been public since then.")
    )

    # Review: the administration's answer, public.
    feasible = models.BooleanField(_("feasible"), null=True, blank=True)
    admin_cost = models.BigIntegerField(
        _("administration's cost estimate (minor units)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    public_reason = models.TextField(_("public reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_ideas",
        help_text=_("Merged duplicates point to the idea they were merged into."),
    )
    project = models.OneToOneField(
        "budgeting.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="idea",
        help_text=_("The ballot project this accepted idea became."),
    )

    # Moderation: kept, but shown to the organisation's staff only.
    hidden = models.BooleanField(_("hidden by moderators"), default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.TextField(_("public moderation note"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IdeaStatus.values), name="idea_known_status"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="idea_location_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="idea_estimated_cost_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(admin_cost__isnull=True) | Q(admin_cost__gte=0),
                name="idea_admin_cost_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=IdeaStatus.MERGED) | Q(merged_into__isnull=False),
                name="idea_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="idea_not_merged_into_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["process", "status", "hidden"]),
            models.Index(fields=["process", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("frontend:idea_detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        """Shown to everyone who may see the process (unless hidden)."""
        return self.submitted_at is not None and self.status != IdeaStatus.DRAFT

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        if (self.latitude is None) != (self.longitude is None):
            errors.setdefault("latitude" if self.latitude is None else "longitude", []).append(
                ValidationError(
                    _("Give both latitude and longitude, or neither."), code="incomplete_location"
                )
            )
        process = self.process
        if self.district_id is not None and self.district.organisation_id != (
            process.organisation_id
        ):
            errors.setdefault("district", []).append(
                ValidationError(
                    _("This district belongs to another organisation."), code="wrong_organisation"
                )
            )
        if self.category and self.category not in (process.categories or []):
            errors.setdefault("category", []).append(
                ValidationError(
                    _("Choose one of the categories of this process."), code="unknown_category"
                )
            )
        if errors:
            raise ValidationError(errors)


class IdeaImage(models.Model):
    """An image of an idea, re-encoded on upload (type checked, resized, metadata removed)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(
        _("image"), upload_to="ideas/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(
        _("description of the image"),
        max_length=300,
        blank=True,
        help_text=_("For people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idea image")
        verbose_name_plural = _("idea images")
        ordering = ["idea", "position", "id"]

    def __str__(self) -> str:
        return self.alt_text or self.file.name


class Comment(models.Model):
    """A comment on an idea, or a reply to one (at most ``MAX_COMMENT_DEPTH`` deep).

    Deleting keeps the row as a "deleted" placeholder (body emptied) so replies keep their
    place in the thread; hiding keeps the text for staff.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="idea_comments",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    root = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="thread",
        help_text=_("The top-level comment of the thread (empty for top-level comments)."),
    )
    depth = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_COMMENT_DEPTH)]
    )
    body = models.TextField(_("comment"), blank=True, help_text=_("Sanitised rich text."))
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(_("hidden by moderators"), default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.TextField(_("public moderation note"), blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__lte=MAX_COMMENT_DEPTH), name="comment_depth_limit"
            ),
            models.CheckConstraint(
                condition=(Q(parent__isnull=True) & Q(root__isnull=True) & Q(depth=0))
                | (Q(parent__isnull=False) & Q(root__isnull=False) & Q(depth__gt=0)),
                name="comment_thread_shape",
            ),
        ]
        indexes = [
            models.Index(fields=["idea", "root", "created_at"]),
            models.Index(fields=["idea", "hidden", "deleted_at"]),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on idea {self.idea_id}"

    def get_absolute_url(self) -> str:
        return f"/ideas/{self.idea_id}/#comment-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Support(models.Model):
    """One person supports an idea, once (the unique constraint makes it race-free)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="support_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.idea_id}"


class Follow(models.Model):
    """A person wants to hear about an idea: status changes and new comments."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="follow_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.idea_id}"
