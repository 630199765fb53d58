"""Staff pages of a budget round, one module per part of its cycle: design (settings and
budgets), projects, phase and schedule, dashboard, tally preview and publishing, statistics.

Thin views: each finds the round (``common.round_page`` checks the role with the predicates of
``engagement.people.permissions``), reads a form, and calls the services the API calls.
"""
