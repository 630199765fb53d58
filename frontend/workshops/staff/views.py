"""Staff pages of workshops: an organisation's workshops (drafts too), a new one, editing
(times in the organisation's zone), publishing, cancelling (participants told), copying to
a new date, the check-in list (with its CSV), and the outcome (minutes, photos, publishing).

Thin views: the forms read the page, ``workshops.services`` decide and write, and refusals go
back on the form (``frontend.service_errors``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from engagement.http.spreadsheets import csv_text
from engagement.people.models import Organisation
from frontend.service_errors import add_service_errors
from frontend.staff_access import require_role, signed_in, staff_crumbs, staff_page
from frontend.workshops.events import display
from frontend.workshops.staff.forms import (
    AgendaFormSet,
    CancelForm,
    CopyForm,
    MinutesForm,
    PhotoForm,
    WorkshopForm,
    agenda_items,
)
from workshops import permissions, selectors
from workshops.models import Workshop, WorkshopPhoto, WorkshopStatus
from workshops.services import events, outcomes
from workshops.services import registration as registering

# Service field names -> the form's fields.
ALIASES = {
    "starts_at": "start_time",
    "ends_at": "end_time",
    "registration_closes_at": "closes_time",
    "registration": "title",
}


def workshop_page(
    allowed: Callable[[Any, Organisation], bool] = permissions.can_manage,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in, then the role in the workshop's organisation; dates in its zone."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapped(request: HttpRequest, pk: int) -> HttpResponse:
            redirect_response = signed_in(request)
            if redirect_response is not None:
                return redirect_response
            workshop = selectors.workshop_by_pk(pk)
            require_role(request, workshop.organisation, allowed)
            with timezone.override(ZoneInfo(workshop.organisation.time_zone)):
                response = view(request, workshop)
            add_never_cache_headers(response)
            return response

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def _crumbs(workshop: Workshop, *more: tuple[str, str | None]) -> list[dict[str, str]]:
    organisation = workshop.organisation
    pairs: list[tuple[str, str | None]] = [
        (_("Workshops"), reverse("frontend:staff_workshops", args=[organisation.slug])),
    ]
    if more:
        pairs.append((workshop.title, reverse("frontend:staff_workshop_edit", args=[workshop.pk])))
        pairs.extend(more)
    else:
        pairs.append((workshop.title, None))
    return staff_crumbs(organisation, *pairs)


def _nav(workshop: Workshop) -> list[dict[str, str]]:
    pages = [
        (_("Settings"), "staff_workshop_edit"),
        (_("Check-in list"), "staff_workshop_attendance"),
        (_("Outcome"), "staff_workshop_outcome"),
        (_("Copy"), "staff_workshop_copy"),
        (_("Public page"), "workshop_detail"),
    ]
    if workshop.status != WorkshopStatus.CANCELLED and workshop.ends_at > timezone.now():
        pages.insert(3, (_("Cancel"), "staff_workshop_cancel"))
    return [
        {"label": label, "url": reverse(f"frontend:{name}", args=[workshop.pk]), "name": name}
        for label, name in pages
    ]


def _context(workshop: Workshop, current: str, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": workshop.organisation,
        "workshop": workshop,
        "card": display.card(workshop),
        "when": display.time_span(workshop),
        "workshop_links": _nav(workshop),
        "current": current,
        **extra,
    }


def _natural(name: str) -> list[Any]:
    """Sort key reading numbers as numbers: "Resident 2" before "Resident 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def _status_badge(workshop: Workshop) -> str:
    return {
        WorkshopStatus.DRAFT: "badge--warn",
        WorkshopStatus.PUBLISHED: "badge--ok",
    }.get(workshop.status, "")


# --- the organisation's workshops -----------------------------------------------------------


@staff_page(permissions.can_manage)
def staff_workshops(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Every workshop of the organisation, drafts included, latest first."""
    workshops = selectors.workshop_list(request.user, organisation=organisation).order_by(
        "-starts_at", "-pk"
    )
    rows = [
        {
            "card": display.card(workshop),
            "status": WorkshopStatus(workshop.status).label,
            "badge": _status_badge(workshop),
            "url": reverse("frontend:staff_workshop_edit", args=[workshop.pk]),
        }
        for workshop in workshops
    ]
    return render(
        request,
        "frontend/workshops/staff/list.html",
        {
            "organisation": organisation,
            "rows": rows,
            "public_url": reverse("frontend:workshops_organisation", args=[organisation.slug]),
            "crumbs": staff_crumbs(organisation, (_("Workshops"), None)),
        },
    )


def _save(
    request: HttpRequest,
    form: WorkshopForm,
    agenda: Any,
    organisation: Organisation,
    workshop: Workshop | None,
) -> Workshop | None:
    """Create or update with the agenda, all or nothing; refusals go on the forms."""
    try:
        with transaction.atomic():
            if workshop is None:
                workshop = events.create_workshop(
                    actor=request.user, organisation=organisation, **form.workshop_fields()
                )
            else:
                workshop = events.update_workshop(
                    actor=request.user, workshop=workshop, **form.workshop_fields()
                )
            events.set_agenda(actor=request.user, workshop=workshop, items=agenda_items(agenda))
    except ValidationError as refused:
        errors = refused.error_dict if hasattr(refused, "error_dict") else {"title": refused}
        agenda_errors = {k: v for k, v in errors.items() if k.startswith("agenda")}
        other = {k: v for k, v in errors.items() if not k.startswith("agenda")}
        if other:
            add_service_errors(form, ValidationError(other), ALIASES)
        _agenda_errors(agenda, agenda_errors)
        return None
    return workshop


def _agenda_errors(agenda: Any, errors: dict[str, Any]) -> None:
    """``agenda.2.title`` -> the third filled row's title field."""
    filled = [f for f in agenda.forms if (f.cleaned_data or {}).get("title", "").strip()]
    for key, value in errors.items():
        parts = key.split(".")
        messages_ = [m for error in value for m in error.messages]
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(filled):
            form = filled[int(parts[1])]
            field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
            for message in messages_:
                form.add_error(field, message)
        else:
            for message in messages_:
                agenda.forms[0].add_error(None, message)


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    workshop: Workshop | None,
    form: WorkshopForm,
    agenda: Any,
    status: int,
) -> HttpResponse:
    context: dict[str, Any] = {
        "organisation": organisation,
        "form": form,
        "agenda": agenda,
        "agenda_errors": [e for f in agenda.forms for e in f.non_field_errors()],
        "zone": organisation.time_zone,
    }
    if workshop is None:
        context["crumbs"] = staff_crumbs(
            organisation,
            (_("Workshops"), reverse("frontend:staff_workshops", args=[organisation.slug])),
            (_("New workshop"), None),
        )
    else:
        context.update(
            _context(
                workshop,
                "staff_workshop_edit",
                crumbs=_crumbs(workshop),
                can_publish=workshop.status == WorkshopStatus.DRAFT,
                cancelled=workshop.status == WorkshopStatus.CANCELLED,
            )
        )
    return render(request, "frontend/workshops/staff/form.html", context, status=status)


def _agenda_initial(workshop: Workshop) -> list[dict[str, Any]]:
    return [
        {
            "starts_after_minutes": item.starts_after_minutes,
            "title": item.title,
            "description": item.description,
        }
        for item in workshop.agenda.all()
    ]


@staff_page(permissions.can_manage)
def staff_workshop_new(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    if request.method == "POST":
        form = WorkshopForm(request.POST, organisation=organisation)
        agenda = AgendaFormSet(request.POST, prefix="agenda")
        if form.is_valid() and agenda.is_valid():
            workshop = _save(request, form, agenda, organisation, None)
            if workshop is not None:
                messages.success(
                    request,
                    _("The workshop “%(title)s” was created as a draft.")
                    % {"title": workshop.title},
                )
                return redirect("frontend:staff_workshop_edit", workshop.pk)
        return _form_page(request, organisation, None, form, agenda, 400)
    form = WorkshopForm(organisation=organisation)
    agenda = AgendaFormSet(prefix="agenda")
    return _form_page(request, organisation, None, form, agenda, 200)


@workshop_page()
def staff_workshop_edit(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    organisation = workshop.organisation
    if request.method == "POST":
        form = WorkshopForm(request.POST, organisation=organisation, workshop=workshop)
        agenda = AgendaFormSet(request.POST, prefix="agenda")
        if form.is_valid() and agenda.is_valid():
            saved = _save(request, form, agenda, organisation, workshop)
            if saved is not None:
                messages.success(request, _("The workshop was saved."))
                return redirect("frontend:staff_workshop_edit", workshop.pk)
        workshop = selectors.workshop_by_pk(workshop.pk)
        return _form_page(request, organisation, workshop, form, agenda, 400)
    form = WorkshopForm(organisation=organisation, workshop=workshop)
    agenda = AgendaFormSet(prefix="agenda", initial=_agenda_initial(workshop))
    return _form_page(request, organisation, workshop, form, agenda, 200)


@require_POST
@workshop_page()
def staff_workshop_publish(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    try:
        events.publish_workshop(actor=request.user, workshop=workshop)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The workshop is published: residents can register."))
    return redirect("frontend:staff_workshop_edit", workshop.pk)


@require_http_methods(["GET", "POST"])
@workshop_page()
def staff_workshop_cancel(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                events.cancel_workshop(
                    actor=request.user, workshop=workshop, reason=form.cleaned_data["reason"]
                )
            except ValidationError as refused:
                add_service_errors(form, refused)
            else:
                messages.success(
                    request, _("The workshop is cancelled. Everyone registered is being told.")
                )
                return redirect("frontend:staff_workshop_edit", workshop.pk)
        status = 400
    told = workshop.registered + int(getattr(workshop, "waitlisted", 0) or 0)
    return render(
        request,
        "frontend/workshops/staff/cancel.html",
        _context(
            workshop,
            "staff_workshop_cancel",
            form=form,
            told=told,
            published=workshop.status == WorkshopStatus.PUBLISHED,
            crumbs=_crumbs(workshop, (_("Cancel"), None)),
        ),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@workshop_page()
def staff_workshop_copy(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    organisation = workshop.organisation
    status = 200
    if request.method == "POST":
        form = CopyForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                copy = events.copy_workshop(
                    actor=request.user, workshop=workshop, starts_at=form.cleaned_data["starts_at"]
                )
            except ValidationError as refused:
                add_service_errors(form, refused, ALIASES)
            else:
                messages.success(
                    request,
                    _("A copy was made as a draft. Check it and publish it when it is ready."),
                )
                return redirect("frontend:staff_workshop_edit", copy.pk)
        status = 400
    else:
        local = timezone.localtime(workshop.starts_at)
        form = CopyForm(
            organisation=organisation,
            initial={"start_time": local.time().replace(second=0, microsecond=0)},
        )
    return render(
        request,
        "frontend/workshops/staff/copy.html",
        _context(
            workshop,
            "staff_workshop_copy",
            form=form,
            crumbs=_crumbs(workshop, (_("Copy"), None)),
        ),
        status=status,
    )


# --- check-in -------------------------------------------------------------------------------


def _needs(registration: Any) -> dict[str, str]:
    return {
        "accessibility": registration.accessibility_needs,
        "dietary": registration.dietary_needs,
    }


@require_http_methods(["GET", "POST"])
@workshop_page(lambda user, organisation: True)
def staff_workshop_attendance(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    """The check-in list: staff and the workshop's facilitators tick people off."""
    if not permissions.can_check_in(request.user, workshop):
        raise PermissionDenied(
            _("Only the workshop's facilitators and the organisation's administrators may do this.")
        )
    registrations = list(selectors.attendance(workshop))
    if request.method == "POST":
        ticked = set(request.POST.getlist("attended"))
        changed = 0
        problems = []
        for registration in registrations:
            attended = str(registration.pk) in ticked
            if attended == registration.attended:
                continue
            try:
                registering.check_in(
                    actor=request.user, registration=registration, attended=attended
                )
            except ValidationError as refused:
                problems.extend(refused.messages)
            else:
                changed += 1
        for problem in problems:
            messages.error(request, problem)
        messages.success(
            request,
            _("The check-in list is saved (%(count)s changed).") % {"count": changed},
        )
        return redirect("frontend:staff_workshop_attendance", workshop.pk)
    rows = [
        {
            "registration": r,
            "name": r.user.display_name or r.user.email,
            **_needs(r),
        }
        for r in registrations
    ]
    rows.sort(key=lambda row: _natural(row["name"]))
    return render(
        request,
        "frontend/workshops/staff/attendance.html",
        _context(
            workshop,
            "staff_workshop_attendance",
            rows=rows,
            attended=sum(1 for r in registrations if r.attended),
            waitlisted=int(getattr(workshop, "waitlisted", 0) or 0),
            answers_deleted=any(r.answers_deleted_at for r in registrations),
            crumbs=_crumbs(workshop, (_("Check-in list"), None)),
        ),
    )


@workshop_page(lambda user, organisation: True)
def staff_workshop_attendance_csv(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    if not permissions.can_check_in(request.user, workshop):
        raise PermissionDenied(
            _("Only the workshop's facilitators and the organisation's administrators may do this.")
        )
    header = [
        _("Name"),
        _("E-mail"),
        _("Attended"),
        _("Accessibility needs"),
        _("Dietary needs"),
    ]
    rows = (
        [
            r.user.display_name,
            r.user.email,
            _("yes") if r.attended else _("no"),
            r.accessibility_needs,
            r.dietary_needs,
        ]
        for r in selectors.attendance(workshop)
    )
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="workshop-{workshop.pk}-attendance.csv"'
    )
    return response


# --- the outcome ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@workshop_page()
def staff_workshop_outcome(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    minutes_form = MinutesForm(initial={"minutes": workshop.minutes})
    photo_form = PhotoForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "minutes":
                minutes_form = MinutesForm(request.POST)
                if minutes_form.is_valid():
                    outcomes.set_minutes(
                        actor=request.user,
                        workshop=workshop,
                        minutes=minutes_form.cleaned_data["minutes"],
                    )
                    messages.success(request, _("The minutes are saved."))
                    return redirect("frontend:staff_workshop_outcome", workshop.pk)
            elif action == "photo":
                photo_form = PhotoForm(request.POST, request.FILES)
                if photo_form.is_valid():
                    outcomes.add_photo(
                        actor=request.user,
                        workshop=workshop,
                        upload=photo_form.cleaned_data["photo"],
                        alt_text=photo_form.cleaned_data["alt_text"],
                    )
                    messages.success(request, _("The photo was added."))
                    return redirect("frontend:staff_workshop_outcome", workshop.pk)
            elif action == "remove_photo":
                photo = get_object_or_404(
                    WorkshopPhoto, pk=request.POST.get("photo") or 0, workshop=workshop
                )
                outcomes.remove_photo(actor=request.user, photo=photo)
                messages.success(request, _("The photo was removed."))
                return redirect("frontend:staff_workshop_outcome", workshop.pk)
            elif action == "publish":
                outcomes.publish_outcome(actor=request.user, workshop=workshop)
                messages.success(request, _("The outcome page is published."))
                return redirect("frontend:staff_workshop_outcome", workshop.pk)
        except ValidationError as refused:
            if action not in ("minutes", "photo"):
                for message in refused.messages:
                    messages.error(request, message)
                return redirect("frontend:staff_workshop_outcome", workshop.pk)
            form = photo_form if action == "photo" else minutes_form
            add_service_errors(form, refused, {"upload": "photo", "file": "photo"})
        status = 400
    return render(
        request,
        "frontend/workshops/staff/outcome.html",
        _context(
            workshop,
            "staff_workshop_outcome",
            minutes_form=minutes_form,
            photo_form=photo_form,
            photos=list(workshop.photos.all()),
            published=bool(workshop.outcome_published_at),
            ended=workshop.ends_at <= timezone.now(),
            outcome_url=reverse("frontend:workshop_outcome", args=[workshop.pk]),
            crumbs=_crumbs(workshop, (_("Outcome"), None)),
        ),
        status=status,
    )
