"""What every page's header needs: the visitor's staff organisations and unread count.

Computed lazily, so a page that does not show the header pays no queries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from engagement.notifications import services as notifications
from engagement.people import selectors


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "nav_staff_organisations": SimpleLazyObject(
            lambda: selectors.staff_roles_of(user) if signed_in else []
        ),
        "nav_unread_count": SimpleLazyObject(
            lambda: notifications.unread_count(user=user) if signed_in else 0
        ),
        # The websocket endpoint: on the page's own host unless KOPA_WEBSOCKET_ORIGIN says.
        "live_url": f"{settings.KOPA_WEBSOCKET_ORIGIN}/ws/live/",
    }
