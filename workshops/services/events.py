"""Staff run workshops: create, edit, publish, cancel (participants told), copy, agenda.

Administrators of the workshop's organisation (or ``SYSTEM``) do all of it; every write
checks that first. Bad input is a ``ValidationError`` keyed by field with a stable code per
message, as the pages and the API show it. Times may come as exact instants (aware) or as
wall-clock times in the organisation's zone (naive), which are refused when the clocks skip
or repeat them (``nonexistent_time``, ``ambiguous_time``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from engagement import dashboards
from engagement.content import sanitise
from engagement.http.fields import LatitudeInput, LongitudeInput
from engagement.people.models import Organisation, TargetGroup
from engagement.people.permissions import person_or_none
from workshops import notifications, times
from workshops.models import (
    AgendaItem,
    Prompt,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopFormat,
    WorkshopStatus,
)
from workshops.permissions import require_manager
from workshops.services.registration import fill_free_places

# What staff may set, in the order forms and the API show them.
WORKSHOP_FIELDS = (
    "title",
    "description",
    "format",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "latitude",
    "longitude",
    "online_url",
    "languages",
    "accessibility",
    "target_groups",
    "minimum_age",
    "capacity",
    "waitlist_enabled",
    "registration_closes_at",
    "asks_accessibility_needs",
    "asks_dietary_needs",
    "process_id",
    "budget_round_id",
    "district_id",
    "dots_per_participant",
    "facilitator_ids",
)
_COPIED_FIELDS = tuple(f for f in WORKSHOP_FIELDS if f not in ("starts_at", "ends_at"))
_FLAGS = (
    "waitlist_enabled",
    "asks_accessibility_needs",
    "asks_dietary_needs",
)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
MAX_AGENDA_ITEMS = 50
MAX_DURATION = timedelta(days=14)
YEARS = (2000, 2100)


def _error(field: str, message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


class _Errors:
    """Collects field errors so that one answer names every problem."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, code: str) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _clean(organisation: Organisation, values: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """Each given field cleaned (texts sanitised, links checked against the organisation);
    problems collected in ``errors``."""
    unknown = set(values) - set(WORKSHOP_FIELDS)
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."), "unknown_field")
    cleaned: dict[str, Any] = {}
    tz_name = organisation.time_zone
    for name, value in values.items():
        if name in unknown:
            continue
        if name == "title":
            text = sanitise.plain_text(value or "")
            if not text:
                errors.add(name, _("Give the workshop a title."), "required")
            elif len(text) > 200:
                errors.add(name, _("At most 200 characters."), "max_length")
            cleaned[name] = text
        elif name in ("description",):
            cleaned[name] = sanitise.rich_text(value or "")
        elif name in ("accessibility",):
            cleaned[name] = sanitise.plain_text(value or "", multiline=True)
        elif name in ("venue", "address"):
            text = sanitise.plain_text(value or "")
            limit = 200 if name == "venue" else 300
            if len(text) > limit:
                errors.add(
                    name, _("At most %(limit)s characters.") % {"limit": limit}, "max_length"
                )
            cleaned[name] = text
        elif name == "format":
            if value not in WorkshopFormat.values:
                errors.add(name, _("Choose in person, online or hybrid."), "invalid_choice")
            cleaned[name] = value
        elif name in ("starts_at", "ends_at", "registration_closes_at"):
            if value is None and name == "registration_closes_at":
                cleaned[name] = None
                continue
            if not isinstance(value, datetime):
                errors.add(name, _("Give a date and time."), "required")
                continue
            # Before the zone database's modern rules, or absurdly far ahead: a typo.
            if not YEARS[0] <= value.year <= YEARS[1]:
                errors.add(
                    name,
                    _("Give a date between %(first)s and %(last)s.")
                    % {"first": YEARS[0], "last": YEARS[1]},
                    "out_of_range",
                )
                continue
            try:
                cleaned[name] = times.check_wall_clock(value, tz_name, field=name)
            except ValidationError as error:
                for message in error.message_dict[name]:
                    code = error.error_dict[name][0].code or "invalid"
                    errors.add(name, message, code)
        elif name in ("latitude", "longitude"):
            # The kernel's coordinate check, as the ideas and the API use it.
            field = LatitudeInput() if name == "latitude" else LongitudeInput()
            if value in (None, ""):
                cleaned[name] = None
                continue
            try:
                cleaned[name] = field.run_validation(value)
            except serializers.ValidationError as refused:
                for detail in refused.detail:
                    errors.add(name, str(detail), detail.code or "invalid")
        elif name == "online_url":
            link = (value or "").strip()
            if link:
                try:
                    URLValidator(schemes=["https", "http"])(link)
                except ValidationError:
                    errors.add(name, _("Give a web address starting with https://."), "invalid_url")
                if len(link) > 500:
                    errors.add(name, _("At most 500 characters."), "max_length")
            cleaned[name] = link
        elif name == "languages":
            codes = value or []
            if not isinstance(codes, list) or not all(
                isinstance(c, str) and _LANGUAGE_CODE.match(c) for c in codes
            ):
                errors.add(name, _("Give language codes such as “lv” or “en”."), "invalid")
                continue
            cleaned[name] = list(dict.fromkeys(codes))
        elif name == "target_groups":
            codes = value or []
            if not isinstance(codes, list) or not all(c in TargetGroup.values for c in codes):
                errors.add(name, _("Choose from the listed target groups."), "invalid_choice")
                continue
            cleaned[name] = list(dict.fromkeys(codes))
        elif name in ("minimum_age", "capacity", "dots_per_participant"):
            if value is None and name != "dots_per_participant":
                cleaned[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                errors.add(name, _("Give a whole number."), "invalid")
                continue
            low, high = {
                "minimum_age": (0, 120),
                "capacity": (1, 100_000),
                "dots_per_participant": (1, 20),
            }[name]
            if not low <= value <= high:
                errors.add(
                    name,
                    _("Between %(low)s and %(high)s.") % {"low": low, "high": high},
                    "out_of_range",
                )
            cleaned[name] = value
        elif name in _FLAGS:
            cleaned[name] = bool(value)
        elif name in ("process_id", "budget_round_id", "district_id"):
            cleaned[name] = _linked(organisation, name, value, errors)
        elif name == "facilitator_ids":
            ids = value or []
            if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids
            ):
                errors.add(name, _("Give a list of user ids."), "invalid")
                continue
            found = set(
                get_user_model()
                .objects.filter(pk__in=ids, is_active=True)
                .values_list("pk", flat=True)
            )
            if found != set(ids):
                errors.add(name, _("Some of these people do not exist."), "does_not_exist")
            cleaned[name] = sorted(found)
    return cleaned


def _linked(organisation: Organisation, name: str, value: Any, errors: _Errors) -> int | None:
    """A process, round or district of the same organisation (by id), or None."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, _("Give an id."), "invalid")
        return None
    # Through the workshop's own foreign keys: workshops import no other feature's models.
    model = Workshop._meta.get_field(name.removesuffix("_id")).related_model
    if not model.objects.filter(pk=value, organisation=organisation).exists():
        errors.add(name, _("Not found in this organisation."), "does_not_exist")
        return None
    return value


def _check_whole(workshop: Workshop, errors: _Errors) -> None:
    """Rules across fields, on the workshop as it would be saved."""
    if workshop.starts_at and workshop.ends_at:
        if workshop.ends_at <= workshop.starts_at:
            errors.add("ends_at", _("The workshop must end after it starts."), "ends_before_start")
        elif workshop.ends_at - workshop.starts_at > MAX_DURATION:
            errors.add("ends_at", _("A workshop lasts at most 14 days."), "too_long")
    if (
        workshop.registration_closes_at
        and workshop.ends_at
        and workshop.registration_closes_at > workshop.ends_at
    ):
        errors.add(
            "registration_closes_at",
            _("Registration must close before the workshop ends."),
            "closes_after_end",
        )
    if (workshop.latitude is None) != (workshop.longitude is None):
        field = "longitude" if workshop.longitude is None else "latitude"
        errors.add(field, _("Give both latitude and longitude, or neither."), "incomplete")
    if workshop.capacity is not None and workshop.registered > workshop.capacity:
        errors.add(
            "capacity",
            _("%(count)s people already have a place: the capacity cannot be lower.")
            % {"count": workshop.registered},
            "capacity_below_registered",
        )


def _check_publishable(workshop: Workshop, errors: _Errors) -> None:
    """What a published workshop needs: a place to come to, or a link to join (the link
    may follow later only for in-person workshops)."""
    if workshop.format in (WorkshopFormat.IN_PERSON, WorkshopFormat.HYBRID) and not (
        workshop.venue or workshop.address
    ):
        errors.add("venue", _("Say where the workshop takes place."), "place_required")
    if (
        workshop.format in (WorkshopFormat.ONLINE, WorkshopFormat.HYBRID)
        and not workshop.online_url
    ):
        errors.add("online_url", _("Give the link of the online meeting."), "online_url_required")


def _lock(workshop: Workshop) -> Workshop:
    """The workshop row locked for this transaction: registrations, edits and cancelling
    of one workshop do not interleave."""
    return Workshop.objects.select_for_update().select_related("organisation").get(pk=workshop.pk)


@transaction.atomic
def create_workshop(*, actor: Any, organisation: Organisation, **fields: Any) -> Workshop:
    """A new draft workshop of ``organisation``. ``title``, ``format``, ``starts_at`` and
    ``ends_at`` are needed; everything else has a default."""
    require_manager(actor, organisation)
    errors = _Errors()
    for required in ("title", "format", "starts_at", "ends_at"):
        if fields.get(required) in (None, ""):
            errors.add(required, _("This field is required."), "required")
    given = {k: v for k, v in fields.items() if v is not None and k not in errors.errors}
    cleaned = _clean(organisation, given, errors)
    facilitator_ids = cleaned.pop("facilitator_ids", None)
    workshop = Workshop(
        organisation=organisation, created_by=person_or_none(actor), status=WorkshopStatus.DRAFT
    )
    for name, value in cleaned.items():
        setattr(workshop, name, value)
    if not errors.errors:
        _check_whole(workshop, errors)
    errors.raise_if_any()
    workshop.save()
    if facilitator_ids:
        workshop.facilitators.set(facilitator_ids)
    return workshop


@transaction.atomic
def update_workshop(*, actor: Any, workshop: Workshop, **changes: Any) -> Workshop:
    """Change some fields. A cancelled workshop is not changed any more (``cancelled``).
    More places fill from the waiting list at once; fewer than the people confirmed is
    refused (``capacity_below_registered``)."""
    require_manager(actor, workshop.organisation_id)
    workshop = _lock(workshop)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise _error("status", _("The workshop is cancelled; it cannot be changed."), "cancelled")
    errors = _Errors()
    cleaned = _clean(workshop.organisation, changes, errors)
    for required in ("title", "format", "starts_at", "ends_at"):
        if required not in errors.errors and changes.get(required, 0) in (None, ""):
            errors.add(required, _("This field is required."), "required")
    facilitator_ids = cleaned.pop("facilitator_ids", None)
    for name, value in cleaned.items():
        setattr(workshop, name, value)
    if not errors.errors:
        _check_whole(workshop, errors)
        if workshop.status == WorkshopStatus.PUBLISHED:
            _check_publishable(workshop, errors)
    errors.raise_if_any()
    # Only what changed: ``registered`` is kept by F() updates and the board's fields by
    # the board services.
    workshop.save(update_fields=[*cleaned, "updated_at"])
    if facilitator_ids is not None:
        workshop.facilitators.set(facilitator_ids)
    if "capacity" in cleaned or "waitlist_enabled" in cleaned:
        fill_free_places(workshop)
    return workshop


@transaction.atomic
def publish_workshop(*, actor: Any, workshop: Workshop) -> Workshop:
    """Announce a draft: it is listed, in the calendar feed, and people may register."""
    require_manager(actor, workshop.organisation_id)
    workshop = _lock(workshop)
    if workshop.status != WorkshopStatus.DRAFT:
        raise _error("status", _("Only a draft can be published."), "not_draft")
    errors = _Errors()
    _check_publishable(workshop, errors)
    errors.raise_if_any()
    workshop.status = WorkshopStatus.PUBLISHED
    workshop.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: dashboards.counts_changed(workshop.organisation_id))
    return workshop


@transaction.atomic
def cancel_workshop(*, actor: Any, workshop: Workshop, reason: str = "") -> Workshop:
    """Call a workshop off. Everyone with a place or on the waiting list is told (with the
    reason); their registrations are kept, so they can see what happened. A workshop that
    has ended cannot be cancelled (``already_ended``)."""
    require_manager(actor, workshop.organisation_id)
    workshop = _lock(workshop)
    if workshop.status == WorkshopStatus.CANCELLED:
        raise _error("status", _("The workshop is already cancelled."), "already_cancelled")
    if workshop.status == WorkshopStatus.DRAFT:
        # A cancelled workshop is public (people see what happened); a draft never was.
        raise _error(
            "status", _("A draft is not announced: there is nothing to cancel."), "not_published"
        )
    if workshop.ends_at <= timezone.now():
        raise _error("status", _("The workshop has already taken place."), "already_ended")
    workshop.status = WorkshopStatus.CANCELLED
    workshop.cancelled_at = timezone.now()
    workshop.cancellation_reason = sanitise.plain_text(reason or "", multiline=True)
    workshop.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    people = [
        r.user
        for r in Registration.objects.filter(
            workshop=workshop,
            status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
        ).select_related("user")
    ]
    notifications.tell(
        notifications.CANCELLED, workshop, people, actor=actor, reason=workshop.cancellation_reason
    )
    transaction.on_commit(lambda: dashboards.counts_changed(workshop.organisation_id))
    return workshop


@transaction.atomic
def copy_workshop(*, actor: Any, workshop: Workshop, starts_at: datetime) -> Workshop:
    """A new draft like ``workshop`` at ``starts_at`` (same length; the registration
    deadline and agenda keep their distance to the start): same settings, agenda, prompts
    and facilitators; no registrations, notes, minutes or photos."""
    require_manager(actor, workshop.organisation_id)
    organisation = workshop.organisation
    errors = _Errors()
    if not isinstance(starts_at, datetime):
        raise _error("starts_at", _("Give a date and time."), "required")
    start = _clean(organisation, {"starts_at": starts_at}, errors).get("starts_at")
    errors.raise_if_any()
    assert start is not None
    copy = Workshop(organisation=organisation, status=WorkshopStatus.DRAFT)
    for name in _COPIED_FIELDS:
        if name != "facilitator_ids":
            setattr(copy, name, getattr(workshop, name))
    copy.title = workshop.title
    copy.starts_at = start
    copy.ends_at = start + (workshop.ends_at - workshop.starts_at)
    if workshop.registration_closes_at is not None:
        copy.registration_closes_at = start - (workshop.starts_at - workshop.registration_closes_at)
    copy.copied_from = workshop
    copy.created_by = person_or_none(actor)
    copy.save()
    copy.facilitators.set(workshop.facilitators.all())
    AgendaItem.objects.bulk_create(
        AgendaItem(
            workshop=copy,
            position=item.position,
            starts_after_minutes=item.starts_after_minutes,
            title=item.title,
            description=item.description,
        )
        for item in workshop.agenda.all()
    )
    Prompt.objects.bulk_create(
        Prompt(workshop=copy, position=p.position, text=p.text) for p in workshop.prompts.all()
    )
    return copy


@transaction.atomic
def set_agenda(*, actor: Any, workshop: Workshop, items: list[dict[str, Any]]) -> list[AgendaItem]:
    """Replace the agenda with ``items`` (``title``, ``description``, ``starts_after_minutes``)
    in the order given. Errors are keyed by path (``agenda.2.title``)."""
    require_manager(actor, workshop.organisation_id)
    workshop = _lock(workshop)
    errors = _Errors()
    if not isinstance(items, list):
        raise _error("agenda", _("Give a list of agenda items."), "invalid")
    if len(items) > MAX_AGENDA_ITEMS:
        raise _error(
            "agenda",
            _("At most %(count)s agenda items.") % {"count": MAX_AGENDA_ITEMS},
            "too_many",
        )
    length = int((workshop.ends_at - workshop.starts_at).total_seconds() // 60)
    rows = []
    for index, item in enumerate(items):
        path = f"agenda.{index}"
        if not isinstance(item, dict):
            errors.add(path, _("Give a title and a time."), "invalid")
            continue
        title = sanitise.plain_text(item.get("title") or "")
        if not title:
            errors.add(f"{path}.title", _("Give the agenda item a title."), "required")
        elif len(title) > 200:
            errors.add(f"{path}.title", _("At most 200 characters."), "max_length")
        minutes = item.get("starts_after_minutes", 0)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= length:
            errors.add(
                f"{path}.starts_after_minutes",
                _("Between 0 and %(length)s minutes after the start.") % {"length": length},
                "out_of_range",
            )
            minutes = 0
        rows.append(
            AgendaItem(
                workshop=workshop,
                position=index,
                starts_after_minutes=minutes,
                title=title,
                description=sanitise.plain_text(item.get("description") or "", multiline=True),
            )
        )
    errors.raise_if_any()
    workshop.agenda.all().delete()
    return AgendaItem.objects.bulk_create(rows)
