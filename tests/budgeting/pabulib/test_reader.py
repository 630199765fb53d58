"""The pabulib reader: the format as real files use it, and one clear line per bad file."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from budgeting.pabulib import (
    MetaRecord,
    PabulibCountMismatch,
    PabulibFormatError,
    ProjectRecord,
    SectionRecord,
    VoteRecord,
    iter_pabulib,
    read_pabulib,
    reader,
    to_tally_input,
)
from tests.budgeting.tally.support import MISSING_REASON, PABULIB_DIR, load, pb_files

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


def rows(section: str) -> int:
    """The data rows of a section's text: its non-blank lines but the name and the header."""
    return max(sum(1 for line in section.splitlines() if line.strip()) - 2, 0)


def pb(projects: str, votes: str, vote_type: str = "approval", meta: str = META) -> str:
    """A file whose META declares as many projects and votes as it holds."""
    head = meta.format(vote_type=vote_type)
    head = head.replace("num_projects;3\n", f"num_projects;{rows(projects)}\n")
    head = head.replace("num_votes;3\n", f"num_votes;{rows(votes)}\n")
    return head + projects + votes


PROJECTS = """PROJECTS
project_id;cost;votes;name
p1;500;2;Park
p2;300.50;1;"Library; and reading room"
p3;None;1;Bridge
""".replace("None", "700")  # lines 15-19

UNCOUNTED_PROJECTS = """PROJECTS
project_id;cost;name
p1;500;Park
p2;300.50;"Library; and reading room"
p3;700;Bridge
"""  # no declared votes column, so any ballots fit

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
    approval = read(pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote\nv1;p1,p2,p1\n"))
    assert approval.votes[0].projects == ("p1", "p2")  # type: ignore[attr-defined]
    assert approval.warnings  # type: ignore[attr-defined]
    cumulative = read(
        pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1,p2,p1;1,2,3\n", "cumulative")
    )
    vote = cumulative.votes[0]  # type: ignore[attr-defined]
    assert (vote.projects, vote.points) == (("p1", "p2"), (3, 2))
    ordinal = read(pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote\nv1;p2,p1,p2\n", "ordinal"))
    assert ordinal.votes[0].projects == ("p2", "p1")  # type: ignore[attr-defined]


def test_empty_votes_and_none() -> None:
    e = read(pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote\nv1;\nv2;None\nv3;p1\n"))
    assert [v.projects for v in e.votes] == [(), (), ("p1",)]  # type: ignore[attr-defined]


def test_cumulative_points() -> None:
    votes = "VOTES\nvoter_id;vote;points\nv1;p1,p3;2,1\nv2;;\n"
    e = read(pb(UNCOUNTED_PROJECTS, votes, "cumulative"))
    assert e.votes[0].points == (2, 1)  # type: ignore[attr-defined]
    assert e.votes[1].points == ()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- declared counts
GOOD = pb(PROJECTS, VOTES)  # num_projects on line 7, num_votes line 8, p1-p3 on 17-19, v1-v3 22-24


def test_a_file_cut_at_a_line_break_is_refused_by_its_declared_count() -> None:
    cut = GOOD[: GOOD.index("v3;")]  # ends with v2's line (23) and its line break
    with pytest.raises(PabulibCountMismatch) as info:
        read(cut)
    assert str(info.value) == (
        "line 23: META num_votes=3 but the file ends after 2 ballots "
        "(truncated, or the count is wrong)"
    )


def test_an_accepted_count_mismatch_is_read_with_one_warning_line_each() -> None:
    cut = GOOD[: GOOD.index("v3;")]
    e = read_pabulib(io.StringIO(cut), accept_count_mismatch=True)
    assert [v.voter_id for v in e.votes] == ["v1", "v2"]
    assert e.meta["num_votes"] == "3"  # kept as written
    assert e.warnings == (
        "line 23: META num_votes=3 but the file ends after 2 ballots "
        "(truncated, or the count is wrong)",
        "line 19: project 'p3' declares votes=1 but 0 ballot(s) in VOTES name it",
    )


COUNT_MISMATCHES = [  # the file, its error, its warning when the mismatch is accepted
    (
        GOOD.replace("num_projects;3", "num_projects;4"),
        "line 20: META num_projects=4 but PROJECTS has 3 projects",
        "line 20: META num_projects=4 but PROJECTS has 3 projects",
    ),
    (
        GOOD.replace("num_projects;3", "num_projects;2"),
        "line 19: META num_projects=2 but the file has more projects (this is number 3)",
        "line 20: META num_projects=2 but PROJECTS has 3 projects",
    ),
    (
        GOOD.replace("num_votes;3", "num_votes;2"),
        "line 24: META num_votes=2 but the file has more ballots (this is number 3)",
        "line 24: META num_votes=2 but VOTES has 3 ballots",
    ),
    (
        GOOD.replace("num_votes;3", "num_votes;1000000"),
        "line 24: META num_votes=1000000 but the file ends after 3 ballots "
        "(truncated, or the count is wrong)",
        "line 24: META num_votes=1000000 but the file ends after 3 ballots "
        "(truncated, or the count is wrong)",
    ),
    (
        GOOD.replace("p1;500;2;", "p1;500;5;"),
        "line 17: project 'p1' declares votes=5 but 2 ballot(s) in VOTES name it",
        "line 17: project 'p1' declares votes=5 but 2 ballot(s) in VOTES name it",
    ),
]


@pytest.mark.parametrize(
    ("text", "message", "warning"), COUNT_MISMATCHES, ids=[m for _, m, _ in COUNT_MISMATCHES]
)
def test_declared_counts_must_match_the_rows(text: str, message: str, warning: str) -> None:
    with pytest.raises(PabulibCountMismatch) as info:
        read(text)
    assert str(info.value) == message
    accepted = read_pabulib(io.StringIO(text), accept_count_mismatch=True)
    assert accepted.warnings == (warning,)


ABSURD_COUNTS = [
    ("num_votes;1000000001", "line 8: META num_votes=1000000001 is more than 1,000,000"),
    ("num_votes;1e999999999", "line 8: META num_votes=1e999999999 is more than 1,000,000"),
    ("num_projects;1000000", "line 7: META num_projects=1000000 is more than 10,000"),
    ("num_votes;-1", "line 8: META num_votes='-1' is not a whole number"),
    ("num_votes;2.5", "line 8: META num_votes='2.5' is not a whole number"),
    ("num_projects;many", "line 7: META num_projects='many' is not a whole number"),
    ("num_projects;NaN", "line 7: META num_projects='NaN' is not a whole number"),
]


@pytest.mark.parametrize(("row", "message"), ABSURD_COUNTS, ids=[r for r, _ in ABSURD_COUNTS])
def test_absurd_declared_counts_are_refused_even_when_mismatches_are_accepted(
    row: str, message: str
) -> None:
    key = row.split(";")[0]
    text = GOOD.replace(f"{key};3", row)
    for accept in (False, True):
        with pytest.raises(PabulibFormatError) as info:
            read_pabulib(io.StringIO(text), accept_count_mismatch=accept)
        assert str(info.value).startswith(message), str(info.value)


def test_rows_beyond_the_bound_are_refused_even_when_mismatches_are_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader, "MAX_VOTES", 2)
    text = GOOD.replace("num_votes;3", "num_votes;2")
    with pytest.raises(PabulibFormatError) as info:
        read_pabulib(io.StringIO(text), accept_count_mismatch=True)
    assert str(info.value) == "line 24: more than 2 ballots (the most Kopa reads)"


# --------------------------------------------------------------------------- damaged files
PLAIN_VOTES = "VOTES\nvoter_id;vote\nv1;p1,p2\nv2;p1\nv3;p3"  # no line break at the end
PLAIN = pb(PROJECTS, PLAIN_VOTES)


def test_a_file_may_end_without_a_line_break() -> None:
    assert [v.projects for v in read(PLAIN).votes] == [("p1", "p2"), ("p1",), ("p3",)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("keep", range(1, len("v3;p3")))
def test_a_file_cut_inside_its_last_line_is_refused_as_truncated(keep: int) -> None:
    cut = PLAIN[: PLAIN.index("v3;p3") + keep]
    message = error_of(cut)
    assert message.startswith("line "), message
    assert "truncated" in message, message


def test_a_cut_project_id_is_reported_as_a_cut_not_as_an_unknown_project() -> None:
    projects = "PROJECTS\nproject_id;cost\n20261;5\n20262;5\n"
    votes = "VOTES\nvoter_id;vote\n1;20261\n2;20261,20262\n"
    text = pb(projects, votes)
    cut = text[: text.rindex("20262") + 4]  # "2;20261,2026"
    assert error_of(cut) == (
        "line 22: the file is truncated: its last line is incomplete "
        "(vote references unknown project '2026')"
    )


def test_a_short_last_line_is_a_cut() -> None:
    cut = GOOD[: GOOD.index("v3;p3;51") + len("v3;p3")]  # the age column is gone
    assert error_of(cut) == (
        "line 24: the file is truncated: its last line is incomplete "
        "(2 of the 3 fields of its header)"
    )


def test_a_quote_left_open_at_the_end_is_a_cut() -> None:
    text = pb(PROJECTS, VOTES) + 'v4;p1;"fifty'
    assert error_of(text.replace("num_votes;3", "num_votes;4")) == (
        "line 25: a quote opened in this row is never closed "
        "(the file is truncated, or a quote is missing)"
    )


def test_a_file_cut_in_the_middle_of_a_character() -> None:
    data = pb(PROJECTS, VOTES.replace(";51", ";Łódź")).encode("utf-8")
    cut = data[: data.rindex("Łódź".encode()) + 1]  # the first of the two bytes of Ł
    with pytest.raises(PabulibFormatError) as info:
        read_pabulib(io.BytesIO(cut))
    assert str(info.value) == "line 24: the file is truncated in the middle of a character"


def test_a_file_cut_before_its_votes_is_a_cut() -> None:
    cut = GOOD[: GOOD.index("p3;700") + 4]  # "p3;7" on line 19 (of 4 columns), no VOTES
    assert error_of(cut) == (
        "line 19: the file is truncated: its last line is incomplete "
        "(2 of the 4 fields of its header)"
    )
    cut = GOOD[: GOOD.index("currency;PLN") + 5]  # "curre" on line 14
    assert error_of(cut) == (
        "line 14: the file is truncated: its last line is incomplete (missing PROJECTS section)"
    )


NOT_TEXT = [
    ("description;Test", "description;Te\x00st", "line 3: control character U+0000 (NUL)"),
    ("p2;300.50", "p\x002;300.50", "line 18: control character U+0000 (NUL)"),
    ("v2;p1;None", "v2;p\x001;None", "line 23: control character U+0000 (NUL)"),
    ("v2;p1;None", "v2;p1;\x1b[31m", "line 23: control character U+001B"),
    ("v2;p1;None", "v2;p1;\x7f", "line 23: control character U+007F"),
    ("v2;p1;None", "v2;p1;\x85", "line 23: control character U+0085"),
]


@pytest.mark.parametrize(("old", "new", "message"), NOT_TEXT, ids=[m for *_, m in NOT_TEXT])
def test_control_characters_are_refused_on_their_line(old: str, new: str, message: str) -> None:
    assert error_of(GOOD.replace(old, new)).startswith(message)
    with pytest.raises(PabulibFormatError) as info:
        read_pabulib(io.BytesIO(GOOD.replace(old, new).encode("utf-8")))
    assert str(info.value).startswith(message)


def test_tabs_and_line_breaks_inside_quotes_are_text() -> None:
    e = read(GOOD.replace("Park", '"Park\twith\r\ntrees"'))
    assert e.projects[0].name == "Park\twith\r\ntrees"  # type: ignore[attr-defined]


def test_bytes_that_are_not_utf8_are_named_on_their_own_line() -> None:
    # far more than the decoder's 8 KB chunk after the bad byte: the line is still exact
    votes = "VOTES\nvoter_id;vote\n" + "".join(f"v{i};p1\n" for i in range(3000))
    projects = "PROJECTS\nproject_id;cost\np1;1\np2;2\np3;3\n"
    data = pb(projects, votes).encode("utf-8").replace(b"p2;2", b"p2;\xff2")
    with pytest.raises(PabulibFormatError) as info:
        read_pabulib(io.BytesIO(data))
    assert str(info.value) == "line 18: the file is not UTF-8 text"


OUT_OF_RANGE = [
    (
        GOOD.replace("budget;1000", "budget;" + "9" * 40),
        "line 9: budget '" + "9" * 40 + "' is more than 1,000,000,000,000",
    ),
    (
        GOOD.replace("p3;700", "p3;" + "1" * 40),
        "line 19: project 'p3': cost '" + "1" * 40 + "' is more than 1,000,000,000,000",
    ),
    (
        GOOD.replace("p3;700", "p3;1e999999999"),
        "line 19: project 'p3': cost '1e999999999' is more than 1,000,000,000,000",
    ),
    (GOOD.replace("p1;500;2;", "p1;500;-2;"), "line 17: project 'p1': votes '-2' is not a whole"),
    (GOOD.replace("p1;500;2;", "p1;500;2.5;"), "line 17: project 'p1': votes '2.5' is not a whole"),
    (
        pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1;" + "7" * 40, "cumulative"),
        "line 22: points '" + "7" * 40 + "' is beyond 1,000,000",
    ),
    (
        pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1;1e999999999", "cumulative"),
        "line 22: points '1e999999999' is beyond 1,000,000",
    ),
    (
        pb(UNCOUNTED_PROJECTS, "VOTES\nvoter_id;vote;points\nv1;p1;-3", "scoring"),
        "",  # scoring points may be negative: no error
    ),
]


@pytest.mark.parametrize(("text", "message"), OUT_OF_RANGE, ids=[m for _, m in OUT_OF_RANGE])
def test_numbers_out_of_range_are_refused_on_their_line(text: str, message: str) -> None:
    if not message:
        assert read(text).votes[0].points == (-3,)  # type: ignore[attr-defined]
        return
    assert error_of(text).startswith(message), error_of(text)


def test_a_meta_section_of_absurd_length_is_refused() -> None:
    rows = "".join(f"key{i};value\n" for i in range(1_000))
    text = GOOD.replace("currency;PLN\n", "currency;PLN\n" + rows)
    assert error_of(text) == "line 1003: more than 1,000 META rows"  # the 1,001st row


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
    scoring_votes = "VOTES\nvoter_id;vote;points\n"
    scoring = read_pabulib(io.StringIO(pb(UNCOUNTED_PROJECTS, scoring_votes, "scoring")))
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
RULES_FILES = sorted((PABULIB_DIR / "rules").glob("*.pb"))


@pytest.mark.skipif(not FILES, reason=MISSING_REASON)
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_shared_file_reads(path: Path) -> None:
    data = load(path.name)  # read_pabulib(path), cached for the session
    e = data.election
    assert len(e.projects) == int(e.meta["num_projects"])
    assert len(e.votes) == int(e.meta["num_votes"])
    inst, prof = data.instance, data.profile
    assert prof.num_voters == len(e.votes)
    assert inst.budget == int(e.budget * 100)


@pytest.mark.skipif(not RULES_FILES, reason=MISSING_REASON)
@pytest.mark.parametrize("path", RULES_FILES, ids=[p.name for p in RULES_FILES])
def test_every_file_of_city_rules_declares_the_counts_it_holds(path: Path) -> None:
    """No shared file needs ``accept_count_mismatch``: every one declares the projects, the
    ballots and the per-project votes it holds (reading with the default checks them)."""
    e = read_pabulib(path)
    assert len(e.projects) == int(e.meta["num_projects"])
    assert len(e.votes) == int(e.meta["num_votes"])
    assert e.warnings == ()
