"""Casting, changing and withdrawing ballots; receipts.

One person, one ballot per district budget: the ``Participation`` row — who voted, and what,
sealed (``budgeting/services/ballot_box.py``) — is inserted with ``INSERT … ON CONFLICT DO
NOTHING`` against its unique constraints, so concurrent casts by the same person end with
exactly one ballot and the others get a clean "already voted", without exceptions or
savepoints on the hot path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import phases
from budgeting.ballots import BallotProject, BallotRules, ValidBallot, validate_ballot
from budgeting.messages import (
    RECEIPT_REQUIRED_MESSAGE,
    ballot_validation_error,
    eligibility_message,
    eligibility_reasons,
)
from budgeting.models import (
    Ballot,
    BudgetRound,
    Channel,
    DistrictBudget,
    Participation,
    ParticipationRemoval,
    Project,
    ProjectStatus,
    WithdrawnBallot,
)
from budgeting.phases import Action
from budgeting.services import ballot_box
from budgeting.services import live_updates as live
from engagement.people import eligibility
from engagement.people.models import Residence, ResidentProfile, User

# A project stays on the ballot once results mark it selected or not: paper ballots may still
# be entered in the tallying phase after a (preliminary) publication.
BALLOT_STATUSES = frozenset(
    {
        ProjectStatus.ON_BALLOT,
        ProjectStatus.SELECTED,
        ProjectStatus.NOT_SELECTED,
        ProjectStatus.IMPLEMENTED,
    }
)


class AlreadyVoted(Exception):
    """The person already has a ballot in this district budget (or another district)."""

    def __init__(self, code: str = "already_voted") -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CastReceipt:
    receipt: str
    district: str
    changed: bool


# --- receipts -----------------------------------------------------------------------------


def new_receipt_code() -> str:
    """80 random bits as 16 base32 characters in groups of four: easy to copy down."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_receipt(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


RECEIPT_LENGTH = 16  # characters of a receipt code without its dashes (new_receipt_code)
# A receipt code as people copy it: four groups of four of A-Z and 2-7, in either case,
# joined by dashes (as printed), spaces or nothing, with spaces around it allowed.
RECEIPT_PATTERN = r"^\s*[A-Za-z2-7]{4}(?:[ -]?[A-Za-z2-7]{4}){3}\s*$"
_RECEIPT = re.compile(RECEIPT_PATTERN)


def parse_receipt(value: str) -> str | None:
    """A receipt code as people copy it in its printed form ``ABCD-EFGH-JKLM-NPQR``, or
    None if it cannot be one."""
    if not _RECEIPT.match(value):
        return None
    code = normalise_receipt(value)
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_seal(code: str) -> str:
    """Keyed hash kept on the participation of a secret ballot (see Participation)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise_receipt(code).encode(), hashlib.sha256).hexdigest()


def voter_key_for_user(user_id: int) -> str:
    return f"user:{user_id}"


def voter_key_for_reference(reference: str) -> str:
    """Paper voters without an account: keyed hash of an email or identity reference."""
    normalised = " ".join(reference.strip().lower().split())
    digest = hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256)
    return f"ref:{digest.hexdigest()[:40]}"


T = TypeVar("T")

# --- what validation needs ----------------------------------------------------------------

_MAX_CACHED_ROUNDS = 256
_fixed_while_voting: dict[tuple[str, int, Any], Any] = {}


def _cached_while_voting(what: str, budget_round: BudgetRound, load: Callable[[], T]) -> T:
    """``load()``, kept per round and phase change while the round is in voting — when
    projects and budgets cannot change. Outside voting, always read fresh."""
    if budget_round.phase != "voting":
        return load()
    key = (what, budget_round.pk, budget_round.phase_changed_at)
    if key not in _fixed_while_voting:
        if len(_fixed_while_voting) > _MAX_CACHED_ROUNDS:
            _fixed_while_voting.clear()
        _fixed_while_voting[key] = load()
    return _fixed_while_voting[key]


def offered_projects(budget_round: BudgetRound) -> dict[str, BallotProject]:
    """External id -> facts of every project of the round."""

    def load() -> dict[str, BallotProject]:
        rows = Project.objects.filter(round=budget_round).values_list(
            "pk", "external_id", "cost", "district_budget__key", "status"
        )
        return {
            external_id: BallotProject(
                cost=cost, district_key=key, on_ballot=status in BALLOT_STATUSES, pk=pk
            )
            for pk, external_id, cost, key, status in rows
        }

    return _cached_while_voting("projects", budget_round, load)


def _projects_per_district(budget_round: BudgetRound) -> Counter[str]:
    """District key -> how many projects it has (sets the length of its sealed ballots)."""
    return _cached_while_voting(
        "sizes",
        budget_round,
        lambda: Counter(p.district_key for p in offered_projects(budget_round).values()),
    )


def district_budgets(budget_round: BudgetRound) -> dict[str, DistrictBudget]:
    """Key -> district budget of the round."""
    return _cached_while_voting(
        "districts",
        budget_round,
        lambda: {d.key: d for d in DistrictBudget.objects.filter(round=budget_round)},
    )


_voting_rounds: dict[str, tuple[float, BudgetRound]] = {}
VOTING_ROUND_TTL = 2.0


def round_for_voting(slug: str) -> BudgetRound | None:
    """The round called ``slug`` from a per-process cache kept for a few seconds while it is
    in voting; otherwise read fresh. The ballot insert re-checks the phase in the database,
    so a cached round can never let a ballot in after voting closed."""
    now = time.monotonic()
    cached = _voting_rounds.get(slug)
    if cached is not None and now - cached[0] < VOTING_ROUND_TTL:
        return cached[1]
    budget_round = BudgetRound.objects.select_related("organisation").filter(slug=slug).first()
    if budget_round is not None and budget_round.phase == "voting":
        if len(_voting_rounds) > _MAX_CACHED_ROUNDS:
            _voting_rounds.clear()
        _voting_rounds[slug] = (now, budget_round)
    else:
        _voting_rounds.pop(slug, None)
    return budget_round


def ballot_rules(budget_round: BudgetRound, district_budget: DistrictBudget) -> BallotRules:
    min_spend = None
    if budget_round.min_spend_percent:
        # Rounded up: "at least 50 %" of 9.99 is 5.00, not 4.99.
        min_spend = -(-district_budget.budget * budget_round.min_spend_percent // 100)
    return BallotRules(
        format=budget_round.ballot_format,
        budget=district_budget.budget,
        min_projects=budget_round.min_projects,
        max_projects=budget_round.max_projects,
        knapsack=budget_round.knapsack,
        min_spend=min_spend,
        points_budget=budget_round.points_budget,
        max_points_per_project=budget_round.max_points_per_project,
        max_rank=budget_round.max_rank,
    )


def ballot_check(
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    projects: list[str],
    points: list[int] | None,
) -> ValidBallot:
    """The ballot checked against the rules of its district budget (the pure
    ``validate_ballot``), without casting it: the normalised ballot, or a ValidationError
    with the rules' codes and messages (``budgeting.messages``) field by field."""
    result = validate_ballot(
        ballot_rules(budget_round, district_budget),
        district_budget.key,
        offered_projects(budget_round),
        projects,
        points,
    )
    if isinstance(result, list):
        raise ballot_validation_error(result, budget_round.currency)
    return result


def voter_facts(
    user: Any, organisation_id: int, rules: eligibility.EligibilityRules
) -> eligibility.VoterFacts:
    """What the rules need to know of the voter, in at most one query (none if nothing)."""
    if not getattr(user, "is_authenticated", False):
        return eligibility.VoterFacts(False, False, None, None)
    facts: dict[str, Any] = {}
    if rules.verified_email_required:
        facts["verified"] = Exists(
            EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)
        )
    if rules.min_age is not None:
        facts["birth_year"] = Subquery(
            ResidentProfile.objects.filter(user_id=OuterRef("pk")).values("birth_year")[:1]
        )
    if rules.residence_required:
        facts["district_id"] = Subquery(
            Residence.objects.filter(
                user_id=OuterRef("pk"), organisation_id=organisation_id
            ).values("district_id")[:1]
        )
    row: dict[str, Any] = {}
    if facts:
        row = User.objects.filter(pk=user.pk).values(**facts).first() or {}
    return eligibility.VoterFacts(
        signed_in=True,
        email_verified=bool(row.get("verified", False)),
        birth_year=row.get("birth_year"),
        residence_district_id=row.get("district_id"),
    )


class NotEligible(PermissionDenied):
    """The voter may not vote here; ``codes`` are the stable reasons
    (``engagement.people.eligibility``)."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(" ".join(eligibility_message(code) for code in codes))
        self.codes = codes

    @property
    def reasons(self) -> list[dict[str, str]]:
        """The codes with their messages, as the API and the pages list them."""
        return eligibility_reasons(self.codes)


def eligibility_errors(
    user: Any, budget_round: BudgetRound, district_budget: DistrictBudget
) -> list[str]:
    rules = eligibility.EligibilityRules(
        min_age=budget_round.min_age,
        residence_required=budget_round.residence_required,
        verified_email_required=budget_round.verified_email_required,
    )
    # Age limits follow the calendar of the city, not of the server.
    local_year = timezone.localtime(
        timezone.now(), ZoneInfo(budget_round.organisation.time_zone)
    ).year
    return eligibility.ineligibility(
        rules,
        voter_facts(user, budget_round.organisation_id, rules),
        district_id=district_budget.district_id,
        year=local_year,
    )


def _require_eligible(
    user: Any, budget_round: BudgetRound, district_budget: DistrictBudget
) -> None:
    reasons = eligibility_errors(user, budget_round, district_budget)
    if reasons:
        raise NotEligible(reasons)


def _require_voting(budget_round: BudgetRound) -> None:
    if not phases.allows(budget_round.phase, Action.VOTE):
        raise ValidationError(
            {"phase": ValidationError(_("Voting is not open."), code="voting_closed")}
        )


# --- writes -------------------------------------------------------------------------------


def participation_insert(
    *,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    voter_id: int | None,
    voter_key: str,
    channel: str,
    seal: str,
    sealed_ballot: bytes,
) -> int | None:
    """Insert unless the person already voted here (or elsewhere, where that is limited)."""
    limits = budget_round.one_district_per_voter and not district_budget.is_citywide
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, district_budget_id, voter_id, voter_key, channel,"
            " limits_district, ballot_seal, cast_at, sealed_ballot, tally_pending)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING id",
            [
                budget_round.pk,
                district_budget.pk,
                voter_id,
                voter_key,
                channel,
                limits,
                seal,
                timezone.now(),
                sealed_ballot,
                True,
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def seal_valid_ballot(
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    ballot: ValidBallot,
    *,
    changed: bool = False,
) -> bytes:
    """A checked ballot, sealed for the ballot box (budgeting/services/ballot_box.py)."""
    offered = offered_projects(budget_round)
    return ballot_box.seal(
        district_budget,
        [offered[p].pk for p in ballot.projects],
        ballot.points,
        projects_in_district=_projects_per_district(budget_round)[district_budget.key],
        changed=changed,
    )


# A client names each cast it sends (a page does it when it shows the ballot), so that a
# retry of the same request can be recognised: 16 to 64 URL-safe characters.
CAST_KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


def new_cast_key() -> str:
    return secrets.token_urlsafe(18)


def receipt_for_cast(voter_id: int, district_budget_id: int, cast_key: str | None) -> str:
    """The receipt code of a cast: random, or — when the client names its request with a
    ``cast_key`` — the same code every time that request is retried, so a voter whose answer
    was lost gets their receipt again (the code derives from the server's secret key, which
    a database reader does not hold)."""
    if not cast_key:
        return new_receipt_code()
    message = f"receipt\x00{voter_id}\x00{district_budget_id}\x00{cast_key}".encode()
    raw = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()[:10]
    text = base64.b32encode(raw).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def ballot_cast(
    *,
    voter: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    projects: list[str],
    points: list[int] | None = None,
    receipt: str | None = None,
    cast_key: str | None = None,
) -> CastReceipt:
    """Cast the voter's ballot, or replace it when the round allows changes.

    In a secret round, replacing needs the receipt code of the first ballot: it is the only
    link between the voter and their ballot. The same request retried (same ``cast_key``)
    answers as it did the first time, receipt included, and changes nothing.

    On PostgreSQL the common case — an eligible voter's first ballot while voting is open —
    is one statement that re-checks the phase and eligibility in the database, so the round
    may come from a short-lived cache. Anything else (closed, not eligible, already voted,
    a retry) takes the careful path below with fresh data, which says precisely why.
    """
    _require_voting(budget_round)
    if district_budget.round_id != budget_round.pk:
        raise ValidationError(
            {"district": ValidationError(_("Not a district of this round."), code="wrong_round")}
        )
    if not getattr(voter, "is_authenticated", False):
        raise NotEligible(["not_signed_in"])
    valid = ballot_check(budget_round, district_budget, projects, points)
    code = receipt_for_cast(voter.pk, district_budget.pk, cast_key)
    sealed = seal_valid_ballot(budget_round, district_budget, valid)
    fast_path = connection.vendor == "postgresql" and not connection.in_atomic_block
    if fast_path and _cast_in_one_statement(budget_round, district_budget, voter, sealed, code):
        # Outside any atomic block the statement has committed: this publishes at once.
        live.publish_ballots_changed(budget_round)
        return CastReceipt(receipt=code, district=district_budget.key, changed=False)
    # The careful path trusts nothing cached: the phase may have changed a moment ago.
    budget_round = BudgetRound.objects.select_related("organisation").get(pk=budget_round.pk)
    # A repeated cast (double click, several tabs, a retry after a lost answer) is the
    # common way to get here: answer it before anything more expensive.
    answered = cast_answered_before(voter, district_budget, cast_key)
    if answered is not None:
        return answered
    _require_voting(budget_round)
    channel = (
        Participation.objects.filter(
            district_budget=district_budget, voter_key=voter_key_for_user(voter.pk)
        )
        .values_list("channel", flat=True)
        .first()
    )
    conflict = ballot_conflict(budget_round, channel)
    if conflict is not None:
        raise AlreadyVoted(conflict)
    _require_eligible(voter, budget_round, district_budget)
    paper_key = voter_key_for_reference(voter.email)
    with transaction.atomic():
        if Participation.objects.filter(
            district_budget=district_budget, voter_key=paper_key
        ).exists():
            raise AlreadyVoted("voted_on_paper")
        participation_id = participation_insert(
            budget_round=budget_round,
            district_budget=district_budget,
            voter_id=voter.pk,
            voter_key=voter_key_for_user(voter.pk),
            channel=Channel.ONLINE,
            seal=receipt_seal(code),
            sealed_ballot=sealed,
        )
        if participation_id is not None:
            live.publish_ballots_changed(budget_round)
            return CastReceipt(receipt=code, district=district_budget.key, changed=False)
    return _ballot_replace(voter, budget_round, district_budget, valid, receipt, code)


def cast_answered_before(
    voter: Any, district_budget: DistrictBudget, cast_key: str | None
) -> CastReceipt | None:
    """If the cast named ``cast_key`` already went through (its answer may have been lost on
    the way), the answer it got then; otherwise None. The voter's ballot still carries the
    receipt that key gave, so nothing else can have replaced it since."""
    if not cast_key or not getattr(voter, "is_authenticated", False):
        return None
    code = receipt_for_cast(voter.pk, district_budget.pk, cast_key)
    sealed = (
        Participation.objects.filter(
            district_budget=district_budget,
            voter_key=voter_key_for_user(voter.pk),
            ballot_seal=receipt_seal(code),
        )
        .values_list("sealed_ballot", flat=True)
        .first()
    )
    if sealed is None:
        return None
    changed = ballot_box.unseal(district_budget, sealed).changed
    return CastReceipt(receipt=code, district=district_budget.key, changed=changed)


def _eligibility_sql(
    budget_round: BudgetRound, district_budget: DistrictBudget, voter_id: int
) -> tuple[str, list[Any]]:
    """The round's eligibility rules as SQL conditions (the fast path's guard)."""
    conditions, params = [], []
    if budget_round.verified_email_required:
        conditions.append(
            f"EXISTS (SELECT 1 FROM {EmailAddress._meta.db_table} WHERE user_id = %s AND verified)"
        )
        params.append(voter_id)
    if budget_round.min_age is not None:
        local_year = timezone.localtime(
            timezone.now(), ZoneInfo(budget_round.organisation.time_zone)
        ).year
        conditions.append(
            f"EXISTS (SELECT 1 FROM {ResidentProfile._meta.db_table}"
            " WHERE user_id = %s AND birth_year <= %s)"
        )
        params += [voter_id, local_year - budget_round.min_age]
    if budget_round.residence_required and district_budget.district_id is not None:
        conditions.append(
            f"EXISTS (SELECT 1 FROM {Residence._meta.db_table}"
            " WHERE user_id = %s AND organisation_id = %s AND district_id = %s)"
        )
        params += [voter_id, budget_round.organisation_id, district_budget.district_id]
    return "".join(f" AND {c}" for c in conditions), params


def _cast_in_one_statement(
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    voter: Any,
    sealed: bytes,
    code: str,
) -> bool:
    """PostgreSQL: the participation with its sealed ballot in one statement — atomic on its
    own, one round trip, no BEGIN/COMMIT — guarded by the round being open and the voter
    eligible. False when anything stopped it (closed, not eligible, a participation here, in
    a limited district, on paper under the voter's email, or this very receipt already
    used); the caller then finds out which."""
    eligible_sql, eligible_params = _eligibility_sql(budget_round, district_budget, voter.pk)
    participation, rounds = Participation._meta.db_table, BudgetRound._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {participation} (round_id, district_budget_id, voter_id, voter_key,
                channel, limits_district, ballot_seal, cast_at, sealed_ballot, tally_pending)
            SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, TRUE
            WHERE EXISTS (SELECT 1 FROM {rounds} WHERE id = %s AND phase = 'voting')
              AND NOT EXISTS (SELECT 1 FROM {participation}
                              WHERE district_budget_id = %s AND voter_key = %s)
              {eligible_sql}
            ON CONFLICT DO NOTHING
            RETURNING id""",
            [
                budget_round.pk,
                district_budget.pk,
                voter.pk,
                voter_key_for_user(voter.pk),
                Channel.ONLINE,
                budget_round.one_district_per_voter and not district_budget.is_citywide,
                receipt_seal(code),
                timezone.now(),
                sealed,
                budget_round.pk,
                district_budget.pk,
                voter_key_for_reference(voter.email),
                *eligible_params,
            ],
        )
        return cursor.fetchone() is not None


@transaction.atomic
def _ballot_replace(
    voter: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    valid: ValidBallot,
    receipt: str | None,
    code: str,
) -> CastReceipt:
    participation = (
        Participation.objects.select_for_update()
        .filter(district_budget=district_budget, voter_key=voter_key_for_user(voter.pk))
        .first()
    )
    if participation is None:
        # Not here: the one-district limit stopped the insert.
        raise AlreadyVoted("voted_in_other_district")
    conflict = ballot_conflict(budget_round, participation.channel)
    if conflict is not None:
        raise AlreadyVoted(conflict)
    _require_own_ballot(budget_round, participation, receipt)
    participation.sealed_ballot = seal_valid_ballot(
        budget_round, district_budget, valid, changed=True
    )
    participation.ballot_seal = receipt_seal(code)
    participation.tally_pending = True
    participation.save(update_fields=["sealed_ballot", "ballot_seal", "tally_pending"])
    live.publish_ballots_changed(budget_round)
    return CastReceipt(receipt=code, district=district_budget.key, changed=True)


def _require_own_ballot(
    budget_round: BudgetRound, participation: Participation, receipt: str | None
) -> None:
    """Secret rounds: only the receipt code's holder may change or withdraw the ballot."""
    if participation.sealed_ballot is None:
        # Counted in the ballot box already, where nothing leads back to it.
        raise AlreadyVoted()
    if not budget_round.secret_ballot:
        return
    if not receipt:
        raise ValidationError(
            {"receipt": ValidationError(str(RECEIPT_REQUIRED_MESSAGE), code="receipt_required")}
        )
    if not hmac.compare_digest(receipt_seal(receipt), participation.ballot_seal):
        raise ValidationError(
            {
                "receipt": ValidationError(
                    _("This receipt code is not the one of your ballot."), code="receipt_mismatch"
                )
            }
        )


@transaction.atomic
def ballot_withdraw(
    *,
    voter: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    receipt: str | None = None,
) -> None:
    _require_voting(budget_round)
    if not budget_round.ballot_changes_allowed:
        raise ValidationError(
            {
                "phase": ValidationError(
                    _("Ballots in this round cannot be withdrawn."), code="changes_not_allowed"
                )
            }
        )
    participation = (
        Participation.objects.select_for_update()
        .filter(district_budget=district_budget, voter_key=voter_key_for_user(voter.pk))
        .first()
    )
    if participation is None or participation.channel != Channel.ONLINE:
        raise ValidationError(
            {"district": ValidationError(_("You have no online ballot here."), code="no_ballot")}
        )
    _require_own_ballot(budget_round, participation, receipt)
    if participation.tallied_ballot is not None:
        # The live counts include it: they subtract it when they next move.
        WithdrawnBallot.objects.create(
            district_budget=district_budget, sealed_ballot=participation.tallied_ballot
        )
    ParticipationRemoval.objects.create(
        round_id=participation.round_id,
        district_budget_id=participation.district_budget_id,
        participation_id=participation.pk,
        voter_key=participation.voter_key,
        channel=participation.channel,
        cast_at=participation.cast_at,
    )
    participation.delete()
    live.publish_ballots_changed(budget_round)


def ballot_conflict(
    budget_round: BudgetRound, channel_here: str | None, *, limited_elsewhere: bool = False
) -> str | None:
    """Why the voter may not cast a ballot in a district budget — ``voted_on_paper``,
    ``already_voted`` (where ballots cannot be changed), ``voted_in_other_district`` — or
    None. ``channel_here`` is how they voted there, if they did; ``limited_elsewhere``, that
    they voted in another district budget of a round that allows one district per voter."""
    if channel_here is not None:
        if channel_here != Channel.ONLINE:
            return "voted_on_paper"
        return None if budget_round.ballot_changes_allowed else "already_voted"
    return "voted_in_other_district" if limited_elsewhere else None


def my_ballot_here(
    voter: Any, budget_round: BudgetRound, district_budget: DistrictBudget
) -> tuple[dict[str, Any] | None, str | None]:
    """The voter's participation in ``district_budget`` (an entry of
    :func:`my_participation`) and why they may not cast a ballot there (:func:`ballot_conflict`)."""
    rows = my_participation(voter, budget_round)
    here = next((row for row in rows if row["district"] == district_budget.key), None)
    limited_elsewhere = False
    if here is None and budget_round.one_district_per_voter and not district_budget.is_citywide:
        citywide = {d.key for d in district_budgets(budget_round).values() if d.is_citywide}
        limited_elsewhere = any(row["district"] not in citywide for row in rows)
    channel = None if here is None else here["channel"]
    return here, ballot_conflict(budget_round, channel, limited_elsewhere=limited_elsewhere)


def my_participation(voter: Any, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """Where the voter has voted in this round; the ballot itself only if not secret."""
    rows = []
    external: dict[int, str] | None = None
    for participation in (
        Participation.objects.filter(round=budget_round, voter_key=voter_key_for_user(voter.pk))
        .select_related("district_budget")
        .order_by("district_budget__position")
    ):
        entry: dict[str, Any] = {
            "district": participation.district_budget.key,
            "channel": participation.channel,
            "cast_at": participation.cast_at,
            "projects": None,
            "points": None,
        }
        if not budget_round.secret_ballot:
            content = ballot_not_secret(participation)
            if content is not None:
                if external is None:
                    external = dict(
                        Project.objects.filter(round=budget_round).values_list("pk", "external_id")
                    )
                entry["projects"] = [external[pk] for pk in content[0]]
                entry["points"] = content[1]
        rows.append(entry)
    return rows


def ballot_not_secret(
    participation: Participation,
) -> tuple[list[int], list[int] | None] | None:
    """What a participation in a round without secret ballots voted (project primary keys
    and points), sealed or already in the opened box; the caller checks the round."""
    if participation.sealed_ballot is not None:
        content = ballot_box.unseal(participation.district_budget, participation.sealed_ballot)
        return list(content.projects), list(content.points) if content.points is not None else None
    ballot = Ballot.objects.filter(participation=participation).first()
    return None if ballot is None else (ballot.projects, ballot.points)


def receipt_check(*, budget_round: BudgetRound, code: str) -> dict[str, Any]:
    """Whether the ballot with this receipt is counted — never what it contains."""
    district = (
        Participation.objects.filter(round=budget_round, ballot_seal=receipt_seal(code))
        .values_list("district_budget__key", flat=True)
        .first()
    )
    return {"counted": district is not None, "district": district}
