"""Rate limits of writes, per person and scope: the one rule the API and the pages share.

A scope (``ballot``, ``receipt``, ``personal_data``, …) has its rate in
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``. Its counters are Django REST framework's own
(``ScopedRateThrottle``: the same cache keys, clock and cache), so the API's throttle
(``engagement.http.api.ScopeThrottle``) and a page that asks :func:`rate_limited` count
against one budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle


@dataclass(frozen=True)
class RateLimited:
    """A write refused by its scope's rate."""

    wait: float | None  # seconds until the next write is allowed, if it can be told

    def seconds(self, unknown: int = 60) -> int:
        """Whole seconds to wait, at least one (``unknown`` when it cannot be told)."""
        return max(1, int(self.wait or unknown))


def rate_limited(request: Any, scope: str) -> RateLimited | None:
    """Count one write of ``scope`` by the request's person (signed in: their account;
    otherwise their address): None while within the scope's rate, else how long to wait."""
    # DRF's ScopedRateThrottle.allow_request, with the scope given rather than read off a view.
    counter = ScopedRateThrottle()
    counter.scope = scope
    counter.rate = counter.get_rate()
    counter.num_requests, counter.duration = counter.parse_rate(counter.rate)
    if SimpleRateThrottle.allow_request(counter, request, None):
        return None
    return RateLimited(counter.wait())
