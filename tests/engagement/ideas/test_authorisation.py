"""Who may write what, as a matrix: endpoint, kind and phase of the process, person asking.

Columns are the people asking: nobody signed in, a resident, the idea's author, Rīga's
moderator, reviewer and administrator, and Gdańsk's administrator. Each row reads left to
right as the HTTP status each one gets:

- 403 for anonymous callers of anything that needs an account, and for a missing role or
  someone else's idea;
- 404 for a process in draft to whoever is not staff of its organisation;
- 400 (code wrong_phase) when the person is right but the phase is not.

Every cell runs on its own fresh data, so one person's write never decides another's answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "resident", "author", "moderator", "reviewer", "admin", "other_admin")

NEW = {"title": "Benches", "description": "<p>By the sea</p>"}


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "ideas" or "budget"
    phase: str
    method: str
    path: str  # {slug}, {idea}, {other} are filled in
    expected: tuple[int, ...]
    body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert len(self.expected) == len(ROLES), self.name


IDEAS = "processes/{slug}/ideas/"
IDEA = "ideas/{idea}/"
HIDE = {"note": "Off topic."}

# What signed-in people get when the phase allows an action, and when it does not.
OPEN = (403, 201, 201, 201, 201, 201, 201)
SHUT = (403, 400, 400, 400, 400, 400, 400)
AUTHOR_OK = (403, 403, 200, 403, 403, 403, 403)
AUTHOR_SHUT = (403, 403, 400, 403, 403, 403, 403)
FOLLOW = (403, 200, 200, 200, 200, 200, 200)
MODERATORS = (403, 403, 403, 200, 403, 200, 403)
REVIEWERS_OK = (403, 403, 403, 403, 200, 200, 403)
REVIEWERS_SHUT = (403, 403, 403, 403, 400, 400, 403)
DRAFT_CREATE = (403, 404, 404, 400, 400, 400, 404)
DRAFT_READ = (404, 404, 404, 200, 200, 200, 404)


def rows(kind: str, phase: str, *, submit: bool, discuss: bool, review: bool, withdraw: bool):
    return [
        Case("create", kind, phase, "post", IDEAS, OPEN if submit else SHUT, NEW),
        Case("edit", kind, phase, "patch", IDEA, AUTHOR_OK if submit else AUTHOR_SHUT,
             {"title": "Shaded benches"}),
        Case("withdraw", kind, phase, "post", IDEA + "withdraw/",
             AUTHOR_OK if withdraw else AUTHOR_SHUT),
        Case("comment", kind, phase, "post", IDEA + "comments/", OPEN if discuss else SHUT,
             {"body": "<p>Yes</p>"}),
        Case("support", kind, phase, "put", IDEA + "support/", OPEN if discuss else SHUT),
        Case("follow", kind, phase, "put", IDEA + "follow/", FOLLOW),
        Case("report", kind, phase, "post", "reports/", OPEN,
             {"idea": "{idea}", "reason": "spam"}),
        Case("hide", kind, phase, "post", "moderation/hide/", MODERATORS,
             {"idea": "{idea}", **HIDE}),
        Case("review", kind, phase, "post", IDEA + "review/",
             REVIEWERS_OK if review else REVIEWERS_SHUT, {"decision": "under_review"}),
        Case("merge", kind, phase, "post", IDEA + "merge/",
             REVIEWERS_OK if (submit or review) else REVIEWERS_SHUT, {"into": "{other}"}),
    ]  # fmt: skip


CASES = [
    Case("read", "ideas", "draft", "get", "processes/{slug}/", DRAFT_READ),
    Case("create", "ideas", "draft", "post", IDEAS, DRAFT_CREATE, NEW),
    Case("read", "budget", "draft", "get", "processes/{slug}/", DRAFT_READ),
    Case("create", "budget", "draft", "post", IDEAS, DRAFT_CREATE, NEW),
    *rows("ideas", "collecting", submit=True, discuss=True, review=False, withdraw=True),
    *rows("ideas", "reviewing", submit=False, discuss=True, review=True, withdraw=True),
    *rows("ideas", "closed", submit=False, discuss=False, review=False, withdraw=False),
    *rows("budget", "information", submit=False, discuss=False, review=False, withdraw=False),
    *rows("budget", "proposals", submit=True, discuss=True, review=False, withdraw=True),
    *rows("budget", "review", submit=False, discuss=True, review=True, withdraw=True),
    *rows("budget", "voting", submit=False, discuss=False, review=False, withdraw=False),
]


def person(role: str, riga, gdansk, author):
    if role == "anonymous":
        return None
    if role == "resident":
        return factories.UserFactory()
    if role == "author":
        return author
    if role == "other_admin":
        return factories.staff(gdansk, Role.ADMINISTRATOR)
    return factories.staff(riga, {"moderator": Role.MODERATOR, "reviewer": Role.REVIEWER,
                                  "admin": Role.ADMINISTRATOR}[role])  # fmt: skip


def fill(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.kind}-{c.phase}-{c.name}")
def test_matrix(as_user, riga, gdansk, author, case, role):
    if case.kind == "ideas":
        process = factories.IdeaCollectionFactory(organisation=riga, phase=case.phase)
    else:
        process = factories.budget_process(organisation=riga, phase=case.phase)
    names: dict[str, Any] = {"slug": process.slug}
    if case.phase != "draft":
        names["idea"] = factories.IdeaFactory(process=process, author=author).pk
        names["other"] = factories.IdeaFactory(process=process).pk
    client = as_user(person(role, riga, gdansk, author))
    path = "/api/v1/" + case.path.format(**names)
    answer = getattr(client, case.method)(path, fill(case.body, names))
    expected = case.expected[ROLES.index(role)]
    assert answer.status_code == expected, (answer.status_code, answer.content[:300])
    if expected == 400:
        assert answer.json()["error_codes"] == {"phase": ["wrong_phase"]}
