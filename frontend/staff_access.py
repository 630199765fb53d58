"""What every staff page starts with: sign-in, the role in the organisation, breadcrumbs.

Anonymous visitors go to the login page; everyone else without the role gets a 403. Roles are
the predicates of ``engagement.people.permissions``, the same the API checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.people.models import Organisation

# Who may open a page: a predicate of ``engagement.people.permissions`` (user, organisation).
Allowed = Callable[[Any, Organisation], bool]
# What a page is about, found from its URL's slug: (the object, its organisation).
Finder = Callable[[str], tuple[Any, Organisation]]
View = Callable[..., HttpResponse]


def signed_in(request: HttpRequest) -> HttpResponse | None:
    """The login page for anonymous visitors; ``None`` for a signed-in person."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def require_role(request: HttpRequest, organisation: Organisation, allowed: Allowed) -> None:
    if not allowed(request.user, organisation):
        raise PermissionDenied(
            _("You do not have a staff role for this in %(name)s.") % {"name": organisation.name}
        )


def require(request: HttpRequest, allowed: bool, message: str) -> None:
    """A 403 with ``message`` unless ``allowed`` (for pages that say which role is needed)."""
    if not allowed:
        raise PermissionDenied(message)


def find_organisation(slug: str) -> tuple[Organisation, Organisation]:
    organisation = get_object_or_404(Organisation, slug=slug)
    return organisation, organisation


def staff_page(allowed: Allowed, find: Finder = find_organisation) -> Callable[[View], View]:
    """Login first, then the role in the organisation of what ``find`` finds; the view gets
    that object, and renders dates in the organisation's time zone."""

    def decorate(view: View) -> View:
        def wrapped(request: HttpRequest, slug: str) -> HttpResponse:
            redirect_response = signed_in(request)
            if redirect_response is not None:
                return redirect_response
            target, organisation = find(slug)
            require_role(request, organisation, allowed)
            # Dates on staff pages are in the city's time zone, whoever reads them.
            with timezone.override(ZoneInfo(organisation.time_zone)):
                return view(request, target)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def link(name: str, *args: Any) -> str | None:
    """A page of another area, if it exists yet (the URL map names it before it is built)."""
    try:
        return reverse(f"frontend:{name}", args=args)
    except NoReverseMatch:
        return None


def staff_crumbs(organisation: Organisation, *more: tuple[str, str | None]) -> list[dict]:
    """Breadcrumbs of a staff page: Staff / the organisation / ``more`` (label, url) pairs."""
    pairs = [
        (_("Staff"), reverse("frontend:staff_home")),
        (organisation.name, reverse("frontend:staff_organisation", args=[organisation.slug])),
        *more,
    ]
    return [{"label": label, "url": url or ""} for label, url in pairs]
