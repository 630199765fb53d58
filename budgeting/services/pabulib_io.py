"""pabulib ``.pb`` files in and out of the database.

Import streams the file: META creates the round, PROJECTS become projects, VOTES are
written in batches (PostgreSQL ``COPY`` when available) inside one transaction, so a file
that turns out to be broken on its last line leaves nothing behind. The reader refuses what
is not a sound file (see :mod:`budgeting.pabulib.reader`); this module checks what only the
database knows: lengths of ids and names, the ranges of a round's integer fields. Export
writes what the reader reads back to the same outcome.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import DataError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from budgeting import pabulib
from budgeting.models import (
    Ballot,
    BallotFormat,
    BudgetRound,
    Channel,
    DistrictBudget,
    OutcomeRule,
    Phase,
    Project,
    ProjectStatus,
)
from budgeting.services import ballot_box
from engagement.money import CURRENCIES, from_minor
from engagement.people import permissions
from engagement.people.models import COUNTRIES, Organisation

BATCH = 5_000

RULES_FROM_FILE = {
    "equalshares": OutcomeRule.EQUAL_SHARES,
    "equalshares/add1": OutcomeRule.EQUAL_SHARES,
    "equalshares/add1-comparison": OutcomeRule.EQUAL_SHARES,
    "greedy": OutcomeRule.GREEDY,
}
RULES_TO_FILE = {
    OutcomeRule.GREEDY: "greedy",
    OutcomeRule.MES: "equalshares",
    OutcomeRule.EQUAL_SHARES: "equalshares/add1",
    OutcomeRule.EQUAL_SHARES_GREEDY: "equalshares/add1",
}
COUNTRY_CODES = {name.lower(): code for code, name in COUNTRIES.items()} | {
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "uk": "GB",
}
PROJECT_FIELDS_USED = {"project_id", "cost", "name", "description", "latitude", "longitude"}
EXTERNAL_ID_MAX = Project._meta.get_field("external_id").max_length
VOTER_ID_MAX = Ballot._meta.get_field("source_voter_id").max_length


# Ranges of the round's integer fields the file's META fills in (PostgreSQL smallint and
# integer; SQLite would store more and fail later).
SMALLINT_MAX = 32_767
INTEGER_MAX = 2_147_483_647


class PabulibImportError(ValueError):
    """A file that cannot be imported; ``str`` is one line, ``line N: reason`` when the reason
    is in the file.  ``count_mismatch`` says the file would import with
    ``accept_count_mismatch=True``."""

    def __init__(self, message: str, *, line: int | None = None, count_mismatch: bool = False):
        super().__init__(message)
        self.line = line
        self.message = message
        self.count_mismatch = count_mismatch

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    budget_round: BudgetRound
    projects: int = 0
    ballots: int = 0
    warnings: list[str] = field(default_factory=list)


# Letters NFKD does not decompose to ASCII, so slugify would drop them (Wrocław -> wrocaw).
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "þ": "th"}
)


def ascii_slug(text: str) -> str:
    return slugify(text.translate(_TRANSLITERATE))


def _fail(line: int, message: str) -> PabulibImportError:
    return PabulibImportError(message, line=line)


def _max_length(model: type[Any], name: str) -> int:
    return model._meta.get_field(name).max_length


def _check_text_sizes(record: pabulib.MetaRecord, creates_organisation: bool) -> None:
    """META values that become names of their own (a title is cut to fit, these are not)."""
    meta, lines = record.meta, record.key_lines
    area = "district" if meta.get("district") else "subunit"  # as _round_from_meta picks it
    sized = [(area, _max_length(DistrictBudget, "name"))]
    if creates_organisation:
        sized.append(("unit", _max_length(Organisation, "name")))
    for key, most in sized:
        value = meta.get(key, "")
        if len(value) > most:
            raise _fail(
                lines.get(key, record.line),
                f"META {key} is {len(value)} characters long; at most {most} fit",
            )


def _organisation_for(meta: dict[str, str], line: int) -> Organisation:
    country = COUNTRY_CODES.get(meta.get("country", "").strip().lower())
    if country is None:
        raise _fail(line, f"unknown country {meta.get('country')!r}; pass --organisation")
    unit = meta.get("unit", "").strip() or "Imported"
    slug = ascii_slug(f"{unit}-{country}")[:80] or "imported"
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        currency = meta.get("currency", "EUR").strip().upper()
        organisation = Organisation(
            name=unit,
            slug=slug,
            country=country,
            currency=currency if currency in CURRENCIES else "EUR",
            time_zone="UTC",
            languages=["en"],
        )
        organisation.full_clean()
        organisation.save()
    return organisation


def _unique_slug(base: str) -> str:
    base = ascii_slug(base)[:110] or "round"
    slug, n = base, 1
    while BudgetRound.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _int_meta(meta: dict[str, str], key: str, line: int, most: int) -> int | None:
    value = meta.get(key)
    if value is None or value.strip().lower() in ("", "none"):
        return None
    try:
        number = Decimal(value.strip())
    except ArithmeticError:
        raise _fail(line, f"META {key}={value!r} is not a number") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise _fail(line, f"META {key}={value!r} is not a whole number")
    if number > most:
        raise _fail(line, f"META {key}={value} is more than {most:,}")
    return int(number)


def _round_from_meta(
    record: pabulib.MetaRecord, organisation: Organisation, slug: str | None
) -> tuple[BudgetRound, DistrictBudget]:
    meta, lines = record.meta, record.key_lines
    vote_type = meta["vote_type"]
    if vote_type not in BallotFormat.values:
        raise _fail(
            lines.get("vote_type", record.line), f"vote_type {vote_type!r} has no Kopa ballot"
        )
    currency = meta.get("currency", organisation.currency).strip().upper()
    if currency not in CURRENCIES:
        raise _fail(lines.get("currency", record.line), f"currency {currency!r} is not supported")
    try:
        budget = pabulib.to_minor_units(pabulib.parse_amount(meta["budget"]), "budget")
    except ValueError as error:
        raise _fail(lines.get("budget", record.line), str(error)) from None
    if slug is not None and BudgetRound.objects.filter(slug=slug).exists():
        raise _fail(record.line, f"a round with slug {slug!r} exists already")
    area = meta.get("district") or meta.get("subunit") or ""
    title_parts = [meta.get("unit", organisation.name), meta.get("instance", ""), area]
    title = " ".join(p.strip() for p in title_parts if p and p.strip().lower() != "none")

    def limit(key: str, most: int = SMALLINT_MAX) -> int | None:
        return _int_meta(meta, key, lines.get(key, record.line), most)

    max_length = limit("max_length")
    budget_round = BudgetRound(
        organisation=organisation,
        slug=slug or _unique_slug(title),
        title=title[:200] or "Imported round",
        description=meta.get("description", "")[:10_000],
        currency=currency,
        phase=Phase.TALLYING,
        phase_changed_at=timezone.now(),
        ballot_format=vote_type,
        min_projects=limit("min_length") or 1,
        max_projects=max_length if vote_type != "ordinal" else None,
        max_rank=max_length if vote_type == "ordinal" else None,
        points_budget=limit("max_sum_points", INTEGER_MAX) if vote_type == "cumulative" else None,
        outcome_rule=RULES_FROM_FILE.get(meta.get("rule", "").strip(), OutcomeRule.GREEDY),
        secret_ballot=False,
        verified_email_required=False,
        live_counts_public=True,
        ballot_changes_allowed=False,
        source_meta=dict(meta),
    )
    if (
        budget_round.max_projects is not None
        and budget_round.max_projects < budget_round.min_projects
    ):
        budget_round.max_projects = None
    budget_round.save()
    key = ascii_slug(area)[:80] if area and area.strip().lower() != "none" else "city"
    district_budget = DistrictBudget.objects.create(
        round=budget_round, key=key or "city", name=area or "City-wide", budget=budget
    )
    return budget_round, district_budget


def _project_from_record(
    record: pabulib.ProjectRecord, budget_round: BudgetRound, district_budget: DistrictBudget
) -> Project:
    p = record.project
    if len(p.project_id) > EXTERNAL_ID_MAX:
        raise _fail(
            record.line,
            f"project id {p.project_id[:20]!r}… is {len(p.project_id)} characters long; "
            f"at most {EXTERNAL_ID_MAX} fit",
        )
    try:
        cost = pabulib.to_minor_units(p.cost, f"cost of project {p.project_id!r}")
    except ValueError as error:
        raise _fail(record.line, str(error)) from None
    fields = p.fields

    def coordinate(name: str, bound: int) -> Decimal | None:
        value = fields.get(name)
        if value is None:
            return None
        try:
            number = Decimal(value)
            if not number.is_finite() or not -bound <= number <= bound:
                return None
            return number.quantize(Decimal("0.000001"))
        except ArithmeticError:
            return None

    return Project(
        round=budget_round,
        district_budget=district_budget,
        external_id=p.project_id,
        title=(fields.get("name") or f"Project {p.project_id}")[:300],
        description=fields.get("description") or "",
        cost=cost,
        categories=list(p.categories),
        targets=list(p.targets),
        status=ProjectStatus.ON_BALLOT,
        latitude=coordinate("latitude", 90),
        longitude=coordinate("longitude", 180),
        extra={k: v for k, v in fields.items() if k not in PROJECT_FIELDS_USED},
    )


def pabulib_import(
    source: str | IO[str],
    *,
    actor: Any,
    organisation: Organisation | None = None,
    slug: str | None = None,
    accept_count_mismatch: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one ``.pb`` file as a round in the tallying phase, all or nothing.

    A file whose declared counts differ from its rows is refused unless
    ``accept_count_mismatch``; then each difference is the first of the report's warnings.
    Into ``organisation``, its administrators may import; without one, the file's own
    organisation is found or added, which only the platform (``permissions.SYSTEM`` for the
    ``pabulib_import`` command) may do.
    """
    if organisation is not None:
        allowed = permissions.can_manage_organisation(actor, organisation)
    else:
        allowed = permissions.is_platform_admin(actor)
    if not allowed:
        raise PermissionDenied(_("Only administrators of this organisation can do this."))
    if slug is not None:
        _check_slug(slug)
    stream = pabulib.iter_pabulib(source, accept_count_mismatch=accept_count_mismatch)
    try:
        with transaction.atomic():
            report = _import_records(stream, organisation, slug, progress)
    except pabulib.PabulibFormatError as error:
        raise PabulibImportError(
            error.message,
            line=error.line,
            count_mismatch=isinstance(error, pabulib.PabulibCountMismatch),
        ) from None
    except DataError as error:
        # Every value is checked before it is written; this is the net under those checks.
        reason = (str(error).strip().splitlines() or ["a value out of range"])[0]
        raise _fail(
            stream.line, f"the database refused a value on or before this line ({reason})"
        ) from None
    report.warnings = [*stream.count_mismatches, *stream.warnings]
    return report


def _check_slug(slug: str) -> None:
    most = _max_length(BudgetRound, "slug")
    try:
        validate_slug(slug)
        if len(slug) > most:
            raise ValueError
    except (DjangoValidationError, ValueError):
        raise PabulibImportError(
            f"slug {slug!r} is not a round slug (at most {most} letters, digits, "
            "hyphens and underscores)"
        ) from None


def _import_records(
    stream: pabulib.PabulibStream,
    organisation: Organisation | None,
    slug: str | None,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    records: Iterator[pabulib.Record] = iter(stream)
    report: ImportReport | None = None
    district_budget: DistrictBudget | None = None
    projects: list[Project] = []
    project_pk: dict[str, int] = {}
    batch: list[tuple[Any, ...]] = []
    kind = ""
    for record in records:
        if isinstance(record, pabulib.MetaRecord):
            _check_text_sizes(record, creates_organisation=organisation is None)
            organisation = organisation or _organisation_for(record.meta, record.line)
            budget_round, district_budget = _round_from_meta(record, organisation, slug)
            kind = budget_round.ballot_format
            report = ImportReport(budget_round)
        elif isinstance(record, pabulib.ProjectRecord):
            assert report is not None
            assert district_budget is not None
            projects.append(_project_from_record(record, report.budget_round, district_budget))
        elif isinstance(record, pabulib.SectionRecord) and record.section == "votes":
            assert report is not None
            for project in Project.objects.bulk_create(projects, batch_size=1000):
                project_pk[project.external_id] = project.pk
            report.projects = len(projects)
        elif isinstance(record, pabulib.VoteRecord):
            assert district_budget is not None
            assert report is not None
            vote = record.vote
            if len(vote.voter_id) > VOTER_ID_MAX:
                raise _fail(
                    record.line,
                    f"voter id {vote.voter_id[:20]!r}… is {len(vote.voter_id)} characters long; "
                    f"at most {VOTER_ID_MAX} fit",
                )
            batch.append(
                (
                    district_budget.pk,
                    json.dumps([project_pk[p] for p in vote.projects]),
                    json.dumps(list(vote.points)) if kind == "cumulative" and vote.points else None,
                    Channel.IMPORTED,
                    vote.voter_id,
                    json.dumps(vote.extra, ensure_ascii=False),
                    None,  # no participation: the file's voters have no accounts here
                    None,
                )
            )
            if len(batch) >= BATCH:
                ballot_box.write_ballots(batch)
                report.ballots += len(batch)
                batch = []
                if progress:
                    progress(report.ballots)
    if report is None or district_budget is None:
        raise _fail(1, "the file has no META section")
    if not project_pk and projects:
        for project in Project.objects.bulk_create(projects, batch_size=1000):
            project_pk[project.external_id] = project.pk
        report.projects = len(projects)
    if batch:
        ballot_box.write_ballots(batch)
        report.ballots += len(batch)
        if progress:
            progress(report.ballots)
    return report


# --- export -------------------------------------------------------------------------------


def _amount(minor: int, currency: str) -> str:
    value = from_minor(minor, currency)
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def pabulib_election(
    budget_round: BudgetRound, district_budget: DistrictBudget
) -> pabulib.PabulibElection:
    """One district budget as a pabulib election that re-imports to the same outcome.

    Secret rounds get synthetic voter ids and a shuffled ballot order, so the file cannot be
    matched against who voted when.
    """
    projects = list(
        Project.objects.filter(district_budget=district_budget)
        .exclude(
            status__in=[ProjectStatus.PROPOSED, ProjectStatus.REJECTED, ProjectStatus.FEASIBLE]
        )
        .order_by("external_id")
    )
    external = {p.pk: p.external_id for p in projects}
    ballots = [
        (b.projects, b.points, b.source_voter_id, b.extra)
        for b in ballot_box.district_ballots(district_budget)
    ]
    secret = budget_round.secret_ballot
    if secret:
        random.Random().shuffle(ballots)
    votes = []
    for number, (project_pks, points, voter_id, extra) in enumerate(ballots, start=1):
        kept = [
            (pk, pt)
            for pk, pt in zip(project_pks, points or [None] * len(project_pks), strict=True)
            if pk in external
        ]
        votes.append(
            pabulib.PabulibVote(
                voter_id=str(number) if secret or not voter_id else voter_id,
                projects=tuple(external[pk] for pk, _pt in kept),
                points=tuple(int(pt) for _pk, pt in kept) if points is not None else None,
                extra={}
                if secret
                else {k: (None if v is None else str(v)) for k, v in (extra or {}).items()},
            )
        )
    meta = {k: str(v) for k, v in (budget_round.source_meta or {}).items()}
    organisation = budget_round.organisation
    meta.setdefault("description", budget_round.title)
    meta.setdefault("country", COUNTRIES.get(organisation.country, organisation.country))
    meta.setdefault("unit", organisation.name)
    meta.setdefault("instance", str(budget_round.created_at.year))
    meta.setdefault("date_begin", budget_round.created_at.strftime("%d.%m.%Y"))
    meta.setdefault(
        "date_end", (budget_round.phase_changed_at or timezone.now()).strftime("%d.%m.%Y")
    )
    if not district_budget.is_citywide:
        meta.setdefault("district", district_budget.name)
    meta.update(
        {
            "num_projects": str(len(projects)),
            "num_votes": str(len(votes)),
            "budget": _amount(district_budget.budget, budget_round.currency),
            "vote_type": budget_round.ballot_format,
            "rule": meta.get("rule") or RULES_TO_FILE[budget_round.outcome_rule],
            "currency": budget_round.currency,
        }
    )
    pb_projects = tuple(
        pabulib.PabulibProject(
            project_id=p.external_id,
            cost=Decimal(_amount(p.cost, budget_round.currency)),
            categories=tuple(p.categories),
            targets=tuple(p.targets),
            fields={
                **{
                    k: (None if v is None else str(v))
                    for k, v in p.extra.items()
                    if k not in ("votes", "score")
                },
                "name": p.title,
            },
        )
        for p in projects
    )
    return pabulib.PabulibElection(meta=meta, projects=pb_projects, votes=tuple(votes))
