"""schemathesis against the served OpenAPI schema: no 5xx, and the schema tells the truth.

The demo city (``seed_demo``) is fuzzed three times — signed out, as a resident and as an
organisation administrator — with every schemathesis check and every phase (examples,
coverage, fuzzing, stateful; signed out without coverage, see :func:`fuzz`), derandomised
with a fixed seed and a bounded number of examples per operation, so a run is reproducible
and costs about a minute of CPU per signed-in person. Each run prints its figures
(operations, examples by phase, time, failures by check, refusals excluded as business
rules); ``-s`` shows them:

    python -m pytest tests/config/test_api_fuzz.py -s -p no:cacheprovider

What a schema cannot say is excluded by name, below, with the reason: the 400 codes of
business rules (:data:`BUSINESS_RULES`, :data:`PLAIN_BUSINESS_RULES`). docs/api.md lists the
same.
"""

from __future__ import annotations

import collections
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.test import Client
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PERSONAS = {
    "anonymous": None,
    "resident": "resident1@demo.kopa.local",
    "administrator": "admin@demo.kopa.local",
}
SEED = 20261207
MAX_EXAMPLES = 3  # per operation and phase; the coverage phase adds its boundary cases
CSRF_SECRET = "kopaFuzzCsrfSecret0123456789abcd"  # any 32 letters, as Django's cookie holds

# Refusals a schema cannot express: the stable ``error_codes`` of a 400 that depends on the
# stored data or on the moment, not on the shape of the request. A schema-valid request
# refused (only) with these codes is not a failure of ``positive_data_acceptance``.
BUSINESS_RULES = {
    # The phase machine: what a round or process allows depends on its current phase.
    "wrong_phase": "the action is not open in the current phase",
    "invalid_transition": "phases move forward one way only",
    "follows_round": "a budget process moves with its round, not by itself",
    "voting_closed": "ballots are taken only while voting is open",
    "results_not_published": "results are shown once published",
    "empty_ballot": "voting opens only with feasible projects in every district",
    "changes_not_allowed": "the round does not allow changing ballots",
    "receipt_required": "changing or withdrawing a secret ballot needs its receipt code",
    "receipt_mismatch": "the receipt code must be the one of the voter's own ballot",
    "no_ballot": "only a ballot that was cast can be withdrawn",
    "locked_in_phase": "from voting on, a project's ballot fields are fixed",
    # References to stored things: the schema can say "a slug", not "an existing one".
    "does_not_exist": "the organisation, round, idea or comment named does not exist",
    "unknown_district": "the district named is not one of the round's or organisation's",
    "unknown_project": "the project named is not on this round's ballot",
    # Comparisons with stored data, between fields or between items of a list.
    "unique": "the slug or id is already taken",
    "duplicate_citywide": "one city-wide budget per round",
    "duplicate_district": "one budget per district",
    "duplicate_category": "categories are compared ignoring case and surrounding spaces",
    "dates_out_of_order": "a process's phase dates follow each other",
    "category_in_use": "a category that ideas are filed under stays",
    # The state of one item.
    "not_editable": "the idea is under review or decided",
    "not_reviewable": "the idea is decided, merged or withdrawn",
    "hidden": "moderators hid the item",
    "already_hidden": "a moderator hides an item once",
    "not_hidden": "only a hidden item is restored",
    "no_open_reports": "reports are dismissed while they are open",
    "already_reported": "one open report per person and item",
    "not_selected": "implementation is tracked for selected projects only",
    "wrong_password": "the password is checked against the account",
    "last_administrator": "an organisation keeps at least one administrator",
    "reason_required": "a rejection needs a public reason (blank is a valid string)",
    "same": "an idea cannot be merged into itself",
    "wrong_process": "ideas merge within one process",
    "invalid_target": "ideas merge into a visible idea that is not merged or withdrawn",
    # Amounts and files.
    "too_many_decimals": "how many decimals an amount may have is the round's currency's",
    "invalid_image": "an image must decode as JPEG, PNG or WebP: the schema can say binary",
    "image_invalid": "the same, checked again when the image is re-encoded",
    "too_many_images": "an idea has at most a few images, counting those it has",
    # Surveys: what a definition's parts mean together, and the survey's own state.
    "too_few_options": "choice, ranking and matrix questions need two options or more",
    "too_many_options": "a question has at most 100 options",
    "no_options": "text, scale, number and date questions have no options",
    "no_districts": "a district question needs the organisation's districts",
    "unknown_setting": "which settings a question has depends on its kind",
    "picks_order": "the fewest picks are not more than the most picks",
    "too_many_picks": "picks are bounded by the number of options",
    "rank_count": "what is ranked is bounded by the number of options",
    "max_length_limit": "the longest text answer depends on the kind (500 or 20000)",
    "scale_pair": "a scale runs 1-5, 1-7 or 0-10 (pairs of two fields)",
    "bounds_order": "a lowest value is below the highest",
    "duplicate_code": "question codes are unique in a survey, option codes in a question",
    "condition_later": "a condition names an earlier question",
    "condition_self": "a condition does not name its own question",
    "condition_unknown_question": "a condition names a question of the survey",
    "condition_unknown_option": "a condition names options the question has",
    "condition_kind": "conditions depend on choice, profile, scale or number questions",
    "condition_mismatch": "options for a choice question, a range for a scale or number",
    "condition_options_required": "a condition on a choice names at least one option",
    "condition_range_required": "a condition on a scale or number gives a bound",
    "structure_locked": "once answered, a survey's structure stays as it is",
    "no_questions": "a survey is published with at least one question",
    "closes_in_past": "a survey opens or reopens only before its closing time",
    "has_responses": "an answered survey cannot become a draft again",
    "invalid_answer": "answers are checked against each survey's own questions and conditions",
    "closed": "a survey takes answers only while it is open",
    "not_open": "a survey takes answers only once it has opened",
    "already_submitted": "a sent response is changed, not kept as a draft",
    "already_answered": "a survey that does not allow changes takes one response a person",
    "unknown_question": "cross-tabulations and written answers name a question of the survey",
    "not_a_choice": "only choice questions are broken down by group",
    # Workshops: times in the organisation's zone, places, and the workshop's own state.
    "nonexistent_time": "a wall-clock time the clocks skip that day (spring) does not exist",
    "ambiguous_time": "a wall-clock time the clocks repeat that day (autumn) is ambiguous",
    "ends_before_start": "a workshop ends after it starts",
    "too_long": "a workshop lasts at most 14 days",
    "closes_after_end": "registration closes before the workshop ends",
    "incomplete": "a workshop's latitude and longitude go together",
    "capacity_below_registered": "places are not fewer than the people already confirmed",
    "place_required": "a published in-person or hybrid workshop says where it is",
    "online_url_required": "a published online or hybrid workshop has its meeting link",
    "not_draft": "only a draft workshop is published",
    "already_cancelled": "a cancelled workshop is not cancelled again",
    "already_ended": "a workshop that took place is not cancelled",
    "cancelled": "a cancelled workshop is not changed and takes no registrations",
    "not_ended": "a workshop's outcome is published after it ends",
    "not_published": "registration opens when the workshop is published",
    "started": "registering and cancelling close when the workshop starts",
    "registration_closed": "registration closes at the workshop's deadline",
    "age_unknown": "a minimum age needs the birth year in the person's profile",
    "too_young": "a minimum age is checked against the birth year",
    "already_registered": "one registration a person and workshop",
    "full": "a full workshop without a waiting list takes no more registrations",
    "not_registered": "only a registration that exists is cancelled",
    "not_confirmed": "only people with a confirmed place are checked in",
    "out_of_range": "workshop dates fall in 2000-2100; an agenda item within the workshop",
    "invalid_url": "a workshop's meeting link is a real web address (the schema: https?://)",
    # Workshop boards: the board's stage, seats, dots and where notes and clusters lead.
    "wrong_stage": "notes in ideation, clusters in clustering, dots in voting",
    "board_closed": "a closed board is read-only",
    "board_not_open": "a board takes part only once facilitators open it",
    "invalid_join_code": "a join code is the one shown in the room, of an open board",
    "client_id_conflict": "a note's client_id is retried with the same text, not reused",
    "no_dots_left": "each participant has the workshop's number of dots",
    "no_dot": "only a dot that was placed is taken back",
    "same_cluster": "a cluster is not merged into itself",
    "prompt_has_notes": "a prompt that has notes stays",
    "no_prompts": "a board opens with at least one prompt",
    "no_process": "notes become ideas only for a workshop linked to a process",
    "no_consent": "a note written under a name becomes an idea only with consent",
    "already_an_idea": "a note or cluster becomes an idea once",
}

# The same for the endpoints that keep DRF's plain error shape (no ``error_codes``):
# (operation, field, message) of the 400.
PLAIN_BUSINESS_RULES = {
    (
        "POST /api/v1/organisations/{slug}/memberships/",
        "email",
        "No user has this email address.",
    ): "roles are granted to people who have an account",
    (
        "DELETE /api/v1/organisations/{slug}/memberships/",
        "role",
        "An organisation must keep at least one administrator.",
    ): "an organisation keeps at least one administrator",
}


@dataclass
class Figures:
    persona: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    operations: int = 0
    examples: int = 0
    by_check: collections.Counter = field(default_factory=collections.Counter)
    excluded: collections.Counter = field(default_factory=collections.Counter)
    phases: dict[str, int] = field(default_factory=dict)
    examples_by_phase: collections.Counter = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)

    def report(self) -> str:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(self.by_check.items())) or "none"
        excluded = ", ".join(f"{code} {n}" for code, n in sorted(self.excluded.items()))
        lines = [
            f"schemathesis [{self.persona}]: {self.operations} operations, {self.examples} "
            f"examples in {self.seconds:.0f} s ({self.cpu_seconds:.0f} s CPU); failures: {counts}",
            f"  examples by phase: {dict(self.examples_by_phase)}; phases done at (s): "
            f"{self.phases}",
            f"  excluded business-rule refusals: {excluded or 'none'}",
        ]
        lines += [f"  FAIL {line}" for line in self.failures]
        return "\n".join(lines)


def _session_key(email: str) -> str:
    from engagement.people.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies["sessionid"].value


def _error_codes(response: Any) -> set[str] | None:
    """Every code in the ``error_codes`` of a 400 (nested like the input), if it has them."""
    try:
        codes = json.loads(response.content).get("error_codes")
    except (ValueError, AttributeError):
        return None
    if not isinstance(codes, dict):
        return None

    def collect(value: Any) -> set[str]:
        if isinstance(value, str):
            return {value}
        items = value.values() if isinstance(value, dict) else value
        return set().union(*(collect(item) for item in items)) if items else set()

    return collect(codes)


def _with_csrf_cookie(app: Any) -> Any:
    """Every request carries the CSRF cookie matching the ``X-CSRFToken`` header, as a
    browser's would; the session cookie is schemathesis's to send or withhold. And each
    response is closed, as a WSGI server closes it, so Django ends the request and closes
    the database connection of schemathesis's worker thread."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        cookies = [c for c in (environ.get("HTTP_COOKIE"), f"csrftoken={CSRF_SECRET}") if c]
        environ["HTTP_COOKIE"] = "; ".join(cookies)
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            response.close()

    return wrapped


PLAIN_RULE_NAMES = {f"{field}: {message}" for _op, field, message in PLAIN_BUSINESS_RULES}


def _plain_rule(operation: str, response: Any) -> set[str] | None:
    """The plain-shape business rules a 400 (only) consists of, if any."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or not body:
        return None
    found = set()
    for field_name, messages in body.items():
        for message in messages if isinstance(messages, list) else [messages]:
            if (operation, field_name, message) not in PLAIN_BUSINESS_RULES:
                return None
            found.add(f"{field_name}: {message}")
    return found


def fuzz(persona: str, email: str | None) -> tuple[Figures, Statistic]:
    """One schemathesis run over the whole API, in-process (WSGI), as ``persona``.

    Signed in, requests carry the session cookie (the schema's ``cookieAuth``, which
    schemathesis leaves out where it checks that authentication is enforced) and the CSRF
    cookie with the matching ``X-CSRFToken`` header.
    """
    figures = Figures(persona)
    config: dict[str, Any] = {
        "seed": SEED,
        "cache": {"enabled": False},
        "workers": 1,
        "headers": {"X-CSRFToken": CSRF_SECRET},
        "checks": {"enabled": True},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    }
    if email is not None:
        config["auth"] = {"openapi": {"cookieAuth": {"api_key": _session_key(email)}}}
    else:
        # Signed out, the coverage phase (boundary values of every field, about 4,400
        # requests) would mostly meet 403s before any field is read; the public endpoints
        # read their input the same way signed in, where that phase runs.
        config["phases"] = {"coverage": {"enabled": False}}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/",
        _with_csrf_cookie(get_wsgi_application()),
        config=SchemathesisConfig.from_dict(config),
    )

    @schema.hook("filter_failure")
    def business_rules(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if type(failure).__name__ != "RejectedPositiveData" or response.status_code != 400:
            return True
        codes = _error_codes(response)
        if codes is None:
            codes = _plain_rule(failure.operation, response)
        if not codes or not codes <= BUSINESS_RULES.keys() | PLAIN_RULE_NAMES:
            return True
        figures.excluded.update(codes)
        return False

    statistic = Statistic()
    started, cpu_started = time.monotonic(), time.process_time()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            statistic.on_scenario_finished(event.recorder)
            figures.examples_by_phase[event.phase.value] += len(event.recorder.cases)
        elif isinstance(event, events.PhaseFinished):
            figures.phases[event.phase.name.value] = round(time.monotonic() - started)
        elif isinstance(event, events.NonFatalError):
            figures.failures.append(f"schemathesis error: {event.label}: {event.value!r:.300}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    figures.seconds = time.monotonic() - started
    figures.cpu_seconds = time.process_time() - cpu_started
    figures.operations = len(statistic.tested_operations)
    figures.examples = statistic.total_cases

    cases = {}
    for grouped in statistic.failures.values():
        for group in grouped.values():
            for failure in group.failures:
                cases[failure] = group
    for failure, check in statistic.observed_failures.values():
        figures.by_check[check] += 1
        group = cases.get(failure)
        response = group.response if group is not None else None
        status = response.status_code if response is not None else "-"
        body = response.content[:160].decode("utf-8", "replace") if response is not None else ""
        detail = " | ".join(failure.message.splitlines())[:300]
        request = " ".join((group.code_sample or "").split())[:400] if group else ""
        line = f"{failure.operation}: {check} [{status}] {detail} -> {body}\n      {request}"
        figures.failures.append(line)
    return figures, statistic


def _resend_without_socket_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """schemathesis 4.32 re-sends a request without credentials (``ignored_auth``) with the
    socket options of its HTTP client, which its in-process transport hands on to werkzeug
    as unknown arguments; in-process they mean nothing, so they are dropped."""
    from schemathesis.transport.wsgi import WSGITransport

    send = WSGITransport.send

    def without_socket_options(self: Any, case: Any, **kwargs: Any) -> Any:
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return send(self, case, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_socket_options)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_holds_to_its_schema(persona, monkeypatch):
    _resend_without_socket_options(monkeypatch)
    call_command("seed_demo", verbosity=0)
    figures, _statistic = fuzz(persona, PERSONAS[persona])
    print("\n" + figures.report())
    assert figures.operations >= 70, figures.report()
    assert figures.failures == [], figures.report()
