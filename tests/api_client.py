"""A JSON client for API tests, shared by every package's API suite."""

from __future__ import annotations

from typing import Any


class JsonClient:
    """Django's test client sending JSON bodies, signed in as ``user`` (or anonymous)."""

    def __init__(self, client: Any, user: Any = None) -> None:
        self.client = client
        if user is not None:
            client.force_login(user)

    def get(self, path: str, data: Any = None) -> Any:
        return self.client.get(path, data)

    def _send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            path, body if body is not None else {}, content_type="application/json"
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def delete(self, path: str, body: Any = None) -> Any:
        return self._send("delete", path, body)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data)  # multipart


def as_user_factory(client: Any) -> Any:
    """``make(user)`` -> a JSON client signed in as ``user`` (``None``: anonymous)."""

    def make(user: Any = None) -> JsonClient:
        client.logout()
        return JsonClient(client, user)

    return make
