"""Fixtures of the organisations' staff pages: those of the round staff pages."""

from tests.frontend.budgeting.staff.conftest import _fresh_cache, signed_in

__all__ = ["_fresh_cache", "signed_in"]
