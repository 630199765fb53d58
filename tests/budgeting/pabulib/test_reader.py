"""The pabulib reader: the format as real files use it, and one clear line per bad file."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from budgeting.pabulib import (
    MetaRecord,
    PabulibFormatError,
    ProjectRecord,
    SectionRecord,
    VoteRecord,
    iter_pabulib,
    read_pabulib,
    to_tally_input,
)
from tests.budgeting.tally.support import MISSING_REASON, load, pb_files

META = """META
key;value
description;Test
country;Poland
unit;Town
instance;2024
num_projects;3
num_votes;3
budget;1000
vote_type;{vote_type}
rule;greedy
date_begin;01.01.2024
date_end;02.01.2024
currency;PLN
"""  # 14 lines: the budget row is line 9, vote_type line 10


def pb(projects: str, votes: str, vote_type: str = "approval", meta: str = META) -> str:
    return meta.format(vote_type=vote_type) + projects + votes


PROJECTS = """PROJECTS
project_id;cost;votes;name
p1;500;2;Park
p2;300.50;1;"Library; and reading room"
p3;None;1;Bridge
""".replace("None", "700")  # lines 15-19

VOTES = """VOTES
voter_id;vote;age
v1;p1,p2;33
v2;p1;None
v3;p3;51
"""  # lines 20-24


def read(text: str) -> object:
    return read_pabulib(io.StringIO(text))


def error_of(text: str) -> str:
    with pytest.raises(PabulibFormatError) as info:
        read(text)
    return str(info.value)


# --------------------------------------------------------------------------- good files
def test_reads_a_small_file() -> None:
    e = read_pabulib(io.StringIO(pb(PROJECTS, VOTES)))
    assert e.meta["budget"] == "1000"
    assert e.vote_type == "approval"
    assert [p.project_id for p in e.projects] == ["p1", "p2", "p3"]
    assert e.projects[1].cost == Decimal("300.50")
    assert e.projects[1].name == "Library; and reading room"
    assert e.votes[0].projects == ("p1", "p2")
    assert e.votes[1].extra == {"age": None}
    assert e.votes[2].extra == {"age": "51"}
    assert e.project_columns == ("project_id", "cost", "votes", "name")
    assert e.vote_columns == ("voter_id", "vote", "age")
    assert e.warnings == ()


def test_crlf_bom_and_messy_section_names() -> None:
    text = "\ufeff" + pb(PROJECTS, VOTES).replace("PROJECTS\n", "  Projects \n").replace(
        "VOTES\n", "votes\n"
    )
    e = read(text.replace("\n", "\r\n"))
    assert len(e.projects) == 3
    assert len(e.votes) == 3
    raw = io.BytesIO(text.replace("\n", "\r\n").encode("utf-8"))
    assert read_pabulib(raw) == e


def test_columns_are_read_by_name() -> None:
    projects = "PROJECTS\nname;cost;project_id\nPark;5;p1\nPool;6;p2\nPier;7;p3\n"
    e = read(pb(projects, VOTES))
    assert [(p.project_id, p.cost) for p in e.projects] == [  # type: ignore[attr-defined]
        ("p1", 5),
        ("p2", 6),
        ("p3", 7),
    ]


def test_decimal_costs_are_exact() -> None:
    projects = "PROJECTS\nproject_id;cost\np1;10000.0\np2;0.1\np3;2,5\n"
    e = read(pb(projects, VOTES))
    assert [p.cost for p in e.projects] == [  # type: ignore[attr-defined]
        Decimal("10000.0"),
        Decimal("0.1"),
        Decimal("2.5"),
    ]


def test_category_and_target_lists() -> None:
    projects = (
        "PROJECTS\nproject_id;cost;category;target\n"
        "p1;1;sport, education;children\np2;1;None;None\np3;1;culture;adults,seniors\n"
    )
    e = read(pb(projects, VOTES))
    p1, p2, p3 = e.projects  # type: ignore[attr-defined]
    assert p1.categories == ("sport", "education")
    assert p1.targets == ("children",)
    assert p2.categories == ()
    assert p2.targets == ()
    assert p3.targets == ("adults", "seniors")


def test_project_named_twice_in_a_ballot() -> None:
    """As pabutools: approval counts it once; cumulative keeps the last points at the first
    position; ordinal keeps the first (best) position."""
    approval = read(pb(PROJECTS, "VOTES\nvoter_id;vote\nv1;p1,p2,p1\n"))
    assert approval.votes[0].projects == ("p1", "p2")  # type: ignore[attr-defined]
    assert approval.warnings  # type: ignore[attr-defined]
    cumulative = read(
        pb(PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1,p2,p1;1,2,3\n", "cumulative")
    )
    vote = cumulative.votes[0]  # type: ignore[attr-defined]
    assert (vote.projects, vote.points) == (("p1", "p2"), (3, 2))
    ordinal = read(pb(PROJECTS, "VOTES\nvoter_id;vote\nv1;p2,p1,p2\n", "ordinal"))
    assert ordinal.votes[0].projects == ("p2", "p1")  # type: ignore[attr-defined]


def test_empty_votes_and_none() -> None:
    e = read(pb(PROJECTS, "VOTES\nvoter_id;vote\nv1;\nv2;None\nv3;p1\n"))
    assert [v.projects for v in e.votes] == [(), (), ("p1",)]  # type: ignore[attr-defined]


def test_cumulative_points() -> None:
    e = read(pb(PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1,p3;2,1\nv2;;\n", "cumulative"))
    assert e.votes[0].points == (2, 1)  # type: ignore[attr-defined]
    assert e.votes[1].points == ()  # type: ignore[attr-defined]


def test_declared_counts_that_differ_are_kept_with_a_warning() -> None:
    e = read(pb(PROJECTS, "VOTES\nvoter_id;vote\nv1;p1\n"))
    assert e.meta["num_votes"] == "3"  # type: ignore[attr-defined]
    assert any("num_votes=3 but the file has 1" in w for w in e.warnings)  # type: ignore[attr-defined]
    assert any("declared votes differ" in w for w in e.warnings)  # type: ignore[attr-defined]


def test_lenient_meta() -> None:
    meta = "META\nkey;value\nbudget;10\nvote_type;approval\n"
    text = meta + PROJECTS + VOTES
    assert "missing required key" in error_of(text)
    e = read_pabulib(io.StringIO(text), strict_meta=False)
    assert e.budget == 10


def test_streaming_records_come_in_file_order_with_line_numbers() -> None:
    records = list(iter_pabulib(io.StringIO(pb(PROJECTS, VOTES))))
    kinds = [type(r).__name__ for r in records]
    assert kinds == [
        "MetaRecord",
        "SectionRecord",
        "ProjectRecord",
        "ProjectRecord",
        "ProjectRecord",
        "SectionRecord",
        "VoteRecord",
        "VoteRecord",
        "VoteRecord",
    ]
    meta, projects = records[0], records[1]
    assert isinstance(meta, MetaRecord)
    assert meta.line == 1
    assert meta.key_lines["budget"] == 9
    assert isinstance(projects, SectionRecord)
    assert projects.line == 15
    assert [r.line for r in records if isinstance(r, ProjectRecord)] == [17, 18, 19]
    assert [r.line for r in records if isinstance(r, VoteRecord)] == [22, 23, 24]


def test_to_tally_input_scales_to_hundredths() -> None:
    e = read_pabulib(io.StringIO(pb(PROJECTS, VOTES)))
    inst, prof = to_tally_input(e)
    assert inst.budget == 100_000
    assert inst.unit == 100
    assert inst.costs == (50_000, 30_050, 70_000)
    assert prof.ballots == ((0, 1), (0,), (2,))
    projects = "PROJECTS\nproject_id;cost\np1;1.005\np2;1\np3;1\n"
    with pytest.raises(ValueError, match="more than 2 decimals"):
        to_tally_input(read_pabulib(io.StringIO(pb(projects, VOTES))))
    scoring = read_pabulib(io.StringIO(pb(PROJECTS, "VOTES\nvoter_id;vote;points\n", "scoring")))
    with pytest.raises(ValueError, match="cannot be tallied"):
        to_tally_input(scoring)


# --------------------------------------------------------------------------- bad files
BAD = [
    ("", "line 1: empty file (no META section)"),
    ("\n\n", "line 1: empty file (no META section)"),
    ("hello;world\n", "line 1: expected the META section, found 'hello'"),
    (pb(PROJECTS, ""), "line 19: missing VOTES section"),
    (META.format(vote_type="approval"), "line 14: missing PROJECTS section"),
    (pb("PROJECTS\n", VOTES), "line 16: PROJECTS section has no header row"),
    (pb(PROJECTS, "VOTES\n"), "line 20: VOTES section has no header row"),
    (
        pb(PROJECTS, VOTES).replace("currency;PLN\n", "").replace("rule;greedy\n", ""),
        "line 1: META is missing required key(s): rule, currency",
    ),
    (pb(PROJECTS, VOTES, "approve"), "line 10: unknown vote_type 'approve'"),
    (pb(PROJECTS, VOTES).replace("budget;1000", "budget;lots"), "line 9: budget 'lots' is"),
    (pb(PROJECTS, VOTES).replace("budget;1000", "budget;-5"), "line 9: negative budget '-5'"),
    (
        pb(PROJECTS, VOTES).replace("date_end;02.01.2024", "budget;7"),
        "line 13: duplicate META key 'budget' (first on line 9)",
    ),
    (
        pb(PROJECTS.replace("project_id;cost;", "project_id;price;"), VOTES),
        "line 16: PROJECTS header has no 'cost' column",
    ),
    (pb(PROJECTS.replace("p3;700", "p3;abc"), VOTES), "line 19: project 'p3': cost 'abc' is"),
    (pb(PROJECTS.replace("p3;700", "p3;-1"), VOTES), "line 19: project 'p3': negative cost"),
    (pb(PROJECTS.replace("p3;700", "p3;None"), VOTES), "line 19: project 'p3' has no cost"),
    (pb(PROJECTS.replace("p3;700", "p1;700"), VOTES), "line 19: duplicate project id 'p1'"),
    (
        pb(PROJECTS, VOTES.replace("v3;p3", "v1;p3")),
        "line 24: duplicate voter id 'v1' (first on line 22)",
    ),
    (
        pb(PROJECTS, VOTES.replace("v3;p3", "v3;X")),
        "line 24: vote references unknown project 'X'",
    ),
    (
        pb(PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1,p2;3\n", "cumulative"),
        "line 22: vote lists 2 project(s) but 1 point value(s)",
    ),
    (
        pb(PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1,p2;3,1.5\n", "cumulative"),
        "line 22: points '1.5' is not an integer",
    ),
    (
        pb(PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1;x\n", "cumulative"),
        "line 22: points 'x' is not an integer",
    ),
    (
        pb(PROJECTS, "VOTES\nvoter_id;vote\nv1;p1\n", "cumulative"),
        "line 21: cumulative VOTES header has no 'points' column",
    ),
    (
        pb(PROJECTS, VOTES.replace("v2;p1;None", "v2;p1;None;extra")),
        "line 23: VOTES row has 4 fields but the header has 3",
    ),
    (
        pb(VOTES.replace("VOTES", "PROJECTS"), PROJECTS),
        "line 16: PROJECTS header has no 'project_id' column",
    ),
    (
        META.format(vote_type="approval") + VOTES + PROJECTS,
        "line 15: VOTES section where PROJECTS was expected",
    ),
    (pb(PROJECTS, VOTES + "META\n"), "line 25: second META section"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_files_name_the_line(text: str, message: str) -> None:
    got = error_of(text)
    assert got.startswith(message), got
    assert "\n" not in got


def test_error_lines_count_multiline_quoted_fields() -> None:
    projects = 'PROJECTS\nproject_id;cost;name\np1;5;"two\nlines"\np2;x;Pool\np3;1;Pier\n'
    # p1 spans lines 17-18, so p2 is on line 19
    assert error_of(pb(projects, VOTES)).startswith("line 19: project 'p2': cost 'x'")


def test_error_carries_line_and_message() -> None:
    with pytest.raises(PabulibFormatError) as info:
        read(pb(PROJECTS, VOTES.replace("v3;p3", "v3;X")))
    assert (info.value.line, info.value.message) == (24, "vote references unknown project 'X'")
    assert isinstance(info.value, ValueError)


def test_invalid_utf8() -> None:
    data = pb(PROJECTS, VOTES).encode("utf-8") + b"v4;\xff\xfe\n"
    with pytest.raises(PabulibFormatError, match="UTF-8"):
        read_pabulib(io.BytesIO(data))


# --------------------------------------------------------------------------- real files
FILES = pb_files()


@pytest.mark.skipif(not FILES, reason=MISSING_REASON)
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_shared_file_reads(path: Path) -> None:
    data = load(path.name)  # read_pabulib(path), cached for the session
    e = data.election
    assert len(e.projects) == int(e.meta["num_projects"])
    assert abs(len(e.votes) - int(e.meta["num_votes"])) <= 3
    inst, prof = data.instance, data.profile
    assert prof.num_voters == len(e.votes)
    assert inst.budget == int(e.budget * 100)
