"""``manage.py pabulib_import``: the round slug as the last line, or one line ``FILE:line N:
reason`` and a non-zero exit; ``--accept-count-mismatch`` for files whose counts differ."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budgeting.models import Ballot, BudgetRound
from tests.budgeting.pabulib.support import CUT_AFTER_11, election, write
from tests.budgeting.tally.support import MISSING_REASON, PABULIB_DIR

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    call_command("pabulib_import", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def refusal(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        run(*args)
    assert info.value.returncode == 1  # the exit status manage.py gives it
    message = str(info.value)
    assert "\n" not in message
    assert not BudgetRound.objects.exists()
    return message


def test_a_sound_file_prints_the_round_slug_last(tmp_path: Path) -> None:
    out, err = run(write(tmp_path, election()), "--slug", "town-2024")
    assert out[-1] == "town-2024"
    assert err == []
    assert Ballot.objects.filter(district_budget__round__slug="town-2024").count() == 19


def test_a_damaged_file_is_one_line_with_the_file_and_the_line(tmp_path: Path) -> None:
    text = election()
    path = write(tmp_path, text[: text.index("v19;p2") + len("v19;p")])
    assert refusal(path) == (
        f"{path}:line 40: the file is truncated: its last line is incomplete "
        "(vote references unknown project 'p')"
    )


def test_a_count_mismatch_names_the_option_that_accepts_it(tmp_path: Path) -> None:
    path = write(tmp_path, CUT_AFTER_11)
    assert refusal(path) == (
        f"{path}:line 32: META num_votes=19 but the file ends after 11 ballots "
        "(truncated, or the count is wrong) (--accept-count-mismatch imports it as it is)"
    )


def test_accept_count_mismatch_imports_with_a_one_line_warning(tmp_path: Path) -> None:
    out, err = run(write(tmp_path, CUT_AFTER_11), "--accept-count-mismatch")
    assert err == [
        "warning: line 32: META num_votes=19 but the file ends after 11 ballots "
        "(truncated, or the count is wrong)"
    ]
    assert Ballot.objects.filter(district_budget__round__slug=out[-1]).count() == 11


def test_a_path_that_is_not_a_file(tmp_path: Path) -> None:
    assert refusal(str(tmp_path)) == f"{tmp_path}: Is a directory"
    assert refusal(str(tmp_path / "missing.pb")) == f"{tmp_path / 'missing.pb'}: no such file"


def test_a_bad_slug_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, election())
    assert refusal(path, "--slug", "two words") == (
        f"{path}: slug 'two words' is not a round slug "
        "(at most 120 letters, digits, hyphens and underscores)"
    )


# A few small real elections end to end (every shared file is read by the reader tests;
# importing all of them would take minutes).
REAL = [
    "Netherlands_Assen_2024.pb",
    "Switzerland_Zurich_D10.pb",
    "US_Stanford_Dataset_PB_Chicago_47th_Ward_2020_vote_rankings.pb",
    "rules/Poland_Warszawa_2017_Marysin_Poludniowy.pb",
]


@pytest.mark.skipif(not PABULIB_DIR.is_dir(), reason=MISSING_REASON)
@pytest.mark.parametrize("name", REAL)
def test_real_files_import_without_the_option(riga, name: str) -> None:
    out, err = run(str(PABULIB_DIR / name), "--organisation", "riga")
    budget_round = BudgetRound.objects.get(slug=out[-1])
    declared = int(budget_round.source_meta["num_votes"])
    assert Ballot.objects.filter(district_budget__round=budget_round).count() == declared
    assert err == []
