"""Every rule on every shared pabulib file gives pabutools' outcome (reference.csv).

reference.csv holds pabutools 1.2.3's selected sets.  Where pabutools did not finish Add1 in
ten minutes the cell says ``timeout>600`` and the comparison is skipped with that reason:
there is nothing to compare against, and we do not invent values.
"""

from __future__ import annotations

import pytest

from budgeting.tally import RULES, run_rule
from tests.budgeting.tally.support import (
    MISSING_REASON,
    RULE_COLUMNS,
    load,
    pb_files,
    reference,
)

FILES = [p.name for p in pb_files()]

pytestmark = pytest.mark.skipif(not FILES, reason=MISSING_REASON)


def expected(name: str, rule: str) -> set[str]:
    """pabutools' selected set (an empty cell is an empty outcome, unless pabutools timed out)."""
    row = reference().get(name)
    if row is None:
        pytest.skip(f"{name} is not in reference.csv")
    timing = row.get("pabutools_equal_shares_s", "")
    if rule.startswith("equal-shares") and timing.startswith("timeout"):
        print(f"skip {name} {rule}: reference.csv has no value ({timing})")
        pytest.skip(f"reference.csv has no {rule} outcome for {name} ({timing})")
    return set(row[RULE_COLUMNS[rule]].split())


def test_reference_covers_every_file() -> None:
    missing = sorted(set(FILES) - set(reference()))
    assert not missing, f"files without a reference.csv row: {missing}"


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("name", FILES)
def test_rule_matches_pabutools(name: str, rule: str) -> None:
    want = expected(name, rule)
    data = load(name)
    outcome = run_rule(rule, data.instance, data.profile)
    assert set(outcome.selected) == want
    assert outcome.spent == sum(
        data.instance.costs[data.instance.project_ids.index(p)] for p in outcome.selected
    )
    assert outcome.spent <= data.instance.budget
    assert sorted(outcome.selection_order) == sorted(outcome.selected)
    assert set(outcome.explanations) == set(data.instance.project_ids)
    for pid, expl in outcome.explanations.items():
        assert expl.selected == (pid in want), pid
