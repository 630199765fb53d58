"""Reports by the public, and the moderators' append-only log.

A report names exactly one idea or one comment. A person has at most one open report per
item (a partial unique index). Moderators hide or restore the content (with a public note)
or dismiss the reports; every such decision is one ``ModerationLog`` row, which is never
changed or deleted: the model, its queryset and the admin all refuse.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from engagement.ideas.models.ideas import Comment, Idea
from engagement.people.models import Organisation


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive, hateful or harassing")
    PERSONAL_DATA = "personal_data", _("Reveals personal data")
    ILLEGAL = "illegal", _("Illegal content")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIONED = "actioned", _("Content hidden")
    DISMISSED = "dismissed", _("Dismissed")


_ONE_TARGET = (Q(idea__isnull=False) & Q(comment__isnull=True)) | (
    Q(idea__isnull=True) & Q(comment__isnull=False)
)


class Report(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="content_reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="content_reports",
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(_("details"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="report_one_target"),
            models.CheckConstraint(
                condition=Q(reason__in=ReportReason.values), name="report_known_reason"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_known_status"
            ),
            models.UniqueConstraint(
                fields=["reporter", "idea"],
                condition=Q(status=ReportStatus.OPEN, idea__isnull=False),
                name="report_one_open_per_person_idea",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status=ReportStatus.OPEN, comment__isnull=False),
                name="report_one_open_per_person_comment",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "created_at"])]

    def __str__(self) -> str:
        target = f"idea {self.idea_id}" if self.idea_id else f"comment {self.comment_id}"
        return f"Report {self.pk} on {target} ({self.status})"


class ModerationAction(models.TextChoices):
    HIDE = "hide", _("Hidden")
    RESTORE = "restore", _("Restored")
    DISMISS = "dismiss", _("Reports dismissed")


class AppendOnlyError(Exception):
    """The moderation log is never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The moderation log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The moderation log is append-only.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The moderation log is append-only.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The moderation log is append-only.")


class ModerationLog(models.Model):
    """Who did what to which content, when, and the public note they gave. Append-only."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="moderation_log"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=ModerationAction.choices)
    idea = models.ForeignKey(
        Idea, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_log"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_log"
    )
    note = models.TextField(_("public note"), blank=True)
    reports_closed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_ONE_TARGET, name="moderation_log_one_target"),
            models.CheckConstraint(
                condition=Q(action__in=ModerationAction.values), name="moderation_log_known_action"
            ),
        ]

    def __str__(self) -> str:
        target = f"idea {self.idea_id}" if self.idea_id else f"comment {self.comment_id}"
        return f"{self.get_action_display()} {target} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The moderation log is append-only.")
