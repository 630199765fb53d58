"""Who may do what, as a matrix: endpoint, phase, role and organisation.

Rows are (endpoint, phase of Rīga's round); columns are the people asking: nobody signed
in, a resident without a role, Rīga's moderator, reviewer, officer and administrator, and
Gdańsk's administrator. Reading a row left to right gives the HTTP status each one gets.

- 403 for anonymous callers of anything that needs an account;
- 404 for a draft to whoever is not staff of its organisation (drafts are invisible);
- 403 for a visible round when the role is missing (the service says why);
- 400 when the role is right but the phase is not (code wrong_phase / voting_closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from budgeting.models import BudgetRound, PhaseSchedule, Project, ProjectStatus
from engagement.people.models import Role
from tests import factories
from tests.budgeting.api.util import url

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "resident", "moderator", "reviewer", "officer", "admin", "other_admin")


@dataclass(frozen=True)
class Case:
    name: str
    phase: str | None
    method: str
    tail: str | None  # under /api/v1/rounds/<slug>/; None: the collection itself
    expected: tuple[int, ...]  # one status per ROLES entry
    body: dict[str, Any] = field(default_factory=dict)
    success_key: str | None = None  # a key every 2xx body carries
    error_code: str | None = None  # the code every 400 body carries

    def __post_init__(self) -> None:
        assert len(self.expected) == len(ROLES), self.name


NEW_ROUND = {"organisation": "riga", "slug": "fresh", "title": "Fresh", "citywide_budget": "1000"}
NEW_PROJECT = {"id": "n1", "district": "city", "title": "New", "cost": "100.00"}
SHEET = {"district": "city", "serial": "S1", "voter_reference": "ID-1", "projects": ["p2"]}
SCHEDULE = {"phase": "tallying", "starts_at": "2030-01-01T00:00:00Z"}
BALLOT = {"district": "city", "projects": ["p2"]}
PROGRESS = "paper-ballots/progress/"

# fmt: off
CASES = [
    #                                                          anon res  mod  rev  off  adm  other
    Case("create", None, "post", None,                        (403, 403, 403, 403, 403, 201, 403),
         NEW_ROUND, "slug"),
    Case("detail", "draft", "get", "",                        (404, 404, 200, 200, 200, 200, 404),
         success_key="districts"),
    Case("projects", "draft", "get", "projects/",             (404, 404, 200, 200, 200, 200, 404),
         success_key="results"),
    Case("configure", "draft", "patch", "",                   (403, 404, 403, 403, 403, 200, 404),
         {"max_projects": 3}, "max_projects"),
    Case("configure", "review", "patch", "",                  (403, 403, 403, 403, 403, 200, 403),
         {"max_projects": 3}, "max_projects"),
    Case("configure", "voting", "patch", "",                  (403, 403, 403, 403, 403, 400, 403),
         {"max_projects": 3}, error_code="wrong_phase"),
    Case("phase", "draft", "post", "phase/",                  (403, 404, 403, 403, 403, 200, 404),
         {"to": "information"}, "phase"),
    Case("phase", "voting", "post", "phase/",                 (403, 403, 403, 403, 403, 200, 403),
         {"to": "tallying"}, "phase"),
    Case("schedule", "draft", "put", "schedule/",             (403, 404, 403, 403, 403, 200, 404),
         SCHEDULE),
    Case("schedule", "voting", "put", "schedule/",            (403, 403, 403, 403, 403, 200, 403),
         SCHEDULE),
    Case("add-project", "draft", "post", "projects/",         (403, 404, 403, 403, 403, 201, 404),
         NEW_PROJECT, "cost_display"),
    Case("add-project", "voting", "post", "projects/",        (403, 403, 403, 403, 403, 400, 403),
         NEW_PROJECT, error_code="wrong_phase"),
    Case("review", "review", "post", "projects/p1/review/",   (403, 404, 403, 200, 403, 200, 404),
         {"feasible": True}, "status"),
    Case("review", "voting", "post", "projects/p2/review/",   (403, 403, 403, 400, 403, 400, 403),
         {"feasible": True}, error_code="wrong_phase"),
    Case("paper", "draft", "post", "paper-ballots/",          (403, 404, 403, 403, 400, 400, 404),
         SHEET, error_code="wrong_phase"),
    Case("paper", "voting", "post", "paper-ballots/",         (403, 403, 403, 403, 201, 201, 403),
         SHEET, "status"),
    Case("paper", "tallying", "post", "paper-ballots/",       (403, 403, 403, 403, 201, 201, 403),
         SHEET, "status"),
    Case("progress", "draft", "get", PROGRESS,                (403, 404, 403, 403, 200, 200, 404),
         success_key="counted"),
    Case("progress", "voting", "get", PROGRESS,               (403, 403, 403, 403, 200, 200, 403),
         success_key="counted"),
    Case("tally", "voting", "post", "tally/",                 (403, 403, 403, 403, 403, 400, 403),
         error_code="wrong_phase"),
    Case("tally", "tallying", "post", "tally/",               (403, 403, 403, 403, 403, 200, 403),
         success_key="results"),
    Case("tally-preview", "draft", "get", "tally/",           (403, 404, 403, 403, 403, 200, 404),
         success_key="results"),
    Case("tally-preview", "tallying", "get", "tally/",        (403, 403, 403, 403, 403, 200, 403),
         success_key="results"),
    Case("publish", "voting", "post", "publish/",             (403, 403, 403, 403, 403, 400, 403),
         error_code="wrong_phase"),
    Case("publish", "tallying", "post", "publish/",           (403, 403, 403, 403, 403, 200, 403),
         success_key="published"),
    Case("my-ballot", "draft", "get", "ballot/",              (403, 404, 200, 200, 200, 200, 404),
         success_key="districts"),
    Case("vote", "draft", "put", "ballot/",                   (403, 404, 400, 400, 400, 400, 404),
         BALLOT, error_code="voting_closed"),
    Case("vote", "voting", "put", "ballot/",                  (403, 201, 201, 201, 201, 201, 201),
         BALLOT, "receipt"),
    Case("vote", "tallying", "put", "ballot/",                (403, 400, 400, 400, 400, 400, 400),
         BALLOT, error_code="voting_closed"),
    Case("turnout", "draft", "get", "turnout/",               (404, 404, 200, 200, 200, 200, 404),
         success_key="voters"),
    Case("results", "draft", "get", "results/",               (404, 404, 200, 200, 200, 200, 404),
         success_key="published"),
    Case("receipt", "draft", "post", "receipt/",              (404, 404, 200, 200, 200, 200, 404),
         {"receipt": "AAAA-BBBB-CCCC-DDDD"}, "counted"),
]
# fmt: on


def riga_round(riga, phase: str) -> BudgetRound:
    """Rīga's round in ``phase``: p1 awaits review before voting, p2..p4 are on the ballot."""
    budget_round = factories.voting_round(organisation=riga)
    BudgetRound.objects.filter(pk=budget_round.pk).update(phase=phase)
    budget_round.refresh_from_db()
    if phase in ("draft", "information", "proposals", "review"):
        Project.objects.filter(round=budget_round, external_id="p1").update(
            status=ProjectStatus.PROPOSED
        )
        Project.objects.filter(round=budget_round).exclude(external_id="p1").update(
            status=ProjectStatus.FEASIBLE
        )
    return budget_round


@pytest.fixture
def people(riga, gdansk):
    return {
        "anonymous": None,
        "resident": factories.UserFactory(email="someone@example.org"),
        "moderator": factories.staff(riga, Role.MODERATOR),
        "reviewer": factories.staff(riga, Role.REVIEWER),
        "officer": factories.staff(riga, Role.OFFICER),
        "admin": factories.staff(riga, Role.ADMINISTRATOR),
        "other_admin": factories.staff(gdansk, Role.ADMINISTRATOR),
    }


@pytest.mark.parametrize(
    ("case", "role"),
    [(case, role) for case in CASES for role in ROLES],
    ids=[f"{c.name}-{c.phase or 'any'}-{role}" for c in CASES for role in ROLES],
)
def test_matrix(as_user, riga, people, case, role):
    expected = case.expected[ROLES.index(role)]
    path = "/api/v1/rounds/" if case.tail is None else url(riga_round(riga, case.phase), case.tail)
    client = as_user(people[role])
    if case.method == "get":
        response = client.get(path)
    else:
        response = getattr(client, case.method)(path, case.body)
    assert response.status_code == expected, response.content
    body = response.json()
    if expected < 300:
        if case.success_key is not None:
            assert case.success_key in body
    elif expected == 400:
        codes = [c for field_codes in body["error_codes"].values() for c in field_codes]
        assert case.error_code in codes, body
    else:
        assert set(body) == {"detail"}, body


def test_matrix_covers_every_staff_endpoint():
    staff_endpoints = {
        "create",
        "configure",
        "phase",
        "schedule",
        "add-project",
        "review",
        "paper",
        "progress",
        "tally",
        "tally-preview",
        "publish",
    }
    assert staff_endpoints <= {c.name for c in CASES}


class TestOtherOrganisationsDrafts:
    """Gdańsk's staff (every role) neither see nor change Rīga's draft round."""

    @pytest.fixture
    def gdansk_staff(self, gdansk):
        return factories.staff(
            gdansk, Role.ADMINISTRATOR, Role.MODERATOR, Role.REVIEWER, Role.OFFICER
        )

    def test_draft_is_invisible(self, as_user, riga, gdansk_staff):
        draft = riga_round(riga, "draft")
        client = as_user(gdansk_staff)
        assert client.get("/api/v1/rounds/").json()["count"] == 0
        assert client.get("/api/v1/rounds/", {"organisation": "riga"}).json()["results"] == []
        for tail in ("", "projects/", "ballot/", "turnout/", "results/", "tally/"):
            assert client.get(url(draft, tail)).status_code == 404, tail
        assert client.get(url(draft, "paper-ballots/progress/")).status_code == 404

    def test_draft_cannot_be_changed(self, as_user, riga, gdansk_staff):
        draft = riga_round(riga, "draft")
        client = as_user(gdansk_staff)
        writes = [
            client.patch(url(draft), {"title": "Taken over", "max_projects": 1}),
            client.post(url(draft, "phase/"), {"to": "voting"}),
            client.put(url(draft, "schedule/"), SCHEDULE),
            client.post(url(draft, "projects/"), NEW_PROJECT),
            client.post(
                url(draft, "projects/p1/review/"), {"feasible": False, "public_reason": "x"}
            ),
            client.post(url(draft, "paper-ballots/"), SHEET),
            client.post(url(draft, "tally/")),
            client.post(url(draft, "publish/")),
        ]
        assert [r.status_code for r in writes] == [404] * len(writes)
        draft.refresh_from_db()
        assert (draft.phase, draft.max_projects) == ("draft", None)
        assert draft.title != "Taken over"
        assert not PhaseSchedule.objects.exists()
        assert Project.objects.get(round=draft, external_id="p1").status == "proposed"
        assert not Project.objects.filter(external_id="n1").exists()

    def test_public_round_cannot_be_changed_either(self, as_user, riga, gdansk_staff):
        budget_round = riga_round(riga, "review")
        client = as_user(gdansk_staff)
        response = client.patch(url(budget_round), {"title": "Taken over"})
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only administrators of this organisation can do this."
        }
        assert client.post(url(budget_round, "phase/"), {"to": "voting"}).status_code == 403
        budget_round.refresh_from_db()
        assert (budget_round.title, budget_round.phase) != ("Taken over", "voting")
        assert budget_round.phase == "review"

    def test_cannot_create_a_round_for_another_organisation(self, as_user, riga, gdansk_staff):
        response = as_user(gdansk_staff).post("/api/v1/rounds/", NEW_ROUND)
        assert response.status_code == 403
        assert not BudgetRound.objects.exists()


def test_platform_operator_may_act_everywhere(as_user, riga, platform_admin):
    draft = riga_round(riga, "draft")
    client = as_user(platform_admin)
    assert client.get(url(draft)).status_code == 200
    assert client.patch(url(draft), {"max_projects": 2}).json()["max_projects"] == 2
    assert client.post("/api/v1/rounds/", NEW_ROUND).status_code == 201
