"""The implementation tracker and following a project."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from budgeting.models import Project, ProjectFollow
from budgeting.services import implementation
from engagement.people.permissions import SYSTEM
from tests import factories

pytestmark = pytest.mark.django_db


def tracker(client, budget_round, status: int = 200) -> str:
    response = client.get(f"/rounds/{budget_round.slug}/implementation/")
    assert response.status_code == status
    return response.content.decode()


@pytest.fixture
def budget_round(riga):
    """Results are out: p1 and p2 selected; p1 has two reports."""
    budget_round = factories.results_round(organisation=riga, phase="implementation")
    Project.objects.filter(round=budget_round, external_id="p1").update(title="Benches")
    Project.objects.filter(round=budget_round, external_id="p2").update(title="Bike lane")
    p1 = budget_round.projects.get(external_id="p1")
    implementation.implementation_update_post(
        actor=SYSTEM,
        project=p1,
        text="<p>Site <strong>surveyed</strong>.</p><script>alert(1)</script>",
        happened_on=datetime.date(2026, 3, 2),
        status="in_progress",
        progress=20,
    )
    implementation.implementation_update_post(
        actor=SYSTEM,
        project=p1,
        text="<p>Benches ordered.</p>",
        happened_on=datetime.date(2026, 4, 10),
        progress=45,
    )
    return budget_round


def project(budget_round, external_id: str) -> Project:
    return budget_round.projects.get(external_id=external_id)


class TestTracker:
    def test_selected_projects_with_status_and_progress(self, client, budget_round):
        html = tracker(client, budget_round)
        p1 = project(budget_round, "p1")
        assert "Benches" in html
        assert "Bike lane" in html
        assert "In progress" in html
        assert f'<progress id="progress-{p1.pk}" max="100" value="45">45%</progress>' in html
        assert "45% done" in html
        assert "Planned" in html  # p2 has no report yet

    def test_not_selected_projects_are_not_tracked(self, client, budget_round):
        Project.objects.filter(round=budget_round, external_id="p3").update(title="Skate park")
        assert "Skate park" not in tracker(client, budget_round)

    def test_latest_updates_as_stored_sanitised_html(self, client, budget_round):
        html = tracker(client, budget_round)
        assert "<p>Benches ordered.</p>" in html
        assert "<strong>surveyed</strong>" in html
        assert "<script>alert(1)</script>" not in html
        assert '<time datetime="2026-04-10">10 April 2026</time>' in html
        # Newest first.
        assert html.index("Benches ordered.") < html.index("surveyed")

    def test_photos_with_their_descriptions(self, client, budget_round):
        photo = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 120, 40)).save(photo, "PNG")
        photo.seek(0)
        implementation.implementation_update_post(
            actor=SYSTEM,
            project=project(budget_round, "p2"),
            text="<p>Lane marked.</p>",
            images=[implementation.ImageUpload(photo, "Fresh paint on the bike lane")],
        )
        html = tracker(client, budget_round)
        assert 'alt="Fresh paint on the bike lane"' in html
        assert '<figcaption class="small muted">Fresh paint on the bike lane</figcaption>' in html
        assert 'src="/media/implementation/' in html

    def test_older_updates_link_to_the_project_page(self, client, budget_round, monkeypatch):
        monkeypatch.setattr("frontend.budgeting.views.rounds.UPDATES_ON_TRACKER", 1)
        html = tracker(client, budget_round)
        p1 = project(budget_round, "p1")
        assert "1 earlier update" in html
        assert (
            f'href="/rounds/{budget_round.slug}/projects/{p1.pk}/#implementation-heading"' in html
        )
        assert "surveyed" not in html

    def test_project_page_shows_the_full_history(self, client, budget_round):
        p1 = project(budget_round, "p1")
        html = client.get(f"/rounds/{budget_round.slug}/projects/{p1.pk}/").content.decode()
        assert "Benches ordered." in html
        assert "surveyed" in html
        assert "In progress" in html
        assert 'max="100" value="45"' in html

    def test_before_results_nothing_is_tracked_yet(self, client, riga):
        html = tracker(client, factories.voting_round(organisation=riga))
        assert "Implementation starts once the results are out." in html

    def test_draft_is_404_to_residents(self, client, riga):
        draft = factories.BudgetRoundFactory(organisation=riga, phase="draft")
        tracker(client, draft, status=404)

    def test_fixed_number_of_queries(self, client, riga, resident, django_assert_max_num_queries):
        small = factories.results_round(organisation=riga, selected=("p1",))
        implementation.implementation_update_post(
            actor=SYSTEM, project=small.projects.get(external_id="p1"), text="<p>Started.</p>"
        )
        big = factories.results_round(
            organisation=riga, costs=(1_000_00,) * 40, selected=tuple(f"p{n}" for n in range(1, 41))
        )
        for p in big.projects.all()[:10]:
            implementation.implementation_update_post(
                actor=SYSTEM, project=p, text="<p>Started.</p>"
            )
            factories.ProjectFollowFactory(project=p)
        client.force_login(resident)
        with CaptureQueriesContext(connection) as few:
            tracker(client, small)
        with django_assert_max_num_queries(len(few.captured_queries)):
            html = tracker(client, big)
        assert html.count('class="panel tracker__item"') == 40


class TestFollow:
    def follow(self, client, budget_round, p, action: str, **extra):
        return client.post(
            f"/rounds/{budget_round.slug}/projects/{p.pk}/follow/", {"action": action, **extra}
        )

    def test_follow_and_unfollow_without_javascript(self, client, budget_round, resident):
        p1 = project(budget_round, "p1")
        client.force_login(resident)
        back = f"/rounds/{budget_round.slug}/implementation/"
        response = self.follow(client, budget_round, p1, "follow", next=back)
        assert response.status_code == 302
        assert response["Location"] == back
        assert ProjectFollow.objects.filter(project=p1, user=resident).exists()
        html = client.get(back).content.decode()
        assert "You follow “Benches”: we will tell you about each update." in html
        assert 'aria-pressed="true"' in html
        assert "1 follower" in html

        self.follow(client, budget_round, p1, "unfollow", next=back)
        assert not ProjectFollow.objects.filter(project=p1, user=resident).exists()
        assert "You no longer follow “Benches”." in client.get(back).content.decode()

    def test_following_twice_keeps_one_follow(self, client, budget_round, resident):
        p1 = project(budget_round, "p1")
        client.force_login(resident)
        self.follow(client, budget_round, p1, "follow")
        response = self.follow(client, budget_round, p1, "follow")
        assert response["Location"] == p1.get_absolute_url()
        assert ProjectFollow.objects.filter(project=p1).count() == 1

    def test_anonymous_is_sent_to_sign_in(self, client, budget_round):
        p1 = project(budget_round, "p1")
        response = self.follow(client, budget_round, p1, "follow")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not ProjectFollow.objects.exists()
        assert "Sign in to follow this project" in tracker(client, budget_round)

    def test_bad_action_is_a_400_with_the_message(self, client, budget_round, resident):
        p1 = project(budget_round, "p1")
        client.force_login(resident)
        response = self.follow(client, budget_round, p1, "subscribe-all")
        assert response.status_code == 400
        html = response.content.decode()
        assert "data-error-summary" in html
        assert "Select a valid choice." in html
        assert not ProjectFollow.objects.exists()

    def test_offsite_next_is_ignored(self, client, budget_round, resident):
        p1 = project(budget_round, "p1")
        client.force_login(resident)
        response = self.follow(client, budget_round, p1, "follow", next="https://evil.example/")
        assert response["Location"] == p1.get_absolute_url()

    def test_get_is_not_allowed(self, client, budget_round, resident):
        p1 = project(budget_round, "p1")
        client.force_login(resident)
        assert (
            client.get(f"/rounds/{budget_round.slug}/projects/{p1.pk}/follow/").status_code == 405
        )

    def test_draft_round_project_cannot_be_followed(self, client, riga, resident):
        draft = factories.BudgetRoundFactory(organisation=riga, phase="draft")
        p = factories.ProjectFactory(
            district_budget=factories.DistrictBudgetFactory(round=draft), status="feasible"
        )
        client.force_login(resident)
        assert self.follow(client, draft, p, "follow").status_code == 404
        assert not ProjectFollow.objects.exists()
