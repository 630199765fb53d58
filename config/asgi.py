"""ASGI entry point.

In development one process serves HTTP and websockets. In production the ASGI processes
serve only ``/ws/`` (HTTP is cheaper through WSGI, see docs/architecture.md), but the same
application object is used so either layout works.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import CookieMiddleware, SessionMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' session authentication, minus a thread hop for sockets that carry no
    session cookie (anonymous visitors: most live pages, and a reconnect storm's bulk)."""

    async def resolve_scope(self, scope):  # type: ignore[no-untyped-def]
        if settings.SESSION_COOKIE_NAME not in scope.get("cookies", {}):
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            CookieMiddleware(
                SessionMiddleware(SessionAuthMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
