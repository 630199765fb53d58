"""Staff pages of a round in the participation cycle: the needs-assessment phase on the phase
page, and the round's needs-assessment and evaluation surveys on its dashboard."""

from __future__ import annotations

import pytest

from budgeting.models import BudgetRound
from engagement.people.models import Role
from surveys.models import SurveyPurpose, SurveyState
from tests import factories
from tests.frontend.budgeting.staff.conftest import draft_round
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db

PHASE = "/staff/rounds/riga-draft/phase/"
DASHBOARD = "/staff/rounds/riga-draft/"


class TestPhasePage:
    def test_offers_the_needs_assessment_after_information(self, signed_in, riga, riga_admin):
        draft_round(riga, phase="information")
        html = signed_in(riga_admin).get(PHASE).content.decode()
        assert 'name="to" value="needs_assessment"' in html
        assert "residents are asked what their neighbourhood needs" in html

    def test_not_offered_once_proposals_opened(self, signed_in, riga, riga_admin):
        draft_round(riga, phase="proposals")
        html = signed_in(riga_admin).get(PHASE).content.decode()
        assert 'value="needs_assessment"' not in html

    def test_moves_the_round_once_confirmed(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga, phase="information")
        response = signed_in(riga_admin).post(PHASE, {"to": "needs_assessment", "confirm": "on"})
        assert response.status_code == 302
        assert BudgetRound.objects.get(pk=budget_round.pk).phase == "needs_assessment"

    def test_can_be_scheduled_on_the_page(self, signed_in, riga, riga_admin):
        draft_round(riga, phase="information")
        html = signed_in(riga_admin).get(PHASE).content.decode()
        assert 'name="needs_assessment"' in html


class TestDashboardSurveys:
    def test_other_rounds_and_consultations_are_not_listed(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga)
        other = draft_round(riga, slug="riga-other")
        SurveyFactory(
            organisation=riga,
            budget_round=other,
            purpose="needs_assessment",
            title="Harbour walk consultation",
        )
        SurveyFactory(organisation=riga, budget_round=budget_round, title="Tram stops")
        html = signed_in(riga_admin).get(DASHBOARD).content.decode()
        assert "Harbour walk consultation" not in html
        assert "Tram stops" not in html
        assert "No needs-assessment survey is linked to this round yet." in html

    def test_lists_linked_surveys_drafts_included(self, signed_in, riga, riga_admin):
        budget_round = draft_round(riga)
        SurveyFactory(
            organisation=riga,
            budget_round=budget_round,
            purpose=SurveyPurpose.NEEDS_ASSESSMENT,
            slug="needs-2027",
            title="Needs 2027",
            state=SurveyState.DRAFT,
        )
        html = signed_in(riga_admin).get(DASHBOARD).content.decode()
        entry = '<a href="/staff/surveys/needs-2027/">Needs 2027</a> <span class="badge">Draft'
        assert entry in html
        assert "No evaluation survey is linked to this round yet." in html

    def test_administrators_get_create_from_template_links(self, signed_in, riga, riga_admin):
        draft_round(riga)
        html = signed_in(riga_admin).get(DASHBOARD).content.decode()
        assert 'href="/staff/surveys/new/?round=riga-draft&amp;template=needs_assessment"' in html
        assert 'href="/staff/surveys/new/?round=riga-draft&amp;template=evaluation"' in html

    def test_other_staff_see_the_surveys_but_no_create_links(self, signed_in, riga):
        draft_round(riga)
        moderator = factories.staff(riga, Role.MODERATOR, email="m@riga.example")
        html = signed_in(moderator).get(DASHBOARD).content.decode()
        assert "Needs assessment and evaluation surveys" in html
        assert "/staff/surveys/new/" not in html

    def test_the_link_starts_a_survey_for_the_round_from_the_template(
        self, signed_in, riga, riga_admin
    ):
        budget_round = draft_round(riga)
        client = signed_in(riga_admin)
        html = client.get(DASHBOARD).content.decode()
        create = html.split('href="')[1:]
        [url] = [u.split('"')[0] for u in create if "template=evaluation" in u]
        page = client.get(url.replace("&amp;", "&"), follow=True)
        assert page.status_code == 200
        assert page.redirect_chain[-1][0] == (
            "/staff/o/riga/surveys/new/?round=riga-draft&template=evaluation"
        )
        assert budget_round.surveys.count() == 0  # looking creates nothing
