"""Notifications: what happened that a person should hear about, and how they want to hear.

A ``Notification`` is one event for one recipient. It is listed in the app when
``in_app`` is set, and e-mailed when the recipient asked for e-mail: the ``EmailDelivery``
row (one per notification, enforced by the database) records that the message went out,
so a task that runs twice sends once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventGroup(models.TextChoices):
    """Preferences are chosen per group of events, not per event."""

    MY_IDEAS = "my_ideas", _("What happens to my ideas")
    DISCUSSION = "discussion", _("Comments and replies")
    MODERATION = "moderation", _("Moderation of my content")
    PROJECTS = "projects", _("Projects I follow")
    WORKSHOPS = "workshops", _("Workshops I registered for")


class EmailDigest(models.TextChoices):
    NONE = "none", _("No e-mails")
    IMMEDIATE = "immediate", _("One e-mail per notification")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=64)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    in_app = models.BooleanField(
        _("listed in the app"),
        default=True,
        help_text=_("False when the recipient only wants this kind of event by e-mail."),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "in_app", "-id"], name="notification_inbox"),
            models.Index(fields=["content_type", "object_id"], name="notification_target"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"


def _default_groups() -> dict[str, dict[str, bool]]:
    return {}


def validate_preference_groups(value: object) -> None:
    """``{"<group>": {"in_app": bool, "email": bool}}``; groups not listed use defaults."""
    if not isinstance(value, dict):
        raise ValidationError(_("Preferences must be an object."), code="invalid")
    for group, choice in value.items():
        if group not in EventGroup.values:
            raise ValidationError(
                _("Unknown event group: %(group)s."),
                code="unknown_event_group",
                params={"group": group},
            )
        if (
            not isinstance(choice, dict)
            or set(choice) - {"in_app", "email"}
            or not all(isinstance(v, bool) for v in choice.values())
        ):
            raise ValidationError(
                _("Each group takes in_app and email as true or false."), code="invalid"
            )


class NotificationPreference(models.Model):
    """One row per user, created on first change; without it the defaults apply."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_digest = models.CharField(
        _("e-mail"), max_length=16, choices=EmailDigest.choices, default=EmailDigest.IMMEDIATE
    )
    groups = models.JSONField(
        _("per group"), default=_default_groups, blank=True, validators=[validate_preference_groups]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email_digest__in=EmailDigest.values),
                name="notification_preference_known_digest",
            )
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class EmailDelivery(models.Model):
    """The e-mail for one notification; ``sent_at`` is set once it went out."""

    # One-to-one: the unique index is what makes a second send impossible.
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email_delivery"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")

    def __str__(self) -> str:
        return f"E-mail for notification {self.notification_id}"
