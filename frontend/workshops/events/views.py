"""Resident pages of workshops: an organisation's workshops (upcoming and past, filtered by
format and district, or a process's), its calendar feed, one workshop with registration,
and the outcome page once published.

Thin views: ``workshops.selectors`` reads, ``workshops.services`` decides; refusals come
back as ``ValidationError`` codes and are said on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagement.content.sanitise import rich_text
from engagement.ideas import selectors as idea_selectors
from engagement.people.models import District, Organisation
from frontend.service_errors import too_often
from frontend.staff_access import link
from frontend.workshops.events import display
from frontend.workshops.events.forms import RegistrationForm, WorkshopFilterForm
from workshops import permissions, selectors, times
from workshops.board_state import board_state
from workshops.models import RegistrationStatus, Workshop, WorkshopStatus
from workshops.services import registration as registering
from workshops.services import retention


def refusal_messages() -> dict[str, str]:
    """What the page says for each code ``register`` refuses with."""
    return {
        "not_published": _("This workshop is not open for registration."),
        "cancelled": _("This workshop has been cancelled: registration is closed."),
        "started": _("This workshop has already started: registration is closed."),
        "registration_closed": _("Registration for this workshop has closed."),
        "too_young": _(
            "This workshop is for people of the minimum age or older. If your age in your "
            "profile is wrong, correct it in your account."
        ),
        "age_unknown": _(
            "This workshop has a minimum age: add your birth year to your profile "
            "(My account), then register."
        ),
        "already_registered": _("You are already registered for this workshop."),
        "not_registered": _("You are not registered for this workshop."),
        "full": _("This workshop is full and has no waiting list."),
    }


def _refusals(
    exc: ValidationError | PermissionDenied,
) -> Iterator[tuple[str | None, str | None, str]]:
    """(field, code, message) of every error in ``exc``."""
    if isinstance(exc, PermissionDenied):
        yield None, None, str(exc) or _("You may not do this.")
        return
    errors = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc.error_list)]
    for field, error_list in errors:
        for error in error_list:
            for message in error.messages:
                yield field, error.code, message


def said(code: str | None, message: str) -> str:
    """The page's words for a refusal code; the service's message for any other."""
    return refusal_messages().get(code or "", message)


def _crumbs(organisation: Organisation, *more: tuple[str, str | None]) -> list[dict[str, str]]:
    pairs = [
        (_("Home"), reverse("frontend:home")),
        (organisation.name, reverse("frontend:organisation", args=[organisation.slug])),
        (_("Workshops"), reverse("frontend:workshops_organisation", args=[organisation.slug])),
        *more,
    ]
    if not more:
        pairs[-1] = (pairs[-1][0], None)
    return [{"label": label, "url": url or ""} for label, url in pairs]


# --- an organisation's workshops ------------------------------------------------------------


@require_GET
def organisation_workshops(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    districts = list(District.objects.filter(organisation=organisation).order_by("name"))
    form = WorkshopFilterForm(
        request.GET if ("format" in request.GET or "district" in request.GET) else None,
        districts=districts,
    )
    chosen = form.chosen()
    process = None
    process_slug = request.GET.get("process", "")
    if process_slug:
        process = idea_selectors.visible_process(request.user, process_slug)
        if process.organisation_id != organisation.pk:
            raise Http404
    filters: dict[str, Any] = {
        "organisation": organisation,
        "format": chosen["format"],
        "district": chosen["district"],
        "process_id": process.pk if process else None,
    }
    upcoming = selectors.workshop_list(request.user, when="upcoming", **filters)
    past = selectors.workshop_list(request.user, when="past", **filters)
    crumbs = _crumbs(organisation)
    if process is not None:
        crumbs[-1]["url"] = reverse("frontend:workshops_organisation", args=[organisation.slug])
        crumbs.append({"label": process.title, "url": ""})
    return render(
        request,
        "frontend/workshops/list.html",
        {
            "organisation": organisation,
            "process": process,
            "form": form,
            "filtered": bool(chosen["format"] or chosen["district"]),
            "upcoming": display.cards(upcoming),
            "past": display.cards(past[:50]),
            "feed_url": reverse("frontend:workshops_feed", args=[organisation.slug]),
            "staff_url": reverse("frontend:staff_workshops", args=[organisation.slug])
            if permissions.can_manage(request.user, organisation)
            else None,
            "crumbs": crumbs,
        },
    )


@require_GET
def organisation_feed(request: HttpRequest, org_slug: str) -> HttpResponse:
    from workshops import calendar  # the icalendar library, loaded for this page only

    organisation = get_object_or_404(Organisation, slug=org_slug)
    body = calendar.organisation_feed(
        organisation, site_url=request.build_absolute_uri("/").rstrip("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{organisation.slug}-workshops.ics"'
    return response


# --- one workshop ---------------------------------------------------------------------------


def calendar_url(workshop: Workshop) -> str:
    """The workshop's .ics file (an API URL: the one file for pages and apps)."""
    return reverse("api:workshop-calendar", args=[workshop.pk])


def _agenda(workshop: Workshop) -> list[dict[str, Any]]:
    zone = workshop.organisation.time_zone
    return [
        {
            "item": item,
            "time": times.local_time(
                workshop.starts_at + timedelta(minutes=item.starts_after_minutes),
                zone,
                with_zone=False,
            ),
        }
        for item in workshop.agenda.all()
    ]


def _detail_context(
    request: HttpRequest, workshop: Workshop, form: RegistrationForm
) -> dict[str, Any]:
    user = request.user
    registration = selectors.my_registration(user, workshop)
    if registration is not None and registration.status == RegistrationStatus.CANCELLED:
        registration = None
    zone = workshop.organisation.time_zone
    position = selectors.waitlist_position(registration) if registration else None
    online = selectors.online_link_for(user, workshop)
    organisation = workshop.organisation
    now_open = workshop.status == WorkshopStatus.PUBLISHED and (
        workshop.registration_closes_at is None or workshop.registration_closes_at > timezone.now()
    )
    refusal = None
    if user.is_authenticated and registration is None and not form.is_bound:
        found = registering.registration_refusal(user, workshop)
        if found is not None:
            refusal = [said(code, message) for _field, code, message in _refusals(found)]
    summary = [{"message": str(error), "anchor": ""} for error in form.non_field_errors()] + [
        {"message": f"{bound.label}: {error}", "anchor": bound.auto_id}
        for bound in form
        for error in bound.errors
    ]
    return {
        "organisation": organisation,
        "workshop": workshop,
        "when": display.time_span(workshop),
        "format_label": display.card(workshop).format_label,
        "place": display.place_of(workshop),
        "map_url": display.map_link(workshop),
        "workshop_languages": display.language_names(workshop.languages),
        "target_groups": display.target_group_labels(workshop.target_groups),
        "places_left": display.places_left(workshop),
        "waitlisted": int(getattr(workshop, "waitlisted", 0) or 0),
        "agenda": _agenda(workshop),
        "description": rich_text(workshop.description),
        "cancelled": workshop.status == WorkshopStatus.CANCELLED,
        "draft": workshop.status == WorkshopStatus.DRAFT,
        "started": workshop.starts_at <= timezone.now(),
        "ended": workshop.ends_at <= timezone.now(),
        "registration_open": now_open and workshop.starts_at > timezone.now(),
        "registration": registration,
        "confirmed": registration is not None
        and registration.status == RegistrationStatus.CONFIRMED,
        "waitlist_position": position,
        # Registration answers are kept until 30 days after the end (workshops.services.retention).
        "answers_asked": workshop.asks_accessibility_needs or workshop.asks_dietary_needs,
        "answers_deleted_on": times.local_date(workshop.ends_at + retention.KEEP_ANSWERS_FOR, zone),
        "answers_were_deleted_on": times.local_date(registration.answers_deleted_at, zone)
        if registration is not None and registration.answers_deleted_at
        else None,
        "registration_closes": {
            "text": display.moment_text(workshop.registration_closes_at, zone),
            "iso": workshop.registration_closes_at.isoformat(),
            "zone": zone,
        }
        if workshop.registration_closes_at
        else None,
        "is_online": workshop.format != "in_person",
        "online_link": online,
        "form": form,
        "refusal": refusal,
        "summary": summary,
        "calendar_url": calendar_url(workshop),
        "board_url": link("workshop_board", workshop.pk)
        if workshop.board_stage != "not_open"
        else None,
        "outcome_url": reverse("frontend:workshop_outcome", args=[workshop.pk])
        if workshop.outcome_published_at
        else None,
        "staff_url": reverse("frontend:staff_workshop_edit", args=[workshop.pk])
        if permissions.can_manage(user, organisation)
        else None,
        "checkin_url": reverse("frontend:staff_workshop_attendance", args=[workshop.pk])
        if user.is_authenticated and permissions.can_check_in(user, workshop)
        else None,
        "login_url": f"{reverse('account_login')}?next={request.path}",
        "signup_url": f"{reverse('account_signup')}?next={request.path}",
        "crumbs": _crumbs(organisation, (workshop.title, None)),
    }


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)  # someone's own registration and link
    return response


@require_http_methods(["GET", "POST"])
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.visible_workshop(request.user, pk)
    here = reverse("frontend:workshop_detail", args=[workshop.pk])
    if request.method == "GET":
        form = RegistrationForm(workshop=workshop)
        return _render(
            request, "frontend/workshops/detail.html", _detail_context(request, workshop, form)
        )
    if not request.user.is_authenticated:
        return redirect_to_login(here)
    limited = too_often(request, "workshop_registration")
    if limited is not None:
        messages.error(request, limited)
        return redirect(here)
    if request.POST.get("action") == "cancel":
        try:
            registering.cancel_registration(user=request.user, workshop=workshop)
        except (ValidationError, PermissionDenied) as refused:
            for _field, code, message in _refusals(refused):
                messages.error(request, said(code, message))
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect(here)
    form = RegistrationForm(request.POST, workshop=workshop)
    if form.is_valid():
        try:
            registration = registering.register(
                user=request.user, workshop=workshop, **form.answers()
            )
        except (ValidationError, PermissionDenied) as refused:
            for field, code, message in _refusals(refused):
                form.add_error(field if field in form.fields else None, said(code, message))
        else:
            if registration.status == RegistrationStatus.WAITLISTED:
                messages.success(
                    request,
                    _(
                        "The workshop is full: you are on the waiting list, number "
                        "%(position)s. If a place frees up, it is yours and we tell you."
                    )
                    % {"position": selectors.waitlist_position(registration) or 1},
                )
            else:
                messages.success(request, _("You are registered: your place is confirmed."))
            return redirect(here)
    workshop = selectors.visible_workshop(request.user, pk)
    return _render(
        request,
        "frontend/workshops/detail.html",
        _detail_context(request, workshop, form),
        status=400,
    )


# --- the outcome ----------------------------------------------------------------------------


def _board(workshop: Workshop) -> dict[str, Any]:
    """The board read-only: clusters with their notes and dots; notes not in a cluster by
    prompt. Hidden notes are never in the public state."""
    state = board_state(workshop.pk)
    notes = state.get("notes", [])
    prompts = {p["id"]: p for p in state.get("prompts", [])}
    clusters = []
    for cluster in sorted(state.get("clusters", []), key=lambda c: c.get("position", 0)):
        clusters.append(
            {
                **cluster,
                "prompt_text": prompts.get(cluster.get("prompt"), {}).get("text", ""),
                "notes": [n for n in notes if n.get("cluster") == cluster["id"]],
            }
        )
    loose = [
        {
            "prompt": prompt,
            "notes": [n for n in notes if not n.get("cluster") and n.get("prompt") == prompt["id"]],
        }
        for prompt in sorted(prompts.values(), key=lambda p: p.get("position", 0))
    ]
    ideas = [
        {
            "label": cluster["title"],
            "url": reverse("frontend:idea_detail", args=[cluster["idea"]]),
        }
        for cluster in clusters
        if cluster.get("idea")
    ] + [
        {"label": note["text"], "url": reverse("frontend:idea_detail", args=[note["idea"]])}
        for note in notes
        if note.get("idea")
    ]
    return {
        "clusters": clusters,
        "loose": [group for group in loose if group["notes"]],
        "ideas": ideas,
        "has_notes": bool(notes),
    }


@require_GET
def workshop_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.visible_workshop(request.user, pk)
    manager = permissions.can_manage(request.user, workshop.organisation)
    if not workshop.outcome_published_at and not manager:
        raise Http404
    context = {
        "organisation": workshop.organisation,
        "workshop": workshop,
        "when": display.time_span(workshop),
        "place": display.place_of(workshop),
        "minutes": rich_text(workshop.minutes),
        "photos": list(workshop.photos.all()),
        "board": _board(workshop),
        "preview": not workshop.outcome_published_at,
        "attended": selectors.attendance(workshop).filter(attended=True).count(),
        "staff_url": reverse("frontend:staff_workshop_outcome", args=[workshop.pk])
        if manager
        else None,
        "crumbs": _crumbs(
            workshop.organisation,
            (workshop.title, reverse("frontend:workshop_detail", args=[workshop.pk])),
            (_("Outcome"), None),
        ),
    }
    return render(request, "frontend/workshops/outcome.html", context)
