"""Forms of the staff workshop pages. Times are entered in the organisation's time zone and
turned into exact moments with ``workshops.times.parse_local`` (a time the clocks skip or
repeat is refused on its field); ``workshops.services`` check and write the rest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from budgeting.models import BudgetRound
from engagement.ideas.models import ParticipatoryProcess
from engagement.people.models import District, Organisation, TargetGroup
from frontend.workshops.events import display
from workshops import times
from workshops.models import Workshop, WorkshopFormat

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _optional_id(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


class LocalTimesMixin:
    """``date`` + ``start_time`` (+ ``end_time``) in the organisation's zone, read back as
    ``starts_at``/``ends_at`` (aware, UTC)."""

    organisation: Organisation

    def _zone_labels(self) -> None:
        zone = self.organisation.time_zone
        for name, label in (
            ("start_time", _("Start time")),
            ("end_time", _("End time")),
            ("closes_time", _("Registration closes at")),
        ):
            if name in self.fields:  # type: ignore[attr-defined]
                self.fields[name].label = _("%(label)s (%(zone)s time)") % {  # type: ignore[attr-defined]
                    "label": label,
                    "zone": zone,
                }

    def _moment(self, cleaned: dict[str, Any], day: date | None, name: str) -> datetime | None:
        clock = cleaned.get(name)
        if day is None or clock is None:
            return None
        try:
            return times.parse_local(day, clock, self.organisation.time_zone, field=name)
        except ValidationError as refused:
            self.add_error(None, refused)  # type: ignore[attr-defined]
            return None


class WorkshopForm(LocalTimesMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happens and why it matters. Simple formatting is kept."),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=WorkshopFormat.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)
    end_time = forms.TimeField(
        label=_("End time"),
        widget=TIME_INPUT,
        help_text=_("On the same day; an end before the start means the next day."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        max_length=20,
        help_text=_("Degrees, such as 56.9496."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        max_length=20,
        help_text=_("Degrees, such as 24.1052."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    online_url = forms.CharField(
        label=_("Online meeting link"),
        required=False,
        max_length=500,
        help_text=_("Shown only to registered participants, from 30 minutes before the start."),
        widget=forms.URLInput,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    accessibility = forms.CharField(
        label=_("Accessibility information"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Step-free access, hearing loop, interpretation, quiet room…"),
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for no limit."),
    )
    waitlist_enabled = forms.BooleanField(label=_("Waiting list when full"), required=False)
    closes_date = forms.DateField(
        label=_("Registration closes on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave both empty to keep registration open until the start."),
    )
    closes_time = forms.TimeField(
        label=_("Registration closes at"), required=False, widget=TIME_INPUT
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Especially for"),
        required=False,
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    minimum_age = forms.IntegerField(
        label=_("Minimum age"), required=False, min_value=0, max_value=120
    )
    asks_accessibility_needs = forms.BooleanField(
        label=_("Ask people about their accessibility needs"), required=False
    )
    asks_dietary_needs = forms.BooleanField(
        label=_("Ask people about their dietary needs"), required=False
    )
    process_id = _optional_id(_("Participatory process"))
    budget_round_id = _optional_id(_("Budget round"))
    district_id = _optional_id(_("District"))
    facilitator_ids = forms.TypedMultipleChoiceField(
        label=_("Facilitators"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They run the workshop's board and check people in."),
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        workshop: Workshop | None = None,
        **kwargs: Any,
    ) -> None:
        if workshop is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = initial_of(workshop)
        elif workshop is None and "initial" not in kwargs:
            kwargs["initial"] = {
                "waitlist_enabled": True,
                "asks_accessibility_needs": True,
                "format": WorkshopFormat.IN_PERSON,
                "languages": list(organisation.languages or [])[:1],
            }
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self._zone_labels()
        offered = list(settings.KOPA_CONTENT_LANGUAGES)
        # A language the workshop already has but the site does not offer (set through the
        # API) stays a choice, so saving the form does not silently drop it.
        known = {code for code, _name in offered}
        kept = [c for c in (workshop.languages if workshop else []) or [] if c not in known]
        names = display.language_names(kept)
        self.fields["languages"].choices = offered + list(zip(kept, names, strict=True))
        none = [("", _("None"))]
        self.fields["process_id"].choices = none + [
            (p.pk, p.title)
            for p in ParticipatoryProcess.objects.filter(organisation=organisation).order_by(
                "title"
            )
        ]
        self.fields["budget_round_id"].choices = none + [
            (r.pk, r.title)
            for r in BudgetRound.objects.filter(organisation=organisation).order_by("-created_at")
        ]
        self.fields["district_id"].choices = none + [
            (d.pk, d.name) for d in District.objects.filter(organisation=organisation)
        ]
        people = (
            get_user_model()
            .objects.filter(memberships__organisation=organisation, is_active=True)
            .distinct()
            .order_by("display_name", "email")
        )
        self.fields["facilitator_ids"].choices = [(u.pk, u.display_name or u.email) for u in people]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day = cleaned.get("date")
        starts_at = self._moment(cleaned, day, "start_time")
        ends_at = self._moment(cleaned, day, "end_time")
        if starts_at and ends_at and ends_at <= starts_at:
            # An end before the start: the next day (an evening workshop past midnight).
            ends_at = self._moment(cleaned, day + timedelta(days=1), "end_time")
        cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        cleaned["registration_closes_at"] = self._closes_at(cleaned)
        return cleaned

    def _closes_at(self, cleaned: dict[str, Any]) -> datetime | None:
        """Optional: both the day and the time, or neither (open until the start)."""
        day, clock = cleaned.get("closes_date"), cleaned.get("closes_time")
        if day is None and clock is None:
            return None
        if day is None:
            self.add_error("closes_date", _("Give the day registration closes, or no time."))
            return None
        if clock is None:
            self.add_error("closes_time", _("Give the time registration closes, or no day."))
            return None
        return self._moment(cleaned, day, "closes_time")

    def workshop_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "title", "description", "format", "starts_at", "ends_at", "venue", "address",
            "latitude", "longitude", "online_url", "languages", "accessibility", "capacity",
            "waitlist_enabled", "target_groups", "minimum_age", "asks_accessibility_needs",
            "asks_dietary_needs", "process_id", "budget_round_id", "district_id",
            "facilitator_ids", "registration_closes_at",
        )  # fmt: skip
        return {name: data.get(name) for name in names}


def initial_of(workshop: Workshop) -> dict[str, Any]:
    zone = workshop.organisation.time_zone
    start = times.to_local(workshop.starts_at, zone)
    end = times.to_local(workshop.ends_at, zone)
    closes = (
        times.to_local(workshop.registration_closes_at, zone)
        if workshop.registration_closes_at
        else None
    )
    return {
        "title": workshop.title,
        "description": workshop.description,
        "format": workshop.format,
        "date": start.date(),
        "start_time": start.time().replace(second=0, microsecond=0, tzinfo=None),
        "end_time": end.time().replace(second=0, microsecond=0, tzinfo=None),
        "venue": workshop.venue,
        "address": workshop.address,
        "latitude": "" if workshop.latitude is None else str(workshop.latitude),
        "longitude": "" if workshop.longitude is None else str(workshop.longitude),
        "online_url": workshop.online_url,
        "languages": list(workshop.languages or []),
        "accessibility": workshop.accessibility,
        "capacity": workshop.capacity,
        "waitlist_enabled": workshop.waitlist_enabled,
        "closes_date": closes.date() if closes else None,
        "closes_time": closes.time().replace(second=0, microsecond=0, tzinfo=None)
        if closes
        else None,
        "target_groups": list(workshop.target_groups or []),
        "minimum_age": workshop.minimum_age,
        "asks_accessibility_needs": workshop.asks_accessibility_needs,
        "asks_dietary_needs": workshop.asks_dietary_needs,
        "process_id": workshop.process_id,
        "budget_round_id": workshop.budget_round_id,
        "district_id": workshop.district_id,
        "facilitator_ids": list(workshop.facilitators.values_list("pk", flat=True)),
    }


class AgendaItemForm(forms.Form):
    starts_after_minutes = forms.IntegerField(
        label=_("Minutes after the start"), required=False, min_value=0
    )
    title = forms.CharField(label=_("Agenda item"), required=False, max_length=200)
    description = forms.CharField(label=_("Details"), required=False, max_length=1000)


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=3, max_num=50)


def agenda_items(formset: Any) -> list[dict[str, Any]]:
    """The agenda rows with a title, in order (empty rows left out)."""
    items = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        if (data.get("title") or "").strip():
            items.append(
                {
                    "title": data["title"],
                    "description": data.get("description") or "",
                    "starts_after_minutes": data.get("starts_after_minutes") or 0,
                }
            )
    return items


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to everyone registered and shown on the workshop's page."),
    )


class CopyForm(LocalTimesMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_INPUT)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self._zone_labels()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["starts_at"] = self._moment(cleaned, cleaned.get("date"), "start_time")
        return cleaned


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "What was discussed and decided. HTML paragraphs, bold, italics, lists and links "
            "are kept; headings and other tags are removed (their text stays)."
        ),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(
        label=_("Describe the photo"),
        max_length=300,
        help_text=_("For people who cannot see it, such as “Residents sorting notes on a wall”."),
    )
