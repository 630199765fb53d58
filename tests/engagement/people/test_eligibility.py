"""Who may take part (pure): facts about a person in, reason codes out."""

from __future__ import annotations

import pytest

from engagement.people.eligibility import (
    REASONS,
    SURVEY,
    VOTE,
    EligibilityRules,
    VoterFacts,
    eligibility_message,
    eligibility_reasons,
    ineligibility,
    organisation_ineligibility,
)

YEAR = 2026
NORTH, SOUTH = 11, 12

OPEN = EligibilityRules(min_age=None, residence_required=False, verified_email_required=False)
STRICT = EligibilityRules(min_age=16, residence_required=True, verified_email_required=True)


def voter(
    *,
    signed_in: bool = True,
    email_verified: bool = True,
    birth_year: int | None = 1990,
    district: int | None = NORTH,
) -> VoterFacts:
    return VoterFacts(
        signed_in=signed_in,
        email_verified=email_verified,
        birth_year=birth_year,
        residence_district_id=district,
    )


def reasons(rules: EligibilityRules, facts: VoterFacts, district_id: int | None = NORTH):
    return ineligibility(rules, facts, district_id=district_id, year=YEAR)


class TestCannotVote:
    def test_when_not_signed_in_that_is_the_only_reason_given(self):
        facts = voter(signed_in=False, email_verified=False, birth_year=None, district=None)
        assert reasons(STRICT, facts) == ["not_signed_in"]
        assert reasons(OPEN, facts) == ["not_signed_in"]

    def test_with_an_unverified_email_when_verification_is_required(self):
        assert reasons(STRICT, voter(email_verified=False)) == ["email_not_verified"]

    def test_without_a_birth_year_when_there_is_a_minimum_age(self):
        assert reasons(STRICT, voter(birth_year=None)) == ["age_unknown"]

    def test_below_the_minimum_age(self):
        assert reasons(STRICT, voter(birth_year=YEAR - 15)) == ["too_young"]

    def test_in_a_district_without_a_known_residence(self):
        assert reasons(STRICT, voter(district=None)) == ["residence_unknown"]

    def test_in_another_district_than_the_one_lived_in(self):
        assert reasons(STRICT, voter(district=SOUTH), district_id=NORTH) == ["not_resident"]

    def test_every_reason_is_reported_at_once_in_declared_order(self):
        facts = voter(email_verified=False, birth_year=YEAR - 10, district=SOUTH)
        assert reasons(STRICT, facts) == ["email_not_verified", "too_young", "not_resident"]


class TestMayVote:
    def test_when_every_rule_is_met(self):
        assert reasons(STRICT, voter()) == []

    def test_in_the_year_they_reach_the_minimum_age(self):
        # Only the birth year is stored: turning 16 during the voting year is enough.
        assert reasons(STRICT, voter(birth_year=YEAR - 16)) == []

    def test_in_the_city_wide_pot_without_a_residence(self):
        assert reasons(STRICT, voter(district=None), district_id=None) == []
        assert reasons(STRICT, voter(district=SOUTH), district_id=None) == []

    def test_with_an_unverified_email_when_the_round_does_not_ask_for_it(self):
        rules = EligibilityRules(
            min_age=None, residence_required=False, verified_email_required=False
        )
        assert reasons(rules, voter(email_verified=False, birth_year=None, district=None)) == []

    def test_without_a_birth_year_when_there_is_no_age_limit(self):
        rules = EligibilityRules(
            min_age=None, residence_required=True, verified_email_required=True
        )
        assert reasons(rules, voter(birth_year=None)) == []

    def test_in_any_district_when_residence_is_not_required(self):
        rules = EligibilityRules(min_age=16, residence_required=False, verified_email_required=True)
        assert reasons(rules, voter(district=None), district_id=SOUTH) == []


REASON_CASES = [
    (voter(signed_in=False), NORTH, "not_signed_in"),
    (voter(email_verified=False), NORTH, "email_not_verified"),
    (voter(birth_year=None), NORTH, "age_unknown"),
    (voter(birth_year=YEAR - 1), NORTH, "too_young"),
    (voter(district=None), NORTH, "residence_unknown"),
    (voter(district=SOUTH), NORTH, "not_resident"),
]


@pytest.mark.parametrize(
    ("facts", "district_id", "expected"), REASON_CASES, ids=[c[2] for c in REASON_CASES]
)
def test_each_declared_reason_is_produced(facts, district_id, expected):
    assert reasons(STRICT, facts, district_id) == [expected]


def test_the_cases_above_cover_every_declared_reason():
    assert sorted(c[2] for c in REASON_CASES) == sorted(REASONS)


class TestOrganisationWide:
    """A survey of the organisation: residence means living anywhere in it."""

    def test_not_signed_in_is_the_only_reason(self):
        facts = voter(signed_in=False, email_verified=False, birth_year=None, district=None)
        assert organisation_ineligibility(STRICT, facts, year=YEAR) == ["not_signed_in"]

    def test_without_any_residence_when_residence_is_required(self):
        assert organisation_ineligibility(STRICT, voter(district=None), year=YEAR) == [
            "not_resident"
        ]

    def test_a_residence_without_a_district_is_enough(self):
        facts = VoterFacts(True, True, 1990, None, resident=True)
        assert organisation_ineligibility(STRICT, facts, year=YEAR) == []

    def test_a_residence_in_any_district_is_enough(self):
        assert organisation_ineligibility(STRICT, voter(district=SOUTH), year=YEAR) == []

    def test_age_and_email_as_for_a_vote(self):
        facts = voter(email_verified=False, birth_year=YEAR - 10)
        assert organisation_ineligibility(STRICT, facts, year=YEAR) == [
            "email_not_verified",
            "too_young",
        ]


def test_every_reason_is_worded_for_every_activity():
    for activity in (VOTE, SURVEY):
        messages = eligibility_reasons(REASONS, activity)
        assert [m["code"] for m in messages] == list(REASONS)
        assert all(m["message"] and m["message"] != m["code"] for m in messages)
    assert eligibility_message("not_signed_in", VOTE) == "Sign in to vote."
    assert eligibility_message("not_signed_in", SURVEY) == "Sign in to answer this survey."
