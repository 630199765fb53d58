"""Websocket routes, all under ``/ws/``. Protocol: docs/realtime.md."""

from django.urls import path

from engagement.realtime.consumer import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi()),
]
