"""The staff home and an organisation's staff page: rounds with phase badges, work-queue
counts, query bounds, and only the organisations where one has a role."""

from __future__ import annotations

import pytest

from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


class TestStaffHome:
    def test_rounds_with_phase_badges_and_queue_counts(self, signed_in, riga, riga_admin):
        factories.voting_round(organisation=riga, slug="riga-2026", title="Rīga 2026")
        factories.results_round(organisation=riga, slug="riga-2025", title="Rīga 2025")
        html = signed_in(riga_admin).get("/staff/").content.decode()
        assert "Rīga 2026" in html
        assert '<span class="badge badge--ok">Voting</span>' in html
        assert "Rīga 2025" in html
        assert "Results</span>" in html
        assert "Selected projects to report on: 2" in html
        assert "Ideas to review" in html
        assert "Reports to moderate" in html
        assert 'href="/staff/o/riga/rounds/new/"' in html

    def test_query_count_does_not_grow_with_rounds(
        self, signed_in, riga, riga_admin, django_assert_max_num_queries
    ):
        client = signed_in(riga_admin)
        factories.voting_round(organisation=riga, slug="first")
        client.get("/staff/")
        for n in range(8):
            factories.voting_round(organisation=riga, slug=f"more-{n}")
        with django_assert_max_num_queries(14):
            response = client.get("/staff/")
        assert response.content.decode().count('class="card__title"') == 9

    def test_moderators_do_not_get_the_new_round_button(self, signed_in, riga_moderator):
        html = signed_in(riga_moderator).get("/staff/o/riga/").content.decode()
        assert "New budget round" not in html
        assert "Reports to moderate" in html
        assert "Ideas to review" not in html


def test_staff_of_a_role_elsewhere_see_only_their_organisation(signed_in, riga, gdansk):
    both = factories.staff(riga, Role.MODERATOR)
    factories.voting_round(organisation=riga, slug="riga-2026", title="Rīga 2026")
    factories.voting_round(organisation=gdansk, slug="gdansk-2026", title="Gdańsk 2026")
    html = signed_in(both).get("/staff/").content.decode()
    assert "Rīga 2026" in html
    assert "Gdańsk 2026" not in html
