"""Which answers a browser or a shared cache may keep (docs/operations.md, "Caching").

Never stored (``Cache-Control: no-store``, with Django's other never-cache directives):
- every API answer (``/api/``), unless its view is deliberately public (``public_cache``);
- staff pages, account and sign-in pages, the Django admin;
- the ballot pages and the receipt check (what a person chose, a receipt code);
- any page answered to a signed-in person: the header shows their name and notifications,
  and a shared computer's back button must not show the next person someone else's pages.

Everything else (public pages seen signed out) keeps whatever its view says.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

PRIVATE_PREFIXES = ("/api/", "/staff/", "/account/", "/accounts/", "/admin/")
# The ballot (every step) and the receipt check of a round: rounds/<slug>/vote/…, …/receipt/.
PRIVATE_PATHS = re.compile(r"^/rounds/[^/]+/(vote|receipt)/")
PUBLIC_MARK = "kopa_public_cache"


def public_cache(max_age: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The same answer for everyone: caches (shared ones too) may keep it ``max_age`` seconds."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=max_age)
                setattr(response, PUBLIC_MARK, True)
            return response

        return wrapped

    return decorate


def _already_no_store(response: HttpResponse) -> bool:
    directives = response.headers.get("Cache-Control", "").lower().replace(" ", "").split(",")
    return "no-store" in directives


def _signed_in(request: HttpRequest) -> bool:
    # Without a session cookie nobody is signed in; checking saves loading a session.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def must_not_be_stored(request: HttpRequest, response: HttpResponse) -> bool:
    if getattr(response, PUBLIC_MARK, False):
        return False
    path = request.path_info
    return (
        path.startswith(PRIVATE_PREFIXES) or bool(PRIVATE_PATHS.match(path)) or _signed_in(request)
    )


class CachePolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if must_not_be_stored(request, response) and not _already_no_store(response):
            add_never_cache_headers(response)
        return response
