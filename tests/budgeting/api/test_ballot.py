"""My ballot over HTTP: cast, change, withdraw, check a receipt — and every way it is refused.

The round of most tests is ``voting_round``: voting, a city-wide budget of 100,000.00 EUR and
projects p1..p4 costing 40,000, 30,000, 20,000 and 50,000 EUR.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.throttling import ScopedRateThrottle

from budgeting.models import Channel, Participation
from tests import factories
from tests.budgeting.api.util import round_in

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")


def url(budget_round, tail="ballot/"):
    return f"/api/v1/rounds/{budget_round.slug}/{tail}"


@pytest.fixture
def open_round(riga):
    return factories.voting_round(organisation=riga, secret_ballot=False)


@pytest.fixture
def secret_round(riga):
    return factories.voting_round(organisation=riga, secret_ballot=True)


def nothing_stored():
    return not factories.ballots_in_box() and Participation.objects.count() == 0


class TestCastRefused:
    def test_anonymous_cannot_vote(self, as_user, open_round):
        response = as_user(None).put(url(open_round), {"district": "city", "projects": ["p1"]})
        assert response.status_code == 403
        assert "detail" in response.json()
        assert nothing_stored()

    def test_draft_round_is_not_found_for_residents(self, as_user, riga, resident):
        draft = round_in("draft", organisation=riga)
        response = as_user(resident).put(url(draft), {"district": "city", "projects": ["p1"]})
        assert response.status_code == 404
        assert nothing_stored()

    def test_unknown_district_is_a_field_error(self, as_user, open_round, resident):
        response = as_user(resident).put(url(open_round), {"district": "moon", "projects": ["p1"]})
        assert response.status_code == 400
        body = response.json()
        assert body["district"] == ["This round has no district moon."]
        assert body["error_codes"] == {"district": ["unknown_district"]}
        assert nothing_stored()

    def test_malformed_body_names_each_field(self, as_user, open_round, resident):
        response = as_user(resident).put(
            url(open_round), {"projects": "p1", "points": ["many"], "receipt": "x" * 65}
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"district", "projects", "points", "receipt", "error_codes"}
        assert body["error_codes"]["district"] == ["required"]
        assert body["error_codes"]["projects"] == ["not_a_list"]

    def test_over_budget_is_400_with_message_and_code_and_stores_nothing(
        self, as_user, riga, resident
    ):
        budget_round = factories.voting_round(organisation=riga, knapsack=True)
        response = as_user(resident).put(
            url(budget_round), {"district": "city", "projects": ["p1", "p2", "p4"]}
        )
        assert response.status_code == 400
        body = response.json()
        assert body == {
            "projects": [
                "Your choices cost 120,000.00 EUR, which is 20,000.00 EUR over the budget"
                " of 100,000.00 EUR."
            ],
            "error_codes": {"projects": ["over_budget"]},
        }
        assert nothing_stored()

    def test_every_ballot_rule_broken_is_reported_at_once(self, as_user, riga, resident):
        budget_round = factories.voting_round(organisation=riga, max_projects=1)
        response = as_user(resident).put(
            url(budget_round), {"district": "city", "projects": ["p1", "p9"], "points": [1, 2]}
        )
        assert response.status_code == 400
        codes = response.json()["error_codes"]
        assert codes == {
            "projects": ["unknown_project", "too_many_projects"],
            "points": ["points_not_allowed"],
        }
        assert nothing_stored()

    def test_voting_closed_is_400_with_code(self, as_user, riga, resident):
        budget_round = round_in("tallying", organisation=riga)
        response = as_user(resident).put(
            url(budget_round), {"district": "city", "projects": ["p1"]}
        )
        assert response.status_code == 400
        assert response.json() == {
            "phase": ["Voting is not open."],
            "error_codes": {"phase": ["voting_closed"]},
        }
        assert nothing_stored()

    def test_not_eligible_is_403_with_the_reasons(self, as_user, riga, resident):
        budget_round = factories.voting_round(
            organisation=riga, verified_email_required=True, min_age=16
        )
        response = as_user(resident).put(
            url(budget_round), {"district": "city", "projects": ["p1"]}
        )
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "not_eligible"
        assert [r["code"] for r in body["reasons"]] == ["email_not_verified", "age_unknown"]
        assert body["reasons"][0]["message"] == "Confirm your email address before voting."
        assert "Confirm your email address" in body["detail"]
        assert nothing_stored()

    def test_second_ballot_where_changes_are_not_allowed_is_409(self, as_user, riga, resident):
        budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
        voter = as_user(resident)
        assert (
            voter.put(url(budget_round), {"district": "city", "projects": ["p1"]}).status_code
            == 201
        )
        response = voter.put(url(budget_round), {"district": "city", "projects": ["p2"]})
        assert response.status_code == 409
        assert response.json() == {
            "detail": "You have already voted in this district.",
            "code": "already_voted",
        }
        assert len(factories.ballots_in_box()) == 1

    def test_second_district_where_one_is_allowed_is_409(self, as_user, riga, resident):
        budget_round = factories.district_voting_round(
            organisation=riga, citywide=None, one_district_per_voter=True
        )
        voter = as_user(resident)
        first = voter.put(url(budget_round), {"district": "north", "projects": ["north-1"]})
        assert first.status_code == 201, first.json()
        response = voter.put(url(budget_round), {"district": "south", "projects": ["south-1"]})
        assert response.status_code == 409
        assert response.json()["code"] == "voted_in_other_district"
        assert Participation.objects.get().district_budget.key == "north"

    def test_online_ballot_after_a_counted_paper_ballot_is_409(
        self, as_user, riga, resident, riga_officer, second_officer
    ):
        budget_round = factories.voting_round(organisation=riga)
        sheet = {
            "district": "city",
            "serial": "A-1",
            "voter_reference": resident.email,
            "projects": ["p3"],
        }
        assert (
            as_user(riga_officer).post(url(budget_round, "paper-ballots/"), sheet).status_code
            == 201
        )
        counted = as_user(second_officer).post(url(budget_round, "paper-ballots/"), sheet)
        assert counted.json()["status"] == "counted"
        response = as_user(resident).put(
            url(budget_round), {"district": "city", "projects": ["p1"]}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "voted_on_paper"
        assert [p.channel for p in Participation.objects.all()] == [Channel.PAPER]
        assert len(factories.ballots_in_box()) == 1

    def test_paper_voter_without_account_who_signs_up_later_is_409(
        self, as_user, riga, riga_officer, second_officer
    ):
        budget_round = factories.voting_round(organisation=riga)
        sheet = {
            "district": "city",
            "serial": "A-2",
            "voter_reference": "Later@Example.org",
            "projects": ["p3"],
        }
        as_user(riga_officer).post(url(budget_round, "paper-ballots/"), sheet)
        as_user(second_officer).post(url(budget_round, "paper-ballots/"), sheet)
        newcomer = factories.UserFactory(email="later@example.org")
        response = as_user(newcomer).put(
            url(budget_round), {"district": "city", "projects": ["p1"]}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "voted_on_paper"


class TestCastAndChange:
    def test_first_ballot_is_201_with_a_receipt(self, as_user, open_round, resident):
        response = as_user(resident).put(
            url(open_round), {"district": "city", "projects": ["p1", "p3"]}
        )
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"receipt", "district", "changed"}
        assert RECEIPT.match(body["receipt"])
        assert (body["district"], body["changed"]) == ("city", False)
        participation = Participation.objects.get()
        assert (participation.voter, participation.channel) == (resident, "online")

    def test_changing_the_ballot_is_200_and_replaces_it(self, as_user, open_round, resident):
        voter = as_user(resident)
        first = voter.put(url(open_round), {"district": "city", "projects": ["p1"]}).json()
        response = voter.put(url(open_round), {"district": "city", "projects": ["p2", "p3"]})
        assert response.status_code == 200
        body = response.json()
        assert body["changed"] is True
        assert body["receipt"] != first["receipt"]
        mine = voter.get(url(open_round)).json()["districts"][0]["participation"]
        assert mine["projects"] == ["p2", "p3"]
        assert len(factories.ballots_in_box()) == 1

    def test_secret_ballot_changes_only_with_its_receipt(self, as_user, secret_round, resident):
        voter = as_user(resident)
        first = voter.put(url(secret_round), {"district": "city", "projects": ["p1"]}).json()
        without = voter.put(url(secret_round), {"district": "city", "projects": ["p2"]})
        assert without.status_code == 400
        assert without.json()["error_codes"] == {"receipt": ["receipt_required"]}
        wrong = voter.put(
            url(secret_round),
            {"district": "city", "projects": ["p2"], "receipt": "AAAA-AAAA-AAAA-AAAA"},
        )
        assert wrong.status_code == 400
        assert wrong.json()["error_codes"] == {"receipt": ["receipt_mismatch"]}
        response = voter.put(
            url(secret_round),
            {"district": "city", "projects": ["p2"], "receipt": first["receipt"]},
        )
        assert response.status_code == 200
        assert response.json()["changed"] is True

    def test_cumulative_ballot_takes_points(self, as_user, riga, resident):
        budget_round = factories.voting_round(
            organisation=riga, ballot_format="cumulative", points_budget=10, secret_ballot=False
        )
        voter = as_user(resident)
        over = voter.put(
            url(budget_round), {"district": "city", "projects": ["p1", "p2"], "points": [8, 5]}
        )
        assert over.status_code == 400
        assert over.json()["error_codes"] == {"points": ["over_points_budget"]}
        response = voter.put(
            url(budget_round), {"district": "city", "projects": ["p1", "p2"], "points": [7, 3]}
        )
        assert response.status_code == 201
        mine = voter.get(url(budget_round)).json()["districts"][0]["participation"]
        assert (mine["projects"], mine["points"]) == (["p1", "p2"], [7, 3])


class TestMyBallot:
    def test_anonymous_is_refused(self, as_user, open_round):
        assert as_user(None).get(url(open_round)).status_code == 403

    def test_before_voting_shows_eligibility_per_district(self, as_user, riga, resident):
        budget_round = factories.district_voting_round(
            organisation=riga, min_age=16, residence_required=True
        )
        body = as_user(resident).get(url(budget_round)).json()
        assert body["round"] == budget_round.slug
        assert body["voting_open"] is True
        rows = {d["district"]: d for d in body["districts"]}
        assert list(rows) == ["city", "north", "south"]
        assert rows["city"]["eligible"] is False
        assert [e["code"] for e in rows["city"]["eligibility_errors"]] == ["age_unknown"]
        assert [e["code"] for e in rows["north"]["eligibility_errors"]] == [
            "age_unknown",
            "residence_unknown",
        ]
        assert rows["north"]["eligibility_errors"][1]["message"] == (
            "This district's vote is for its residents; set your district."
        )
        assert all(d["participation"] is None for d in body["districts"])

    def test_eligible_resident_of_one_district(self, as_user, riga):
        budget_round = factories.district_voting_round(organisation=riga, residence_required=True)
        north = budget_round.districts.get(key="north").district
        voter = factories.eligible_voter(riga, district=north)
        rows = {d["district"]: d for d in as_user(voter).get(url(budget_round)).json()["districts"]}
        assert (rows["city"]["eligible"], rows["north"]["eligible"]) == (True, True)
        assert rows["south"]["eligible"] is False
        assert [e["code"] for e in rows["south"]["eligibility_errors"]] == ["not_resident"]

    def test_open_round_shows_what_i_voted(self, as_user, open_round, resident):
        voter = as_user(resident)
        voter.put(url(open_round), {"district": "city", "projects": ["p3", "p1"]})
        body = voter.get(url(open_round)).json()
        assert body["secret_ballot"] is False
        mine = body["districts"][0]["participation"]
        assert (mine["channel"], mine["projects"], mine["points"]) == ("online", ["p3", "p1"], None)
        assert mine["cast_at"]

    def test_secret_round_shows_that_i_voted_but_not_what(self, as_user, secret_round, resident):
        voter = as_user(resident)
        voter.put(url(secret_round), {"district": "city", "projects": ["p3", "p1"]})
        body = voter.get(url(secret_round)).json()
        assert body["secret_ballot"] is True
        mine = body["districts"][0]["participation"]
        assert mine["channel"] == "online"
        assert mine["projects"] is None
        assert mine["points"] is None
        assert "p3" not in str(body)


def withdraw(voter, budget_round, body):
    return voter.post(url(budget_round, "ballot/withdraw/"), body)


class TestWithdraw:
    def test_without_a_ballot_is_a_400(self, as_user, open_round, resident):
        response = withdraw(as_user(resident), open_round, {"district": "city"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"district": ["no_ballot"]}

    def test_anonymous_is_refused(self, as_user, open_round):
        response = withdraw(as_user(None), open_round, {"district": "city"})
        assert response.status_code == 403
        assert "detail" in response.json()

    def test_where_changes_are_not_allowed_is_a_400(self, as_user, riga, resident):
        budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
        voter = as_user(resident)
        voter.put(url(budget_round), {"district": "city", "projects": ["p1"]})
        response = withdraw(voter, budget_round, {"district": "city"})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"phase": ["changes_not_allowed"]}
        assert len(factories.ballots_in_box()) == 1

    def test_secret_ballot_needs_its_receipt(self, as_user, secret_round, resident):
        voter = as_user(resident)
        receipt = voter.put(url(secret_round), {"district": "city", "projects": ["p1"]}).json()[
            "receipt"
        ]
        refused = withdraw(voter, secret_round, {"district": "city"})
        assert refused.status_code == 400
        assert refused.json()["error_codes"] == {"receipt": ["receipt_required"]}
        response = withdraw(voter, secret_round, {"district": "city", "receipt": receipt})
        assert response.status_code == 204
        assert response.content == b""
        assert nothing_stored()

    def test_withdrawn_ballot_is_gone_and_may_be_cast_again(self, as_user, open_round, resident):
        voter = as_user(resident)
        receipt = voter.put(url(open_round), {"district": "city", "projects": ["p1"]}).json()[
            "receipt"
        ]
        assert withdraw(voter, open_round, {"district": "city"}).status_code == 204
        assert nothing_stored()
        assert voter.get(url(open_round)).json()["districts"][0]["participation"] is None
        check = voter.post(url(open_round, "receipt/"), {"receipt": receipt}).json()
        assert check == {"counted": False, "district": None}
        again = voter.put(url(open_round), {"district": "city", "projects": ["p2"]})
        assert again.status_code == 201


class TestReceiptsNeverTravelInAnAddress:
    """Proxies and servers log addresses: a receipt code in one is refused, nothing done."""

    @pytest.fixture
    def voted(self, as_user, secret_round, resident):
        voter = as_user(resident)
        cast = voter.put(url(secret_round), {"district": "city", "projects": ["p1"]})
        return voter, cast.json()["receipt"]

    def test_withdrawing_with_the_receipt_in_the_query_string(self, secret_round, voted):
        voter, receipt = voted
        response = voter.post(
            url(secret_round, f"ballot/withdraw/?receipt={receipt}"), {"district": "city"}
        )
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"receipt": ["receipt_in_url"]}
        assert len(factories.ballots_in_box()) == 1

    def test_the_old_delete_with_a_query_string_withdraws_nothing(self, secret_round, voted):
        voter, receipt = voted
        response = voter.client.delete(url(secret_round) + f"?district=city&receipt={receipt}")
        assert response.status_code in (400, 405)
        assert len(factories.ballots_in_box()) == 1
        check = voter.post(url(secret_round, "receipt/"), {"receipt": receipt}).json()
        assert check["counted"] is True

    @pytest.mark.parametrize("tail", ["receipt/", "ballot/"])
    def test_checking_or_changing_with_the_receipt_in_the_query_string(
        self, secret_round, voted, tail
    ):
        voter, receipt = voted
        path = url(secret_round, f"{tail}?receipt={receipt}")
        body = {"district": "city", "projects": ["p2"], "receipt": receipt}
        response = voter.put(path, body) if tail == "ballot/" else voter.post(path, body)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"receipt": ["receipt_in_url"]}
        assert factories.ballots_in_box()[0].projects != ()
        assert voter.post(url(secret_round, "receipt/"), {"receipt": receipt}).json()["counted"]


class TestARetriedCast:
    """The same request sent again (its answer was lost) answers as the first one did."""

    KEY = "retry-key-0123456789"

    def test_a_first_ballot_retried_gives_the_same_receipt(self, as_user, secret_round, resident):
        voter = as_user(resident)
        body = {"district": "city", "projects": ["p1"], "cast_key": self.KEY}
        first = voter.put(url(secret_round), body)
        again = voter.put(url(secret_round), body)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert RECEIPT.match(first.json()["receipt"])
        assert len(factories.ballots_in_box()) == Participation.objects.count() == 1
        assert voter.post(
            url(secret_round, "receipt/"), {"receipt": first.json()["receipt"]}
        ).json()["counted"]

    def test_a_change_retried_gives_the_same_receipt_and_changes_nothing_more(
        self, as_user, secret_round, resident
    ):
        voter = as_user(resident)
        first = voter.put(url(secret_round), {"district": "city", "projects": ["p1"]}).json()
        change = {
            "district": "city",
            "projects": ["p2"],
            "receipt": first["receipt"],
            "cast_key": self.KEY,
        }
        changed = voter.put(url(secret_round), change)
        again = voter.put(url(secret_round), change)
        assert (changed.status_code, again.status_code) == (200, 200)
        assert again.json() == changed.json()
        assert again.json()["changed"] is True
        [ballot] = factories.ballots_in_box()
        assert ballot.projects == (secret_round.projects.get(external_id="p2").pk,)

    def test_another_key_is_another_request(self, as_user, secret_round, resident):
        voter = as_user(resident)
        voter.put(url(secret_round), {"district": "city", "projects": ["p1"], "cast_key": self.KEY})
        other = {"district": "city", "projects": ["p1"], "cast_key": "another-key-0123456789"}
        response = voter.put(url(secret_round), other)
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"receipt": ["receipt_required"]}

    def test_someone_elses_key_gives_them_nothing_of_mine(self, as_user, secret_round, resident):
        body = {"district": "city", "projects": ["p1"], "cast_key": self.KEY}
        mine = as_user(resident).put(url(secret_round), body).json()
        theirs = as_user(factories.UserFactory()).put(url(secret_round), body)
        assert theirs.status_code == 201
        assert theirs.json()["receipt"] != mine["receipt"]
        assert Participation.objects.count() == 2

    @pytest.mark.parametrize("key", ["short", "x" * 65, "spaces are not allowed here", 12345678])
    def test_a_malformed_key_is_a_field_error(self, as_user, secret_round, resident, key):
        response = as_user(resident).put(
            url(secret_round), {"district": "city", "projects": ["p1"], "cast_key": key}
        )
        assert response.status_code == 400
        assert "cast_key" in response.json()
        assert nothing_stored()


class TestReceipt:
    def test_unknown_code_is_not_counted(self, as_user, open_round):
        response = as_user(None).post(
            url(open_round, "receipt/"), {"receipt": "ABCD-EFGH-2345-6723"}
        )
        assert response.status_code == 200
        assert response.json() == {"counted": False, "district": None}

    @pytest.mark.parametrize("code", [0, ["ABCD-EFGH-2345-6723"], "ABCD", "ABCD-EFGH-2345-6789"])
    def test_a_code_that_cannot_be_one_is_a_field_error(self, as_user, open_round, code):
        response = as_user(None).post(url(open_round, "receipt/"), {"receipt": code})
        assert response.status_code == 400
        assert set(response.json()["error_codes"]) == {"receipt"}

    def test_missing_code_is_a_field_error(self, as_user, open_round):
        response = as_user(None).post(url(open_round, "receipt/"), {})
        assert response.status_code == 400
        assert response.json()["error_codes"] == {"receipt": ["required"]}

    def test_anyone_holding_the_code_sees_it_counted_but_not_its_content(
        self, as_user, secret_round, resident
    ):
        receipt = (
            as_user(resident)
            .put(url(secret_round), {"district": "city", "projects": ["p4"]})
            .json()["receipt"]
        )
        response = as_user(None).post(
            url(secret_round, "receipt/"), {"receipt": receipt.lower().replace("-", " ")}
        )
        assert response.status_code == 200
        assert response.json() == {"counted": True, "district": "city"}

    def test_receipt_of_another_round_is_not_counted_here(
        self, as_user, riga, open_round, resident
    ):
        other = factories.voting_round(organisation=riga)
        receipt = (
            as_user(resident)
            .put(url(other), {"district": "city", "projects": ["p1"]})
            .json()["receipt"]
        )
        response = as_user(None).post(url(open_round, "receipt/"), {"receipt": receipt})
        assert response.json() == {"counted": False, "district": None}


class TestRateLimits:
    def test_ballot_writes_are_limited_per_person_reads_are_not(
        self, as_user, open_round, resident, monkeypatch
    ):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "ballot", "2/min")
        voter = as_user(resident)
        assert (
            voter.put(url(open_round), {"district": "city", "projects": ["p1"]}).status_code == 201
        )
        assert (
            voter.put(url(open_round), {"district": "city", "projects": ["p2"]}).status_code == 200
        )
        limited = voter.put(url(open_round), {"district": "city", "projects": ["p3"]})
        assert limited.status_code == 429
        assert "throttled" in limited.json()["detail"].lower()
        assert voter.get(url(open_round)).status_code == 200
        other = as_user(factories.UserFactory())
        assert (
            other.put(url(open_round), {"district": "city", "projects": ["p3"]}).status_code == 201
        )

    def test_receipt_checks_are_limited(self, as_user, open_round, monkeypatch):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "receipt", "1/min")
        anonymous = as_user(None)
        body = {"receipt": "ABCD-EFGH-2345-6723"}
        assert anonymous.post(url(open_round, "receipt/"), body).status_code == 200
        assert anonymous.post(url(open_round, "receipt/"), body).status_code == 429

    def test_default_rates_come_from_settings(self, settings):
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        assert rates["ballot"] == "30/min"
        assert rates["receipt"] == "20/min"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_ballots_count_once_and_answer_409(riga):
    """Five simultaneous casts per person: one 201, four clean 409s, one ballot each."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test import Client

    budget_round = factories.voting_round(organisation=riga, ballot_changes_allowed=False)
    voters = [factories.UserFactory() for _ in range(4)]

    def cast(voter):
        client = Client()
        client.force_login(voter)
        try:
            response = client.put(
                url(budget_round),
                {"district": "city", "projects": ["p1", "p2"]},
                content_type="application/json",
            )
            return voter.pk, response.status_code, response.json().get("code")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(cast, [v for v in voters for _ in range(5)]))
    for voter in voters:
        mine = sorted((status, code) for pk, status, code in answers if pk == voter.pk)
        assert mine == [(201, None)] + [(409, "already_voted")] * 4
    assert len(factories.ballots_in_box(budget_round)) == 4
    assert Participation.objects.filter(round=budget_round).count() == 4
