"""Importing a pabulib file: a damaged or absurd file is refused with ``line N: reason`` and
leaves nothing behind; a file whose counts differ imports only when that is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgeting.models import Ballot, BudgetRound, DistrictBudget, Project
from budgeting.services import pabulib_io
from budgeting.services.pabulib_io import PabulibImportError, pabulib_import
from engagement.people.models import Organisation
from engagement.people.permissions import SYSTEM
from tests.budgeting.pabulib.support import CUT_AFTER_11, election, write

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return not (
        BudgetRound.objects.exists()
        or DistrictBudget.objects.exists()
        or Project.objects.exists()
        or Ballot.objects.exists()
        or Organisation.objects.filter(slug="town-pl").exists()
    )


def refusal(source: str, **options: object) -> PabulibImportError:
    with pytest.raises(PabulibImportError) as info:
        pabulib_import(source, actor=SYSTEM, **options)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    assert nothing_stored()
    return info.value


def test_a_file_cut_after_11_of_its_19_ballots_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, CUT_AFTER_11))
    assert str(error) == (
        "line 32: META num_votes=19 but the file ends after 11 ballots "
        "(truncated, or the count is wrong)"
    )
    assert error.line == 32
    assert error.count_mismatch


def test_an_accepted_count_mismatch_imports_what_the_file_holds(tmp_path: Path) -> None:
    report = pabulib_import(write(tmp_path, CUT_AFTER_11), actor=SYSTEM, accept_count_mismatch=True)
    assert report.ballots == 11
    assert Ballot.objects.filter(district_budget__round=report.budget_round).count() == 11
    assert report.warnings == [
        "line 32: META num_votes=19 but the file ends after 11 ballots "
        "(truncated, or the count is wrong)"
    ]


def test_a_sound_file_imports_without_warnings(tmp_path: Path) -> None:
    report = pabulib_import(write(tmp_path, election()), actor=SYSTEM)
    assert (report.projects, report.ballots, report.warnings) == (3, 19, [])


def test_a_late_error_leaves_no_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pabulib_io, "BATCH", 4)  # ballots reach the database before the error
    text = election().replace("v19;p2\n", "v19;p9\n")
    written: list[int] = []
    error = refusal(write(tmp_path, text), progress=written.append)
    assert str(error) == "line 40: vote references unknown project 'p9'"
    assert written == [4, 8, 12, 16]


def test_a_file_cut_in_the_middle_of_a_line_is_called_truncated(tmp_path: Path) -> None:
    text = election()
    cut = text[: text.index("v19;p2") + len("v19;p")]
    assert str(refusal(write(tmp_path, cut))) == (
        "line 40: the file is truncated: its last line is incomplete "
        "(vote references unknown project 'p')"
    )


GOOD = election()
BAD_VALUES = [
    # (the file, the start of its one-line reason)
    (GOOD.replace("description;Test", "description;Te\x00st"), "line 3: control character U+0000"),
    (GOOD.replace("p2;300;", "p\x002;300;"), "line 18: control character U+0000 (NUL)"),
    (GOOD.replace("v5;p3", "v5;p\x003"), "line 26: control character U+0000 (NUL)"),
    (GOOD.replace("Library", "Lib\x1brary"), "line 18: control character U+001B"),
    (
        GOOD.replace("p3;700;", "p3;" + "9" * 40 + ";"),
        "line 19: project 'p3': cost '" + "9" * 40 + "' is more than 1,000,000,000,000",
    ),
    (
        GOOD.replace("budget;1000", "budget;" + "9" * 40),
        "line 9: budget '" + "9" * 40 + "' is more than 1,000,000,000,000",
    ),
    (GOOD.replace("p3;700;", "p3;-700;"), "line 19: project 'p3': negative cost '-700'"),
    (
        GOOD.replace("p3;700;", "p3;700.005;"),
        "line 19: cost of project 'p3' 700.005 has more than 2 decimals",
    ),
    (GOOD.replace("num_votes;19", "num_votes;1000001"), "line 8: META num_votes=1000001 is more"),
    (GOOD.replace("num_projects;3", "num_projects;-3"), "line 7: META num_projects='-3' is not"),
    (
        GOOD.replace("p3;700;", "p" * 121 + ";700;"),
        "line 19: project id 'pppppppppppppppppppp'… is 121 characters long; at most 120 fit",
    ),
    (
        GOOD.replace("v5;p3", "v" * 121 + ";p3"),
        "line 26: voter id 'vvvvvvvvvvvvvvvvvvvv'… is 121 characters long; at most 120 fit",
    ),
    (GOOD.replace("v5;p3", "v4;p3"), "line 26: duplicate voter id 'v4' (first on line 25)"),
    (GOOD.replace("p3;700;", "p1;700;"), "line 19: duplicate project id 'p1'"),
    (election(unit="U" * 201), "line 5: META unit is 201 characters long; at most 200 fit"),
    (
        election(district="D" * 201),
        "line 15: META district is 201 characters long; at most 200 fit",
    ),
    (election(min_length="40000"), "line 15: META min_length=40000 is more than 32,767"),
    (election(max_length="1e999999999"), "line 15: META max_length=1e999999999 is more than"),
]


@pytest.mark.parametrize(("text", "reason"), BAD_VALUES, ids=[r for _, r in BAD_VALUES])
def test_a_bad_value_is_refused_on_its_line_before_the_database_sees_it(
    tmp_path: Path, text: str, reason: str
) -> None:
    error = refusal(write(tmp_path, text))
    assert str(error).startswith(reason), str(error)


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    data = GOOD.encode("utf-8").replace(b"Library", b"Libr\xe6ry")
    assert str(refusal(write(tmp_path, data))) == "line 18: the file is not UTF-8 text"


@pytest.mark.parametrize("slug", ["two words", "x" * 121, "ąčę"])
def test_a_slug_that_cannot_be_a_round_slug_is_refused(tmp_path: Path, slug: str) -> None:
    error = refusal(write(tmp_path, GOOD), slug=slug)
    assert str(error).startswith(f"slug {slug!r} is not a round slug")
    assert error.line is None


def test_coordinates_that_are_not_numbers_are_left_out(tmp_path: Path) -> None:
    text = GOOD.replace("Park;56.9", "Park;NaN").replace("Bridge;None", "Bridge;1e999999999")
    report = pabulib_import(write(tmp_path, text), actor=SYSTEM)
    assert list(report.budget_round.projects.values_list("latitude", flat=True)) == [None] * 3


@pytest.mark.postgres
def test_a_value_the_checks_miss_is_still_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The net under the checks: with the voter id check switched off, PostgreSQL refuses the
    long id itself, and the answer is still one line with a line number."""
    monkeypatch.setattr(pabulib_io, "VOTER_ID_MAX", 10_000)
    error = refusal(write(tmp_path, GOOD.replace("v5;p3", "v" * 121 + ";p3")))
    assert str(error).startswith("line 40: the database refused a value on or before this line")
