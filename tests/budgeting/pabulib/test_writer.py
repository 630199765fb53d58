"""The pabulib writer: whatever it writes reads back to an equal election."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgeting.pabulib import (
    REQUIRED_META_KEYS,
    PabulibElection,
    PabulibProject,
    PabulibVote,
    dumps_pabulib,
    read_pabulib,
    write_pabulib,
)
from tests.budgeting.tally.support import MISSING_REASON, load, pb_files

FILES = pb_files()


def counted_meta(projects: int, votes: int, **values: str) -> dict[str, str]:
    """Every required key, with counts that match the rows (the reader checks them)."""
    base = {k: "x" for k in REQUIRED_META_KEYS}
    return base | {"num_projects": str(projects), "num_votes": str(votes)} | values


def roundtrip(e: PabulibElection) -> PabulibElection:
    return read_pabulib(io.StringIO(dumps_pabulib(e)))


@pytest.mark.skipif(not FILES, reason=MISSING_REASON)
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_shared_file_round_trips(path: Path) -> None:
    e = load(path.name).election  # parsed once per session, shared with the tally tests
    again = roundtrip(e)
    assert again == e
    assert dumps_pabulib(again) == dumps_pabulib(e)


def test_write_to_a_path(tmp_path: Path) -> None:
    e = PabulibElection(
        meta=counted_meta(2, 2, budget="10.5", vote_type="ordinal"),
        projects=(PabulibProject("a", Decimal("10.5")), PabulibProject("b", Decimal("1"))),
        votes=(PabulibVote("1", ("b", "a")), PabulibVote("2", ())),
    )
    target = tmp_path / "out.pb"
    write_pabulib(e, target)
    assert read_pabulib(target) == e
    text = target.read_text(encoding="utf-8")
    assert text.startswith("META\nkey;value\n")
    assert "\nPROJECTS\nproject_id;cost\na;10.5\nb;1\nVOTES\nvoter_id;vote\n1;b,a\n2;\n" in text


def test_quotes_what_needs_quoting() -> None:
    e = PabulibElection(
        meta=counted_meta(
            1, 1, budget="5", vote_type="approval", comment='#1: say "hi"; bye\nnext line'
        ),
        projects=(
            PabulibProject(
                "a", Decimal("5.00"), ("x y", "z"), (), {"name": "semi;colon", "votes": None}
            ),
        ),
        votes=(PabulibVote("v", ("a",), None, {"sex": "F"}),),
        project_columns=("project_id", "cost", "name", "votes", "category"),
        vote_columns=("voter_id", "vote", "sex"),
    )
    text = dumps_pabulib(e)
    assert 'comment;"#1: say ""hi""; bye\nnext line"' in text
    assert 'a;5.00;"semi;colon";None;x y,z' in text
    assert roundtrip(e) == e


# --------------------------------------------------------------------------- hypothesis
TEXT = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(';"\n,'),
        max_size=12,
    )
    .map(str.strip)
    .filter(lambda s: s.lower() != "none")
)
IDENT = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,6}", fullmatch=True)
AMOUNT = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False).map(
    lambda d: d.normalize() if d == d.to_integral_value() else d
)
ITEM = st.from_regex(r"[A-Za-z][A-Za-z ]{0,5}[a-z]", fullmatch=True)


@st.composite
def elections(draw: st.DrawFn) -> PabulibElection:
    vote_type = draw(st.sampled_from(["approval", "choose-1", "cumulative", "ordinal"]))
    meta = {k: draw(TEXT) for k in REQUIRED_META_KEYS}
    meta["budget"] = str(draw(AMOUNT))
    meta["vote_type"] = vote_type
    extra_keys = draw(
        st.lists(
            IDENT.filter(lambda k: k.lower() not in ("meta", "projects", "votes")),
            max_size=3,
            unique=True,
        )
    )
    for k in extra_keys:
        if k not in meta:
            meta[k] = draw(TEXT)
    ids = draw(st.lists(IDENT, min_size=1, max_size=6, unique=True))
    projects = tuple(
        PabulibProject(
            pid,
            draw(AMOUNT),
            tuple(draw(st.lists(ITEM, max_size=2, unique=True))),
            tuple(draw(st.lists(ITEM, max_size=2, unique=True))),
            {"name": draw(TEXT | st.none())},
        )
        for pid in ids
    )
    voters = draw(st.lists(IDENT, max_size=8, unique=True))
    votes = []
    for v in voters:
        chosen = tuple(draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True)))
        points = None
        if vote_type == "cumulative":
            points = tuple(draw(st.integers(0, 9)) for _ in chosen)
        votes.append(
            PabulibVote(
                v,
                chosen,
                points,
                {"age": draw(st.none() | st.from_regex(r"[0-9]{1,2}", fullmatch=True))},
            )
        )
    vote_columns = (
        ("voter_id", "vote", "points", "age")
        if vote_type == "cumulative"
        else ("voter_id", "vote", "age")
    )
    meta["num_projects"], meta["num_votes"] = str(len(projects)), str(len(votes))
    return PabulibElection(
        meta=meta,
        projects=projects,
        votes=tuple(votes),
        project_columns=("project_id", "cost", "name", "category", "target"),
        vote_columns=vote_columns,
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(elections())
def test_generated_elections_round_trip(e: PabulibElection) -> None:
    assert roundtrip(e) == e


def test_missing_columns_are_added_where_the_format_expects_them() -> None:
    """An election built in code (say, an export) need not declare its columns."""
    e = PabulibElection(
        meta=counted_meta(1, 1, budget="9", vote_type="cumulative"),
        projects=(PabulibProject("a", Decimal(4), (), (), {"name": "A"}),),
        votes=(PabulibVote("1", ("a",), (3,), {"age": "40"}),),
    )
    text = dumps_pabulib(e)
    assert "\nproject_id;cost;name\n" in text
    assert "\nvoter_id;vote;points;age\n1;a;3;40\n" in text
    again = roundtrip(e)
    assert again.votes == e.votes
    assert again.projects == e.projects
