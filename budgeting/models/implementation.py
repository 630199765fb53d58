"""Implementation tracking: what became of the projects residents chose.

Once results are out, staff report on each selected project: an overall status and
progress (``ProjectImplementation``, one row per project) and dated, public updates with
text and photos (``ImplementationUpdate``). Residents may follow a project
(``ProjectFollow``) to be notified of each update.

Imported at the end of ``budgeting/models.py``, so these models belong to the budgeting app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ImplementationImage",
    "ImplementationStatus",
    "ImplementationUpdate",
    "ProjectFollow",
    "ProjectImplementation",
]


class ImplementationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class ProjectImplementation(models.Model):
    """Where a selected project stands now. Created with the first report on it."""

    project = models.OneToOneField(
        "budgeting.Project", on_delete=models.CASCADE, related_name="implementation"
    )
    status = models.CharField(
        _("implementation status"),
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.PLANNED,
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project implementation")
        verbose_name_plural = _("project implementations")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="implementation_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ImplementationStatus.values),
                name="implementation_known_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.status} {self.progress}%"


class ImplementationUpdate(models.Model):
    """A dated public report on a project; the status and progress it set are kept."""

    project = models.ForeignKey(
        "budgeting.Project", on_delete=models.CASCADE, related_name="implementation_updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("text"), help_text=_("Sanitised rich text."))
    status = models.CharField(
        _("status after this update"), max_length=16, choices=ImplementationStatus.choices
    )
    progress = models.PositiveSmallIntegerField(
        _("progress after this update (%)"), validators=[MaxValueValidator(100)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("implementation update")
        verbose_name_plural = _("implementation updates")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["project", "-happened_on"], name="impl_update_project")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="implementation_update_progress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} on {self.happened_on:%Y-%m-%d}"


class ImplementationImage(models.Model):
    """A photo of an update, checked and re-encoded on upload (``engagement.content.images``)."""

    update = models.ForeignKey(
        ImplementationUpdate, on_delete=models.CASCADE, related_name="images"
    )
    image = models.ImageField(
        _("image"), upload_to="implementation/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    description = models.CharField(
        _("description"), max_length=300, blank=True, help_text=_("Alternative text.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("implementation image")
        verbose_name_plural = _("implementation images")
        ordering = ["update", "position", "id"]

    def __str__(self) -> str:
        return self.image.name


class ProjectFollow(models.Model):
    """A person who wants to hear about a project's implementation."""

    project = models.ForeignKey(
        "budgeting.Project", on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project follow")
        verbose_name_plural = _("project follows")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.project_id}"
