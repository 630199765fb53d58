"""Casting, changing and withdrawing ballots; receipts.

One person, one ballot per district budget: the ``Participation`` row is inserted with
``INSERT … ON CONFLICT DO NOTHING`` against its unique constraints, so concurrent casts by
the same person end with exactly one ballot and the others get a clean "already voted",
without exceptions or savepoints on the hot path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting import eligibility, live, live_counts, phases
from budgeting.ballots import BallotError, BallotProject, BallotRules, ValidBallot, validate_ballot
from budgeting.messages import ballot_message, eligibility_message
from budgeting.models import (
    Ballot,
    BudgetRound,
    Channel,
    DistrictBudget,
    Participation,
    Project,
    ProjectStatus,
)
from budgeting.money import format_money
from budgeting.phases import Action

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

# Codes whose params are amounts of money, shown in the round's currency.
MONEY_CODES = frozenset({"over_budget", "under_min_spend"})


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


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


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


def ballot_validation_error(errors: list[BallotError], currency: str) -> ValidationError:
    by_field: dict[str, list[ValidationError]] = {}
    for error in errors:
        params = dict(error.params)
        if error.code in MONEY_CODES:
            params = {k: format_money(v, currency) for k, v in params.items()}
        by_field.setdefault(error.field, []).append(
            ValidationError(ballot_message(error.code, params), code=error.code, params=params)
        )
    return ValidationError(by_field)


def check_ballot(
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    projects: list[str],
    points: list[int] | None,
) -> ValidBallot:
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
    from allauth.account.models import EmailAddress

    from engagement.models import Residence, ResidentProfile, User

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
    """The voter may not vote here; ``codes`` are the stable reasons (budgeting.eligibility)."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(" ".join(eligibility_message(code) for code in codes))
        self.codes = codes


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
) -> int | None:
    """Insert unless the person already voted here (or elsewhere, where that is limited)."""
    limits = budget_round.one_district_per_voter and not district_budget.is_citywide
    table = Participation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, district_budget_id, voter_id, voter_key, channel,"
            " limits_district, ballot_seal, cast_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
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
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def ballot_store(
    *,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    ballot: ValidBallot,
    participation_id: int | None,
    channel: str,
    code: str,
) -> Ballot:
    offered = offered_projects(budget_round)
    return Ballot.objects.create(
        district_budget=district_budget,
        participation_id=None if budget_round.secret_ballot else participation_id,
        projects=[offered[p].pk for p in ballot.projects],
        points=list(ballot.points) if ballot.points is not None else None,
        channel=channel,
        receipt_hash=receipt_hash(code),
        cast_at=None if budget_round.secret_ballot else timezone.now(),
    )


def ballot_cast(
    *,
    voter: Any,
    budget_round: BudgetRound,
    district_budget: DistrictBudget,
    projects: list[str],
    points: list[int] | None = None,
    receipt: str | None = None,
) -> CastReceipt:
    """Cast the voter's ballot, or replace it when the round allows changes.

    In a secret round, replacing needs the receipt code of the first ballot: it is the only
    link between the voter and their ballot.

    On PostgreSQL the common case — an eligible voter's first ballot while voting is open —
    is one statement that re-checks the phase and eligibility in the database, so the round
    may come from a short-lived cache. Anything else (closed, not eligible, already voted)
    takes the careful path below with fresh data, which says precisely why.
    """
    _require_voting(budget_round)
    if district_budget.round_id != budget_round.pk:
        raise ValidationError(
            {"district": ValidationError(_("Not a district of this round."), code="wrong_round")}
        )
    if not getattr(voter, "is_authenticated", False):
        raise NotEligible(["not_signed_in"])
    valid = check_ballot(budget_round, district_budget, projects, points)
    code = new_receipt_code()
    fast_path = connection.vendor == "postgresql" and not connection.in_atomic_block
    if fast_path and _cast_in_one_statement(budget_round, district_budget, voter, valid, code):
        # Outside any atomic block the statement has committed: this publishes at once.
        live.publish_ballots_changed(budget_round)
        return CastReceipt(receipt=code, district=district_budget.key, changed=False)
    # The careful path trusts nothing cached: the phase may have changed a moment ago.
    budget_round = BudgetRound.objects.select_related("organisation").get(pk=budget_round.pk)
    _require_voting(budget_round)
    # A repeated cast (double click, several tabs) is the common way to get here: answer it
    # before anything more expensive.
    channel = (
        Participation.objects.filter(
            district_budget=district_budget, voter_key=voter_key_for_user(voter.pk)
        )
        .values_list("channel", flat=True)
        .first()
    )
    if channel == Channel.PAPER:
        raise AlreadyVoted("voted_on_paper")
    if channel is not None and not budget_round.ballot_changes_allowed:
        raise AlreadyVoted()
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
            seal=receipt_seal(code) if budget_round.secret_ballot else "",
        )
        if participation_id is not None:
            ballot_store(
                budget_round=budget_round,
                district_budget=district_budget,
                ballot=valid,
                participation_id=participation_id,
                channel=Channel.ONLINE,
                code=code,
            )
            live.publish_ballots_changed(budget_round)
            return CastReceipt(receipt=code, district=district_budget.key, changed=False)
    return _ballot_replace(voter, budget_round, district_budget, valid, receipt, code)


def _eligibility_sql(
    budget_round: BudgetRound, district_budget: DistrictBudget, voter_id: int
) -> tuple[str, list[Any]]:
    """The round's eligibility rules as SQL conditions (the fast path's guard)."""
    from allauth.account.models import EmailAddress

    from engagement.models import Residence, ResidentProfile

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
    valid: ValidBallot,
    code: str,
) -> bool:
    """PostgreSQL: participation and ballot in one statement — atomic on its own, one round
    trip, no BEGIN/COMMIT — guarded by the round being open and the voter eligible. False
    when anything stopped it (closed, not eligible, a participation here, in a limited
    district, or on paper under the voter's email); the caller then finds out which."""
    secret = budget_round.secret_ballot
    now = timezone.now()
    offered = offered_projects(budget_round)
    eligible_sql, eligible_params = _eligibility_sql(budget_round, district_budget, voter.pk)
    participation, ballot = Participation._meta.db_table, Ballot._meta.db_table
    rounds = BudgetRound._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH p AS (
                INSERT INTO {participation} (round_id, district_budget_id, voter_id, voter_key,
                    channel, limits_district, ballot_seal, cast_at)
                SELECT %s, %s, %s, %s, %s, %s, %s, %s
                WHERE EXISTS (SELECT 1 FROM {rounds} WHERE id = %s AND phase = 'voting')
                  AND NOT EXISTS (SELECT 1 FROM {participation}
                                  WHERE district_budget_id = %s AND voter_key = %s)
                  {eligible_sql}
                ON CONFLICT DO NOTHING
                RETURNING id)
            INSERT INTO {ballot} (district_budget_id, participation_id, projects, points, channel,
                receipt_hash, source_voter_id, extra, cast_at)
            SELECT %s, CASE WHEN %s THEN NULL ELSE p.id END, %s::jsonb, %s::jsonb, %s, %s, '',
                '{{}}'::jsonb, %s
            FROM p RETURNING id""",
            [
                budget_round.pk,
                district_budget.pk,
                voter.pk,
                voter_key_for_user(voter.pk),
                Channel.ONLINE,
                budget_round.one_district_per_voter and not district_budget.is_citywide,
                receipt_seal(code) if secret else "",
                now,
                budget_round.pk,
                district_budget.pk,
                voter_key_for_reference(voter.email),
                *eligible_params,
                district_budget.pk,
                secret,
                json.dumps([offered[p].pk for p in valid.projects]),
                json.dumps(list(valid.points)) if valid.points is not None else None,
                Channel.ONLINE,
                receipt_hash(code),
                None if secret else now,
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
    if participation.channel == Channel.PAPER:
        raise AlreadyVoted("voted_on_paper")
    if not budget_round.ballot_changes_allowed or participation.channel != Channel.ONLINE:
        raise AlreadyVoted()
    ballot = _own_ballot(budget_round, participation, receipt)
    offered = offered_projects(budget_round)
    new_projects = [offered[p].pk for p in valid.projects]
    new_points = list(valid.points) if valid.points is not None else None
    live_counts.log_ballot_change(ballot, new_projects, new_points)
    ballot.projects, ballot.points = new_projects, new_points
    ballot.receipt_hash = receipt_hash(code)
    if not budget_round.secret_ballot:
        ballot.cast_at = timezone.now()
    ballot.save(update_fields=["projects", "points", "receipt_hash", "cast_at"])
    if budget_round.secret_ballot:
        participation.ballot_seal = receipt_seal(code)
        participation.save(update_fields=["ballot_seal"])
    live.publish_ballots_changed(budget_round)
    return CastReceipt(receipt=code, district=district_budget.key, changed=True)


def _own_ballot(
    budget_round: BudgetRound, participation: Participation, receipt: str | None
) -> Ballot:
    if not budget_round.secret_ballot:
        return Ballot.objects.select_for_update().get(participation=participation)
    if not receipt:
        raise ValidationError(
            {
                "receipt": ValidationError(
                    _("This is a secret ballot: give your receipt code to change it."),
                    code="receipt_required",
                )
            }
        )
    if not hmac.compare_digest(receipt_seal(receipt), participation.ballot_seal):
        raise ValidationError(
            {
                "receipt": ValidationError(
                    _("This receipt code is not the one of your ballot."), code="receipt_mismatch"
                )
            }
        )
    return Ballot.objects.select_for_update().get(
        district_budget_id=participation.district_budget_id, receipt_hash=receipt_hash(receipt)
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
    ballot = _own_ballot(budget_round, participation, receipt)
    live_counts.log_withdrawal(ballot, participation)
    ballot.delete()
    participation.delete()
    live.publish_ballots_changed(budget_round)


def my_participation(voter: Any, budget_round: BudgetRound) -> list[dict[str, Any]]:
    """Where the voter has voted in this round; the ballot itself only if not secret."""
    rows = []
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
            ballot = Ballot.objects.filter(participation=participation).first()
            if ballot is not None:
                external = dict(
                    Project.objects.filter(pk__in=ballot.projects).values_list("pk", "external_id")
                )
                entry["projects"] = [external[pk] for pk in ballot.projects]
                entry["points"] = ballot.points
        rows.append(entry)
    return rows


def receipt_check(*, budget_round: BudgetRound, code: str) -> dict[str, Any]:
    """Whether the ballot with this receipt is counted — never what it contains."""
    ballot = (
        Ballot.objects.filter(district_budget__round=budget_round, receipt_hash=receipt_hash(code))
        .select_related("district_budget")
        .first()
    )
    if ballot is None:
        return {"counted": False, "district": None}
    return {"counted": True, "district": ballot.district_budget.key}
