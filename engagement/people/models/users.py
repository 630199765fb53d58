"""People: the custom user (email login) and the optional resident profile.

The profile holds only what eligibility and participation statistics need — birth year
and self-described target groups — and nothing more is ever asked of a resident.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager["User"]):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not extra["is_staff"] or not extra["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set")
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown next to your ideas and comments. Leave empty to stay anonymous."),
    )
    language = models.CharField(
        _("preferred language"), max_length=8, blank=True, help_text=_("For emails.")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class TargetGroup(models.TextChoices):
    """EmPaci's target groups, self-described and optional, used only in aggregate."""

    YOUNG = "young", _("Young person (under 26)")
    ELDERLY = "elderly", _("Older person (65 or over)")
    DISABILITY = "disability", _("Person with a disability")
    MIGRANT = "migrant", _("Migrant or minority-language speaker")
    PARENT = "parent", _("Parent or carer of young children")
    LOW_INCOME = "low_income", _("Low income")


def _validate_target_groups(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Target groups must be a list of codes."), code="invalid")
    unknown = sorted(set(value) - set(TargetGroup.values))
    if unknown:
        raise ValidationError(
            _("Unknown target group: %(codes)s."),
            code="unknown_target_group",
            params={"codes": ", ".join(unknown)},
        )


def _current_year() -> int:
    return timezone.now().year


BIRTH_YEAR_MIN = 1900
FUTURE_BIRTH_YEAR = _("Birth year cannot be in the future.")


def validate_birth_year(value: int) -> None:
    if value > _current_year():
        raise ValidationError(FUTURE_BIRTH_YEAR, code="future_birth_year")


class ResidentProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="resident_profile")
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(BIRTH_YEAR_MIN),
            MaxValueValidator(2100),
            validate_birth_year,
        ],
        help_text=_("Used only to check age limits and for anonymous statistics."),
    )
    target_groups = models.JSONField(
        _("target groups"), default=list, blank=True, validators=[_validate_target_groups]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident profile")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=BIRTH_YEAR_MIN),
                name="resident_profile_birth_year_plausible",
            )
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    def age_in(self, year: int) -> int | None:
        """Age reached during ``year`` (birth year is all we store)."""
        return None if self.birth_year is None else year - self.birth_year
