"""Pure outcome rules (DESIGN §4): greedy, MES, Equal Shares (Add1), Equal Shares + greedy.

No Django imports: services call these with plain data.  Typical use::

    from budgeting.tally import Instance, Profile, run_rule
    instance = Instance(budget=100_000, project_ids=("a", "b"), costs=(60_000, 50_000))
    profile = Profile.from_ids("approval", instance, [["a"], ["a", "b"], ["b"]])
    outcome = run_rule("equal-shares", instance, profile)
    outcome.selected, outcome.explanations["b"].to_dict()
"""

from budgeting.tally.rules import (
    RULES,
    equal_shares,
    equal_shares_greedy,
    forget_outcomes,
    greedy,
    mes,
    run_rule,
)
from budgeting.tally.tiebreak import TieBreak, lottery_key
from budgeting.tally.types import (
    KINDS,
    Explanation,
    Instance,
    Kind,
    Outcome,
    Profile,
    ReasonCode,
    natural_key,
)

__all__ = [
    "KINDS",
    "RULES",
    "Explanation",
    "Instance",
    "Kind",
    "Outcome",
    "Profile",
    "ReasonCode",
    "TieBreak",
    "equal_shares",
    "equal_shares_greedy",
    "forget_outcomes",
    "greedy",
    "lottery_key",
    "mes",
    "natural_key",
    "run_rule",
]
