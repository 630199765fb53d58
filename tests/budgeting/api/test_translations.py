"""Staff translations of round and project text over the API: read, write, validated."""

from __future__ import annotations

import pytest

from budgeting.models import BudgetRound, Project
from tests import factories
from tests.budgeting.api.util import round_in, url

pytestmark = pytest.mark.django_db

POLISH = {"pl": {"title": "Budżet obywatelski", "description": "Zdecyduj razem z sąsiadami."}}


class TestRoundTranslations:
    def test_created_with_translations_and_shown_in_the_detail(self, as_user, riga, riga_admin):
        admin = as_user(riga_admin)
        response = admin.post(
            "/api/v1/rounds/",
            {
                "organisation": "riga",
                "slug": "riga-2027",
                "title": "Participatory budget 2027",
                "citywide_budget": "1000",
                "translations": POLISH,
            },
        )
        assert response.status_code == 201, response.json()
        assert response.json()["translations"] == POLISH
        assert BudgetRound.objects.get(slug="riga-2027").translations == POLISH
        assert admin.get("/api/v1/rounds/riga-2027/").json()["translations"] == POLISH

    def test_may_be_corrected_even_while_voting(self, as_user, riga, riga_admin):
        budget_round = factories.voting_round(organisation=riga)
        response = as_user(riga_admin).patch(url(budget_round), {"translations": POLISH})
        assert response.status_code == 200, response.json()
        budget_round.refresh_from_db()
        assert budget_round.translations == POLISH

    @pytest.mark.parametrize(
        ("translations", "message"),
        [
            ({"xx": {"title": "?"}}, "xx is not a language Kopa offers."),
            ({"pl": {"cost": "1"}}, "cost cannot be translated."),
            ({"pl": {"title": 3}}, "Translated fields must be text."),
            (["pl"], "Translations must be an object keyed by language code."),
        ],
    )
    def test_bad_translations_are_refused_with_the_reason(
        self, as_user, riga, riga_admin, translations, message
    ):
        budget_round = round_in("draft", organisation=riga)
        response = as_user(riga_admin).patch(url(budget_round), {"translations": translations})
        assert response.status_code == 400
        body = response.json()
        assert body["translations"] == [message]
        assert body["error_codes"]["translations"] == ["invalid_translations"]
        budget_round.refresh_from_db()
        assert budget_round.translations == {}


class TestProjectTranslations:
    def test_project_created_with_translations_lists_them(self, as_user, riga, riga_admin):
        budget_round = round_in("draft", organisation=riga)
        response = as_user(riga_admin).post(
            url(budget_round, "projects/"),
            {
                "id": "p9",
                "district": "city",
                "title": "Benches",
                "cost": "1200",
                "translations": {"de": {"title": "Bänke"}},
            },
        )
        assert response.status_code == 201, response.json()
        assert response.json()["translations"] == {"de": {"title": "Bänke"}}
        project = Project.objects.get(round=budget_round, external_id="p9")
        assert project.translations == {"de": {"title": "Bänke"}}
        listed = as_user(riga_admin).get(url(budget_round, "projects/")).json()["results"]
        by_id = {row["id"]: row["translations"] for row in listed}
        assert by_id["p9"] == {"de": {"title": "Bänke"}}

    def test_project_with_unknown_language_is_refused(self, as_user, riga, riga_admin):
        budget_round = round_in("draft", organisation=riga)
        response = as_user(riga_admin).post(
            url(budget_round, "projects/"),
            {
                "id": "p9",
                "district": "city",
                "title": "Benches",
                "cost": "1200",
                "translations": {"klingon": {"title": "?"}},
            },
        )
        assert response.status_code == 400
        assert response.json()["translations"] == ["klingon is not a language Kopa offers."]
        assert not Project.objects.filter(external_id="p9").exists()
