"""The client's address: X-Forwarded-For is believed only from the proxies we run.

Rate limits key anonymous callers by address, so a header anyone can write must not choose
the key: from an untrusted peer it is ignored, from a trusted proxy its right-most address
that is not one of our proxies is the client.
"""

from __future__ import annotations

import ipaddress
import itertools
import uuid

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory, override_settings
from rest_framework.throttling import ScopedRateThrottle

from config.client_address import ClientAddressMiddleware, client_address
from tests import factories

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def spoofed() -> str:
    """A different made-up client address every time."""
    return next(_addresses)


class TestClientAddress:
    def test_without_trusted_proxies_the_header_is_ignored(self):
        meta = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
        assert client_address(meta, trusted_proxies=()) == "203.0.113.7"

    def test_from_an_untrusted_peer_the_header_is_ignored(self):
        meta = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
        assert client_address(meta, trusted_proxies=PROXIES) == "203.0.113.7"

    def test_from_a_trusted_proxy_the_address_it_saw_is_the_client(self):
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
        assert client_address(meta, trusted_proxies=PROXIES) == "203.0.113.7"

    def test_a_chain_is_read_from_the_right_skipping_our_proxies(self):
        # The client sent a made-up first hop; the CDN edge and our balancer appended theirs.
        meta = {
            "REMOTE_ADDR": "10.0.0.2",
            "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7, 10.1.2.3, 10.0.0.9",
        }
        assert client_address(meta, trusted_proxies=PROXIES) == "203.0.113.7"

    def test_a_chain_of_only_our_proxies_ends_at_its_first_hop(self):
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 10.0.0.3"}
        assert client_address(meta, trusted_proxies=PROXIES) == "10.9.9.9"

    def test_a_malformed_hop_stops_the_walk_at_the_last_trusted_address(self):
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7, junk, 10.0.0.3"}
        assert client_address(meta, trusted_proxies=PROXIES) == "10.0.0.3"

    def test_ipv6_ports_and_mapped_addresses(self):
        meta = {
            "REMOTE_ADDR": "fd00::1",
            "HTTP_X_FORWARDED_FOR": "[2001:db8::5]:4711, 10.0.0.3:80",
        }
        assert client_address(meta, trusted_proxies=PROXIES) == "2001:db8::5"
        mapped = {"REMOTE_ADDR": "::ffff:10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
        assert client_address(mapped, trusted_proxies=PROXIES) == "203.0.113.7"

    def test_the_middleware_sets_remote_addr_and_keeps_the_peer(self):
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7"
        )
        seen = {}

        def view(request):
            seen.update(request.META)

        with override_settings(KOPA_TRUSTED_PROXIES=PROXIES):
            ClientAddressMiddleware(view)(request)
            # Running it again (another layer asking) gives the same answer.
            assert client_address(request.META) == "203.0.113.7"
        assert seen["REMOTE_ADDR"] == "203.0.113.7"
        assert seen["KOPA_PEER_ADDR"] == "10.0.0.2"

    def test_every_rate_limit_reads_the_same_address(self):
        """DRF's throttles and allauth's rate limits key on what the middleware derived."""
        request = RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
        )
        with override_settings(KOPA_TRUSTED_PROXIES=PROXIES):
            ClientAddressMiddleware(lambda request: None)(request)
        assert ScopedRateThrottle().get_ident(request) == "203.0.113.7"
        assert get_adapter(request).get_client_ip(request) == "203.0.113.7"


@pytest.mark.django_db
class TestReceiptChecksOverHttp:
    """The probe's case: POST …/receipt/ (scope ``receipt``) with a new header each time."""

    @pytest.fixture(autouse=True)
    def _small_limit(self, monkeypatch):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "receipt", "5/min")

    @pytest.fixture
    def check_receipt(self, client, riga):
        budget_round = factories.voting_round(organisation=riga)

        def check(remote_addr: str, forwarded_for: str | None = None) -> int:
            extra = {"REMOTE_ADDR": remote_addr}
            if forwarded_for is not None:
                extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
            response = client.post(
                f"/api/v1/rounds/{budget_round.slug}/receipt/",
                {"receipt": "ABCD-EFGH-2345-6723"},
                content_type="application/json",
                **extra,
            )
            return response.status_code

        return check

    def test_a_made_up_header_from_an_untrusted_peer_does_not_escape_the_limit(self, check_receipt):
        statuses = [check_receipt("203.0.113.7", spoofed()) for _ in range(8)]
        assert statuses == [200] * 5 + [429] * 3

    @override_settings(KOPA_TRUSTED_PROXIES=PROXIES)
    def test_behind_a_trusted_proxy_each_client_has_its_own_limit(self, check_receipt):
        clients = [spoofed() for _ in range(8)]
        assert [check_receipt("10.0.0.2", address) for address in clients] == [200] * 8
        one = clients[0]
        assert [check_receipt("10.0.0.2", one) for _ in range(5)] == [200] * 4 + [429]

    @override_settings(KOPA_TRUSTED_PROXIES=PROXIES)
    def test_behind_several_proxies_a_made_up_first_hop_does_not_escape_the_limit(
        self, check_receipt
    ):
        statuses = [
            check_receipt("10.0.0.2", f"{spoofed()}, 203.0.113.7, 10.3.3.3") for _ in range(8)
        ]
        assert statuses == [200] * 5 + [429] * 3


@pytest.mark.django_db
def test_sign_in_rate_limit_ignores_a_made_up_header_from_an_untrusted_peer(client):
    """allauth's ``login_failed`` limit (10 a minute per address), with a new e-mail and a
    new X-Forwarded-For each time so that only the address limit can bite."""
    peer = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    refused = []
    for _ in range(12):
        response = client.post(
            "/accounts/login/",
            {"login": f"{uuid.uuid4().hex}@example.org", "password": "wrong-password-1"},
            REMOTE_ADDR=peer,
            HTTP_X_FORWARDED_FOR=spoofed(),
        )
        assert response.status_code == 400
        refused.append("Too many failed login attempts" in response.content.decode())
    assert refused == [False] * 10 + [True] * 2
