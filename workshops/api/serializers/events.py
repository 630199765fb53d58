"""Serializers of the workshop endpoints: queries and inputs in, workshops out.

Times go out as ISO 8601 with the offset of the organisation's zone on that day
(``2026-06-15T10:00:00+02:00``), with the same span written for people
(``when``: "Mon 15 June 2026, 10:00-12:30 CEST", an en dash between the times). Times
come in as ISO 8601: with an offset they are that instant; without one, a wall-clock time
in the organisation's zone (refused when the clocks skip or repeat it that day).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagement.http.api import Input, WholeNumberField
from engagement.http.fields import LatitudeInput, LongitudeInput
from engagement.people.models import TargetGroup
from workshops import selectors, times
from workshops.models import (
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopFormat,
    WorkshopPhoto,
)
from workshops.notifications import workshop_path
from workshops.permissions import can_manage


class LocalDateTimeField(serializers.DateTimeField):
    """ISO 8601; without an offset it stays a wall-clock time (naive), which the services
    place in the organisation's zone."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value
        return super().enforce_timezone(value)


# --- queries ---------------------------------------------------------------------------


class WorkshopListQuery(serializers.Serializer):
    organisation = serializers.SlugField(
        max_length=80, required=False, help_text="The organisation's slug."
    )
    when = serializers.ChoiceField(
        choices=[("upcoming", "upcoming"), ("past", "past")],
        required=False,
        help_text="upcoming: not ended yet, soonest first; past: ended, latest first.",
    )
    format = serializers.ChoiceField(choices=WorkshopFormat.choices, required=False)
    district = serializers.SlugField(max_length=80, required=False, help_text="District slug.")
    process = serializers.SlugField(
        max_length=120, required=False, help_text="Participatory process slug."
    )
    round = serializers.SlugField(max_length=120, required=False, help_text="Budget round slug.")


# --- output ----------------------------------------------------------------------------


class WorkshopLinks(serializers.Serializer):
    self = serializers.CharField(help_text="This workshop in the API.")
    page = serializers.CharField(help_text="Its page (empty if pages are not installed).")
    calendar = serializers.CharField(help_text="The .ics file.")
    registration = serializers.CharField(help_text="GET, POST and DELETE your registration.")


def _tz(workshop: Workshop) -> str:
    return workshop.organisation.time_zone


class WorkshopOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    district = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    process = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    budget_round = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    starts_at = serializers.SerializerMethodField(
        help_text="ISO 8601 with the offset of the organisation's zone."
    )
    ends_at = serializers.SerializerMethodField(
        help_text="ISO 8601 with the offset of the organisation's zone."
    )
    registration_closes_at = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField(help_text="The organisation's zone (IANA).")
    when = serializers.SerializerMethodField(
        help_text='The span as people read it: "Mon 15 June 2026, 10:00-12:30 CEST" '
        "(an en dash between the times)."
    )
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    waitlisted = serializers.SerializerMethodField(help_text="People on the waiting list.")
    places_left = serializers.SerializerMethodField(help_text="Null: no limit.")
    url = serializers.SerializerMethodField(help_text="The workshop's page.")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Workshop
        fields = [
            "id",
            "title",
            "organisation",
            "status",
            "format",
            "starts_at",
            "ends_at",
            "time_zone",
            "when",
            "venue",
            "address",
            "latitude",
            "longitude",
            "district",
            "process",
            "budget_round",
            "languages",
            "target_groups",
            "minimum_age",
            "capacity",
            "registered",
            "waitlisted",
            "places_left",
            "waitlist_enabled",
            "registration_closes_at",
            "url",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField())
    def get_starts_at(self, obj: Workshop) -> str | None:
        return times.iso(obj.starts_at, _tz(obj))

    @extend_schema_field(serializers.DateTimeField())
    def get_ends_at(self, obj: Workshop) -> str | None:
        return times.iso(obj.ends_at, _tz(obj))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_registration_closes_at(self, obj: Workshop) -> str | None:
        return times.iso(obj.registration_closes_at, _tz(obj))

    def get_time_zone(self, obj: Workshop) -> str:
        return _tz(obj)

    def get_when(self, obj: Workshop) -> str:
        return times.local_span(obj.starts_at, obj.ends_at, _tz(obj))

    def get_waitlisted(self, obj: Workshop) -> int:
        waiting = getattr(obj, "waitlisted", None)
        if waiting is None:
            waiting = obj.registrations.filter(status=RegistrationStatus.WAITLISTED).count()
        return int(waiting)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_places_left(self, obj: Workshop) -> int | None:
        return None if obj.capacity is None else max(0, obj.capacity - obj.registered)

    def get_url(self, obj: Workshop) -> str:
        return workshop_path(obj)

    @extend_schema_field(WorkshopLinks)
    def get_links(self, obj: Workshop) -> dict[str, str]:
        return {
            "self": reverse("api:workshop-detail", args=[obj.pk]),
            "page": workshop_path(obj),
            "calendar": reverse("api:workshop-calendar", args=[obj.pk]),
            "registration": reverse("api:workshop-registration", args=[obj.pk]),
        }


class AgendaItemOutput(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    starts_after_minutes = serializers.IntegerField()
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with the organisation's offset.")


class PhotoOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt_text = serializers.CharField()


def photo_data(photo: WorkshopPhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "url": photo.file.url,
        "width": photo.width,
        "height": photo.height,
        "alt_text": photo.alt_text,
    }


class PhotoInput(Input):
    image = serializers.FileField(
        allow_empty_file=False,
        help_text="JPEG, PNG or WebP (checked by content, not by name); at most 8 MB.",
    )
    alt_text = serializers.CharField(
        max_length=300, help_text="What the photo shows, for people who cannot see it."
    )


class MyRegistrationOutput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=RegistrationStatus.choices,
        allow_null=True,
        help_text="Null: not registered (or signed out).",
    )
    waitlist_position = serializers.IntegerField(
        allow_null=True, help_text="1 for the first in line; null when not waiting."
    )
    registered_at = serializers.DateTimeField(allow_null=True)
    promoted_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    accessibility_needs = serializers.CharField(allow_blank=True)
    dietary_needs = serializers.CharField(allow_blank=True)
    answers_deleted_at = serializers.DateTimeField(allow_null=True)


def registration_data(registration: Registration | None, workshop: Workshop) -> dict[str, Any]:
    tz = _tz(workshop)
    if registration is None:
        return {
            "status": None,
            "waitlist_position": None,
            "registered_at": None,
            "promoted_at": None,
            "cancelled_at": None,
            "accessibility_needs": "",
            "dietary_needs": "",
            "answers_deleted_at": None,
        }
    return {
        "status": registration.status,
        "waitlist_position": selectors.waitlist_position(registration),
        "registered_at": times.iso(registration.registered_at, tz),
        "promoted_at": times.iso(registration.promoted_at, tz),
        "cancelled_at": times.iso(registration.cancelled_at, tz),
        "accessibility_needs": registration.accessibility_needs,
        "dietary_needs": registration.dietary_needs,
        "answers_deleted_at": times.iso(registration.answers_deleted_at, tz),
    }


class WorkshopDetailOutput(WorkshopOutput):
    agenda = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    my_registration = serializers.SerializerMethodField(
        help_text="The signed-in person's registration; null when signed out."
    )
    online_url = serializers.SerializerMethodField(
        help_text="The meeting link: only for confirmed participants (and facilitators), "
        "from 30 minutes before the start until the end; else null."
    )
    minutes = serializers.SerializerMethodField(
        help_text="Sanitised HTML, once the outcome is published (staff: always)."
    )
    cancelled_at = serializers.SerializerMethodField()
    outcome_published_at = serializers.SerializerMethodField()

    class Meta(WorkshopOutput.Meta):
        fields = [
            *WorkshopOutput.Meta.fields,
            "description",
            "accessibility",
            "asks_accessibility_needs",
            "asks_dietary_needs",
            "cancellation_reason",
            "cancelled_at",
            "board_stage",
            "agenda",
            "photos",
            "minutes",
            "outcome_published_at",
            "my_registration",
            "online_url",
        ]
        read_only_fields = fields

    @extend_schema_field(AgendaItemOutput(many=True))
    def get_agenda(self, obj: Workshop) -> list[dict[str, Any]]:
        return [
            {
                "title": item.title,
                "description": item.description,
                "starts_after_minutes": item.starts_after_minutes,
                "starts_at": times.iso(
                    obj.starts_at + timedelta(minutes=item.starts_after_minutes), _tz(obj)
                ),
            }
            for item in obj.agenda.all()
        ]

    @extend_schema_field(PhotoOutput(many=True))
    def get_photos(self, obj: Workshop) -> list[dict[str, Any]]:
        if not self._outcome_visible(obj):
            return []
        return [photo_data(p) for p in obj.photos.all()]

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _outcome_visible(self, obj: Workshop) -> bool:
        return obj.outcome_published_at is not None or can_manage(self._user(), obj.organisation_id)

    @extend_schema_field(MyRegistrationOutput(allow_null=True))
    def get_my_registration(self, obj: Workshop) -> dict[str, Any] | None:
        user = self._user()
        if not getattr(user, "is_authenticated", False):
            return None
        return registration_data(selectors.my_registration(user, obj), obj)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_online_url(self, obj: Workshop) -> str | None:
        return selectors.online_link_for(self._user(), obj)

    @extend_schema_field(serializers.CharField())
    def get_minutes(self, obj: Workshop) -> str:
        return obj.minutes if self._outcome_visible(obj) else ""

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_cancelled_at(self, obj: Workshop) -> str | None:
        return times.iso(obj.cancelled_at, _tz(obj))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_outcome_published_at(self, obj: Workshop) -> str | None:
        return times.iso(obj.outcome_published_at, _tz(obj))


class WorkshopStaffOutput(WorkshopDetailOutput):
    """What staff see of a workshop they manage: the meeting link and facilitators too."""

    meeting_url = serializers.CharField(source="online_url", read_only=True)
    facilitators = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    copied_from = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    dots_per_participant = serializers.IntegerField(read_only=True)

    class Meta(WorkshopDetailOutput.Meta):
        fields = [
            *WorkshopDetailOutput.Meta.fields,
            "meeting_url",
            "facilitators",
            "copied_from",
            "dots_per_participant",
        ]
        read_only_fields = fields


# --- input -----------------------------------------------------------------------------


class AgendaItemInput(Input):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    starts_after_minutes = WholeNumberField(min_value=0, max_value=20_160, required=False)


class WorkshopInput(Input):
    """Create (title, format, starts_at, ends_at needed) or change (PATCH: any subset)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    format = serializers.ChoiceField(choices=WorkshopFormat.choices)
    starts_at = LocalDateTimeField(
        help_text="ISO 8601. Without an offset: wall-clock time in the organisation's zone."
    )
    ends_at = LocalDateTimeField(help_text="As starts_at.")
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    # Degrees, kept to 6 decimals (about 10 cm).
    latitude = LatitudeInput(required=False, allow_null=True)
    longitude = LongitudeInput(required=False, allow_null=True)
    online_url = serializers.RegexField(
        r"^https?://\S+$",
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="The meeting link (shown only to registered participants, shortly before). "
        "A web address; one that is not a real address is refused with invalid_url.",
    )
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,3}$"), required=False, max_length=20
    )
    accessibility = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.choices), required=False, max_length=20
    )
    minimum_age = WholeNumberField(min_value=0, max_value=120, required=False, allow_null=True)
    capacity = WholeNumberField(
        min_value=1, max_value=100_000, required=False, allow_null=True, help_text="Null: no limit."
    )
    waitlist_enabled = serializers.BooleanField(required=False)
    registration_closes_at = LocalDateTimeField(required=False, allow_null=True)
    asks_accessibility_needs = serializers.BooleanField(required=False)
    asks_dietary_needs = serializers.BooleanField(required=False)
    process_id = WholeNumberField(min_value=1, required=False, allow_null=True)
    budget_round_id = WholeNumberField(min_value=1, required=False, allow_null=True)
    district_id = WholeNumberField(min_value=1, required=False, allow_null=True)
    dots_per_participant = WholeNumberField(min_value=1, max_value=20, required=False)
    facilitator_ids = serializers.ListField(
        child=WholeNumberField(min_value=1), required=False, max_length=50
    )
    agenda = AgendaItemInput(many=True, required=False, max_length=50)


class RegistrationInput(Input):
    accessibility_needs = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Kept only when the workshop asks; deleted 30 days after it.",
    )
    dietary_needs = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Kept only when the workshop asks; deleted 30 days after it.",
    )


class CancelInput(Input):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Told to participants."
    )


class CopyInput(Input):
    starts_at = LocalDateTimeField(
        help_text="When the copy starts (ISO 8601; without an offset: the organisation's zone)."
    )


class AttendanceOutput(serializers.Serializer):
    registration = serializers.IntegerField(source="pk")
    user = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    attended = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    accessibility_needs = serializers.CharField()
    dietary_needs = serializers.CharField()

    def get_name(self, obj: Registration) -> str:
        return obj.user.display_name or obj.user.email


class AttendanceInput(Input):
    registration = WholeNumberField(min_value=1)
    attended = serializers.BooleanField()


class MinutesInput(Input):
    minutes = serializers.CharField(allow_blank=True, max_length=100_000)
