"""Account pages: profile, notifications and their settings, personal data, deletion.

Thin views over the services the API uses (``engagement.people.api.Me``,
``engagement.account.api``): ``engagement.people.services`` for the profile and residence,
``engagement.notifications.services`` for the inbox and preferences,
``engagement.personal_data`` for the export and account deletion.
Everything is about the signed-in person only; another person's notification is a 404.

The allauth pages (sign-up, sign-in, e-mail, passwords) keep allauth's views; the thin
subclasses at the end only make an invalid form answer HTTP 400, as every Kopa form does.
"""

from __future__ import annotations

import json
from typing import Any

from allauth.account import views as allauth_views
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagement import personal_data
from engagement.http.rate_limits import rate_limited
from engagement.notifications import email as notification_email
from engagement.notifications import events
from engagement.notifications import services as notifications
from engagement.notifications.models import Notification
from engagement.people import selectors, services
from engagement.people.models import District, Organisation, Residence, ResidentProfile, Role
from frontend.account.forms import (
    AccountDeleteForm,
    NotificationPreferencesForm,
    ProfileForm,
)
from frontend.service_errors import add_service_errors

NOTIFICATIONS_PER_PAGE = 20
TEMPLATES = "frontend/account/"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- profile ---------------------------------------------------------------------------------


def _organisations_with_districts() -> list[Organisation]:
    districts = Prefetch("districts", queryset=District.objects.order_by("name"))
    return list(
        Organisation.objects.filter(districts__isnull=False)
        .distinct()
        .order_by("name")
        .prefetch_related(districts)
    )


def _profile_initial(user: Any, residences: dict[int, Residence]) -> dict[str, Any]:
    profile = ResidentProfile.objects.filter(user=user).first()
    initial: dict[str, Any] = {
        "display_name": user.display_name,
        "language": user.language,
        "birth_year": profile.birth_year if profile else None,
        "target_groups": profile.target_groups if profile else [],
    }
    for residence in residences.values():
        if residence.district_id:
            initial[f"district_{residence.organisation.slug}"] = residence.district.slug
    return initial


@transaction.atomic
def _save_profile(
    user: Any, form: ProfileForm, residences: dict[int, Residence], organisations: list[Any]
) -> None:
    """The same writes as ``PATCH /api/v1/me/``, plus language and districts of residence."""
    data = form.cleaned_data
    user.display_name = data["display_name"]
    user.language = data["language"]
    user.save(update_fields=["display_name", "language"])
    services.resident_profile_update(
        user=user, birth_year=data["birth_year"], target_groups=data["target_groups"]
    )
    for organisation in organisations:
        chosen = data.get(f"district_{organisation.slug}") or ""
        current = residences.get(organisation.pk)
        current_slug = current.district.slug if current and current.district_id else ""
        if chosen == current_slug:
            continue
        district = next((d for d in organisation.districts.all() if d.slug == chosen), None)
        if district is None and current is None:
            continue
        services.residence_set(user=user, organisation=organisation, district=district)


def _use_language(response: HttpResponse, language: str) -> None:
    """Pages follow the person's preferred language: Django's language cookie."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _staff_roles(user: Any) -> list[dict[str, Any]]:
    """``selectors.staff_roles_of`` with each role's name in the reader's language."""
    return [
        {**entry, "role_labels": [str(Role(role).label) for role in entry["roles"]]}
        for entry in selectors.staff_roles_of(user)
    ]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisations = _organisations_with_districts()
    residences = {
        r.organisation_id: r
        for r in Residence.objects.filter(user=user).select_related("organisation", "district")
    }
    if request.method == "POST":
        form = ProfileForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                _save_profile(user, form, residences, organisations)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                response = redirect("frontend:account")
                language = form.cleaned_data["language"]
                if language:
                    _use_language(response, language)
                    translation.activate(language)
                messages.success(request, _("Your profile is saved."))
                return response
    else:
        form = ProfileForm(initial=_profile_initial(user, residences), organisations=organisations)
    context = {
        "form": form,
        "email_addresses": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "staff_roles": _staff_roles(user),
        "section": "profile",
    }
    return render(request, TEMPLATES + "profile.html", context, status=400 if form.errors else 200)


# --- notifications ---------------------------------------------------------------------------


def _local_path(url: str) -> str:
    """A notification's link as a path on this site (stored links may carry SITE_URL)."""
    if url.startswith(settings.SITE_URL):
        url = url[len(settings.SITE_URL) :] or "/"
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else ""


def _describe(notification: Notification) -> dict[str, Any]:
    """What the inbox shows: the sentence of the e-mail subject, a detail line and a link."""
    spec = events.EVENTS.get(notification.event)
    title = notification_email.target_title(notification)
    text = str(spec.subject % {"title": title}) if spec else title
    context = notification.context or {}
    detail = ""
    if context.get("status"):
        detail = events.status_label(notification.event, context["status"])
    for key in ("excerpt", "summary", "note", "public_reason"):
        if not detail and context.get(key):
            detail = str(context[key])
    return {
        "notification": notification,
        "text": " ".join(text.split()),
        "detail": detail,
        "url": _local_path(notification_email.target_url(notification)),
        "actor": notification.actor.display_name if notification.actor_id else "",
        "unread": notification.read_at is None,
    }


def _notification_page(request: HttpRequest) -> dict[str, Any]:
    unread_only = request.GET.get("unread") == "1"
    rows = notifications.notifications_for(user=request.user, unread_only=unread_only)
    # Titles and links fall back to the target object: fetch those per type, not per row.
    rows = rows.prefetch_related("target")
    page = Paginator(rows, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    unread = notifications.unread_count(user=request.user)
    return {
        "page_obj": page,
        "items": [_describe(n) for n in page.object_list],
        "unread_only": unread_only,
        "unread_count": unread,
        "unread_label": _unread_label(unread),
        "section": "notifications",
    }


def _unread_label(count: int) -> str:
    return ngettext("%(count)d unread notification", "%(count)d unread notifications", count) % {
        "count": count
    }


def _unread_header(response: HttpResponse, user: Any) -> HttpResponse:
    """Tell account.js the new unread count (header badge, the inbox's status line)."""
    count = notifications.unread_count(user=user)
    # json.dumps escapes non-ASCII, so any language fits in an HTTP header.
    response["HX-Trigger"] = json.dumps(
        {"kopa:unread": {"count": count, "label": _unread_label(count)}}
    )
    return response


def _back_to_list(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("frontend:notifications")


@login_required
@never_cache
@require_GET
def notifications_page(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "notifications.html", _notification_page(request))


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification = notifications.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    if _is_htmx(request):
        response = render(
            request, TEMPLATES + "_notification.html", {"item": _describe(notification)}
        )
        return _unread_header(response, request.user)
    messages.success(request, _("Marked as read."))
    return redirect(_back_to_list(request))


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link; opening it is reading it."""
    try:
        notification = notifications.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    url = _describe(notification)["url"]
    return redirect(url or reverse("frontend:notifications"))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications.notifications_mark_all_read(user=request.user)
    if _is_htmx(request):
        # The list as it now is (the POST has no query string: its first page).
        context = _notification_page(request)
        response = render(request, TEMPLATES + "_notification_list.html", context)
        return _unread_header(response, request.user)
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                marked,
            )
            % {"count": marked},
        )
    else:
        messages.info(request, _("You had no unread notifications."))
    return redirect(_back_to_list(request))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = notifications.preferences_get(user=request.user)
    if request.method == "POST":
        form = NotificationPreferencesForm(
            request.POST,
            groups=current["groups"],
            initial=NotificationPreferencesForm.initial_from(current),
        )
        if form.is_valid():
            try:
                notifications.preferences_update(
                    user=request.user,
                    email_digest=form.cleaned_data["email_digest"],
                    groups=form.group_changes(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("frontend:notification_settings")
    else:
        form = NotificationPreferencesForm(
            groups=current["groups"], initial=NotificationPreferencesForm.initial_from(current)
        )
    return render(
        request,
        TEMPLATES + "notification_settings.html",
        {
            "form": form,
            "notifications_on": settings.KOPA_NOTIFICATION_EMAILS,
            "section": "notification_settings",
        },
        status=400 if form.errors else 200,
    )


# --- personal data and deletion --------------------------------------------------------------


def _throttled(request: HttpRequest) -> int | None:
    """Seconds to wait when the person used up the ``personal_data`` rate, else None (the
    API's scope, ``api_account.PersonalDataThrottled``: one budget for both)."""
    refused = rate_limited(request, "personal_data")
    return None if refused is None else refused.seconds(unknown=1)


def _too_many(
    request: HttpRequest, template: str, context: dict[str, Any], wait: int
) -> HttpResponse:
    context = {**context, "wait_seconds": wait}
    response = render(request, TEMPLATES + template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


@login_required
@never_cache
@require_GET
def personal_data_page(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "personal_data.html", {"section": "personal_data"})


@login_required
@require_GET
def personal_data_download(request: HttpRequest) -> HttpResponse:
    """The same file as ``GET /api/v1/me/data/``, under the same rate limit."""
    wait = _throttled(request)
    if wait is not None:
        return _too_many(request, "personal_data.html", {"section": "personal_data"}, wait)
    data = personal_data.personal_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="kopa-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "section": "account_delete",
        "administered": [
            entry
            for entry in selectors.staff_roles_of(request.user)
            if Role.ADMINISTRATOR in entry["roles"]
        ],
    }
    if request.method == "POST":
        form = AccountDeleteForm(request.POST)
        wait = _throttled(request)
        if wait is not None:
            return _too_many(request, "delete.html", {**context, "form": form}, wait)
        if form.is_valid():
            try:
                personal_data.account_delete(
                    user=request.user, password=form.cleaned_data["password"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                logout(request)
                messages.success(request, _("Your account is deleted. Thank you for taking part."))
                return redirect("frontend:home")
    else:
        form = AccountDeleteForm()
    context["form"] = form
    return render(request, TEMPLATES + "delete.html", context, status=400 if form.errors else 200)


# --- allauth pages: HTTP 400 on invalid forms -------------------------------------------------


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _plain_password_help(form: Any) -> None:
    """allauth's new-password help is an HTML list; Kopa's field help is one sentence."""
    field = form.fields.get("password1")  # the new password of every allauth form
    if field is not None and "<" in str(field.help_text or ""):
        field.help_text = " ".join(password_validation.password_validators_help_texts())


class BadRequestOnInvalid:
    """Mixed into allauth's form views: an invalid form is re-rendered with status 400."""

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)  # type: ignore[misc]
        _plain_password_help(form)
        return form

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 400
        return response


class LoginView(BadRequestOnInvalid, allauth_views.LoginView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        if user.is_authenticated and user.language in _language_codes():
            _use_language(response, user.language)
        return response


class SignupView(BadRequestOnInvalid, allauth_views.SignupView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Someone who signs up reading Polish wants Polish e-mails (until they choose).
        user = getattr(self, "user", None)
        language = translation.get_language()
        if user is not None and user.pk and not user.language and language in _language_codes():
            user.language = language
            user.save(update_fields=["language"])
        return response


class EmailView(BadRequestOnInvalid, allauth_views.EmailView):
    pass


class PasswordChangeView(BadRequestOnInvalid, allauth_views.PasswordChangeView):
    pass


class PasswordSetView(BadRequestOnInvalid, allauth_views.PasswordSetView):
    pass


class PasswordResetView(BadRequestOnInvalid, allauth_views.PasswordResetView):
    pass


class PasswordResetFromKeyView(BadRequestOnInvalid, allauth_views.PasswordResetFromKeyView):
    pass


class ReauthenticateView(BadRequestOnInvalid, allauth_views.ReauthenticateView):
    pass
