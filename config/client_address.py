"""The address of the person making a request, as every rate limit and log must see it.

Behind a load balancer the TCP peer (``REMOTE_ADDR``) is the proxy; the person's address is
in ``X-Forwarded-For``, which each proxy extends with the address it received the request
from. Anyone can send that header too, so it is believed only as far as it was written by
proxies we run: ``KOPA_TRUSTED_PROXIES`` (addresses or networks). Walking the chain from the
right, every hop that is a trusted proxy is skipped; the first one that is not is the client.
With no trusted proxies (the default) the header is ignored and the peer is the client.

``ClientAddressMiddleware`` runs first and puts that address into ``REMOTE_ADDR``, so
Django REST framework's throttles (``NUM_PROXIES = 0``), allauth's rate limits (no trusted
proxy count, no client-IP header) and anything else reading ``REMOTE_ADDR`` agree. The TCP
peer stays in ``KOPA_PEER_ADDR``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.env import IPNetwork

PEER_KEY = "KOPA_PEER_ADDR"
FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(value: str) -> Address | None:
    """An address from a header hop: tolerates ``[v6]``, ``v4:port`` and ``[v6]:port``."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket appears as ::ffff:a.b.c.d.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address, proxies: Iterable[IPNetwork]) -> bool:
    return any(address in network for network in proxies)


def client_address(
    meta: Mapping[str, Any], trusted_proxies: Iterable[IPNetwork] | None = None
) -> str:
    """The client's address for a request's ``META`` (see the module's docstring)."""
    proxies = tuple(settings.KOPA_TRUSTED_PROXIES if trusted_proxies is None else trusted_proxies)
    peer_raw = str(meta.get(PEER_KEY) or meta.get("REMOTE_ADDR") or "")
    peer = _parse(peer_raw)
    if peer is None or not _trusted(peer, proxies):
        return str(peer) if peer is not None else peer_raw
    client = peer
    for hop in reversed(str(meta.get(FORWARDED_FOR, "")).split(",")):
        if not hop.strip():
            continue
        address = _parse(hop)
        if address is None:
            # A hop our proxies would not have written: stop at the last one we trust.
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)


class ClientAddressMiddleware:
    """Sets ``REMOTE_ADDR`` to ``client_address()``; keeps the TCP peer in ``KOPA_PEER_ADDR``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        meta.setdefault(PEER_KEY, meta.get("REMOTE_ADDR", ""))
        meta["REMOTE_ADDR"] = client_address(meta)
        return self.get_response(request)
