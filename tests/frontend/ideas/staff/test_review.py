"""Review queue and idea review pages: who may see them, accept, reject, merge."""

from __future__ import annotations

import pytest
from django.urls import reverse

from budgeting.models import Project
from engagement.ideas.models import Idea
from engagement.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(riga):
    return factories.budget_process(organisation=riga, phase="review")


@pytest.fixture
def idea(process, resident):
    return factories.IdeaFactory(
        process=process,
        author=resident,
        title="Benches on the square",
        description="<p>Six benches under the lime trees.</p>",
        category="green",
        estimated_cost=12_000_00,
    )


def review_url(idea: Idea) -> str:
    return reverse("frontend:staff_idea_review", args=[idea.pk])


def queue_url(slug: str = "riga") -> str:
    return reverse("frontend:staff_review_queue", args=[slug])


# --- who may open the pages ---------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, idea):
    for url in (queue_url(), review_url(idea)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("persona", ["resident", "riga_moderator", "gdansk_admin"])
def test_people_without_the_reviewer_role_here_are_refused(client, idea, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(queue_url()).status_code == 403
    assert client.get(review_url(idea)).status_code == 403
    response = client.post(review_url(idea), {"action": "review", "decision": "under_review"})
    assert response.status_code == 403
    assert Idea.objects.get(pk=idea.pk).status == "submitted"


@pytest.mark.parametrize("persona", ["riga_reviewer", "riga_admin", "platform_admin"])
def test_reviewers_administrators_and_operators_see_the_queue(client, idea, persona, request):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(queue_url()).content.decode()
    assert "Benches on the square" in html
    assert review_url(idea) in html
    assert "12,000.00 EUR" in html  # the author's estimate


def test_unknown_organisation_is_404(client, riga_reviewer):
    client.force_login(riga_reviewer)
    assert client.get(queue_url("nowhere")).status_code == 404


# --- the queue ----------------------------------------------------------------------------


def test_queue_lists_waiting_ideas_oldest_first_with_counts(client, riga_reviewer, process):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    factories.IdeaFactory(process=process, title="Newer idea", submitted_at=now)
    factories.IdeaFactory(process=process, title="Older idea", submitted_at=now - timedelta(days=3))
    factories.IdeaFactory(process=process, title="Looked at", status="under_review")
    factories.IdeaFactory(process=process, title="Already accepted", status="accepted")
    factories.IdeaFactory(process=process, title="A draft", status="draft", submitted_at=None)
    client.force_login(riga_reviewer)
    html = client.get(queue_url()).content.decode()
    assert html.index("Older idea") < html.index("Newer idea")
    assert "Looked at" in html
    assert "Already accepted" not in html
    assert "A draft" not in html
    assert '<span class="stat__value" data-testid="count-total">3</span>' in html


def test_queue_filters_by_process_district_and_category(client, riga, riga_reviewer, process):
    other = factories.IdeaCollectionFactory(
        organisation=riga, title="Waterfront", phase="reviewing"
    )
    north = process.organisation.districts.get(slug="north")
    factories.IdeaFactory(process=process, title="North green", district=north, category="green")
    factories.IdeaFactory(process=process, title="City play", category="play")
    factories.IdeaFactory(process=other, title="Waterfront culture", category="culture")
    client.force_login(riga_reviewer)

    html = client.get(queue_url(), {"process": other.slug}).content.decode()
    assert "Waterfront culture" in html
    assert "North green" not in html
    html = client.get(queue_url(), {"district": "north"}).content.decode()
    assert "North green" in html
    assert "City play" not in html
    html = client.get(queue_url(), {"category": "play"}).content.decode()
    assert "City play" in html
    assert "North green" not in html


def test_queue_shows_only_this_organisations_ideas(client, riga_reviewer, gdansk, idea):
    gdansk_process = factories.budget_process(organisation=gdansk, phase="review")
    factories.IdeaFactory(process=gdansk_process, title="Idea from Gdańsk")
    client.force_login(riga_reviewer)
    html = client.get(queue_url()).content.decode()
    assert "Benches on the square" in html
    assert "Idea from Gdańsk" not in html


def test_queue_costs_the_same_queries_for_many_ideas(
    client, riga_reviewer, process, django_assert_max_num_queries
):
    factories.IdeaFactory.create_batch(25, process=process)
    client.force_login(riga_reviewer)
    with django_assert_max_num_queries(14):
        response = client.get(queue_url())
    assert response.content.decode().count("/review/") >= 25


# --- answering ------------------------------------------------------------------------------


def test_review_page_shows_the_idea_in_full(client, riga_reviewer, idea):
    client.force_login(riga_reviewer)
    html = client.get(review_url(idea)).content.decode()
    assert "<h1>Benches on the square</h1>" in html
    assert "<p>Six benches under the lime trees.</p>" in html
    assert "12,000.00 EUR" in html  # the author's estimate, also the form's starting cost
    assert 'name="decision"' in html


def test_accept_creates_the_linked_ballot_project_and_tells_the_author(
    client, riga_reviewer, idea, resident
):
    client.force_login(riga_reviewer)
    response = client.post(
        review_url(idea),
        {"action": "review", "decision": "accepted", "cost": "15000.50", "confirm": "on"},
        follow=True,
    )
    assert response.status_code == 200
    idea.refresh_from_db()
    assert idea.status == "accepted"
    assert idea.feasible is True
    assert idea.admin_cost == 15_000_50
    project = Project.objects.get(external_id=f"idea-{idea.pk}")
    assert idea.project == project
    assert project.idea == idea
    assert project.status == "feasible"
    assert project.cost == 15_000_50
    assert project.district_budget.key == "city"
    assert Notification.objects.filter(recipient=resident, event="idea.status_changed").exists()
    html = response.content.decode()
    assert "The idea is accepted" in html
    assert f"ballot project idea-{idea.pk}" in html


def test_accept_into_a_chosen_district_budget(client, riga_reviewer, idea):
    client.force_login(riga_reviewer)
    client.post(
        review_url(idea),
        {
            "action": "review",
            "decision": "accepted",
            "cost": "9000",
            "district": "north",
            "confirm": "on",
        },
    )
    assert Project.objects.get(external_id=f"idea-{idea.pk}").district_budget.key == "north"


def test_accept_needs_the_confirmation_and_a_cost(client, riga_reviewer, idea):
    client.force_login(riga_reviewer)
    response = client.post(review_url(idea), {"action": "review", "decision": "accepted"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick this box to confirm the acceptance." in html
    response = client.post(
        review_url(idea), {"action": "review", "decision": "accepted", "confirm": "on"}
    )
    assert response.status_code == 400
    assert (
        "Give the administration&#x27;s cost estimate for the ballot." in response.content.decode()
    )
    assert not Project.objects.exists()
    assert Idea.objects.get(pk=idea.pk).status == "submitted"


@pytest.mark.parametrize("cost", ["12.345", "twelve", "-5"])
def test_bad_amounts_are_field_errors(client, riga_reviewer, idea, cost):
    client.force_login(riga_reviewer)
    response = client.post(
        review_url(idea),
        {"action": "review", "decision": "accepted", "cost": cost, "confirm": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_cost-error"' in html
    assert 'aria-invalid="true"' in html
    assert not Project.objects.exists()


def test_reject_without_a_reason_is_refused_with_the_message(client, riga_reviewer, idea):
    client.force_login(riga_reviewer)
    response = client.post(review_url(idea), {"action": "review", "decision": "rejected"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Explain publicly why the idea is rejected." in html
    assert 'id="id_public_reason-error"' in html
    assert "error-summary" in html
    assert Idea.objects.get(pk=idea.pk).status == "submitted"


def test_reject_with_a_reason_tells_the_author(client, riga_reviewer, idea, resident):
    client.force_login(riga_reviewer)
    response = client.post(
        review_url(idea),
        {"action": "review", "decision": "rejected", "public_reason": "The square is private."},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.status, idea.feasible, idea.public_reason) == (
        "rejected",
        False,
        "The square is private.",
    )
    note = Notification.objects.get(recipient=resident, event="idea.status_changed")
    assert note.context["public_reason"] == "The square is private."


def test_review_outside_the_review_phase_says_so(client, riga_reviewer, resident):
    process = factories.budget_process(organisation=riga_reviewer.memberships.first().organisation)
    idea = factories.IdeaFactory(process=process, author=resident)
    client.force_login(riga_reviewer)
    html = client.get(review_url(idea)).content.decode()
    assert "Reviewing opens in the review phase of this process." in html
    response = client.post(review_url(idea), {"action": "review", "decision": "under_review"})
    assert response.status_code == 400
    assert Idea.objects.get(pk=idea.pk).status == "submitted"


# --- merging --------------------------------------------------------------------------------


def test_merge_a_duplicate_into_the_original(client, riga_reviewer, idea, process):
    duplicate = factories.IdeaFactory(process=process, title="More benches on the square")
    client.force_login(riga_reviewer)
    html = client.get(review_url(duplicate), {"q": "benches"}).content.decode()
    assert f'value="{idea.pk}"' in html
    response = client.post(
        review_url(duplicate),
        {"action": "merge", "into": idea.pk, "public_reason": "Same place.", "confirm_merge": "on"},
        follow=True,
    )
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"
    assert duplicate.merged_into == idea
    assert "The idea is merged into “Benches on the square”" in response.content.decode()
    assert Notification.objects.filter(recipient=duplicate.author, event="idea.merged").exists()


def test_merge_needs_a_confirmation(client, riga_reviewer, idea, process):
    duplicate = factories.IdeaFactory(process=process, title="Benches again")
    client.force_login(riga_reviewer)
    response = client.post(
        review_url(duplicate) + "?q=benches", {"action": "merge", "into": idea.pk}
    )
    assert response.status_code == 400
    assert "Tick this box to confirm the merge." in response.content.decode()
    assert Idea.objects.get(pk=duplicate.pk).status == "submitted"


def test_merge_into_an_idea_of_another_process_is_refused(client, riga, riga_reviewer, idea):
    elsewhere = factories.IdeaFactory(
        process=factories.IdeaCollectionFactory(organisation=riga), title="Benches elsewhere"
    )
    client.force_login(riga_reviewer)
    response = client.post(
        review_url(idea), {"action": "merge", "into": elsewhere.pk, "confirm_merge": "on"}
    )
    assert response.status_code == 400
    assert Idea.objects.get(pk=idea.pk).status == "submitted"


def test_review_page_speaks_polish(client, riga_reviewer, idea):
    client.force_login(riga_reviewer)
    response = client.post(review_url(idea), {"action": "review"}, HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="pl"' in html
    assert "To pole jest wymagane." in html  # Django's own Polish catalogue
    assert "12\xa0000,00 EUR" in html or "12 000,00 EUR" in html


def test_the_accepted_idea_links_to_its_project_page(client, riga_reviewer, idea):
    client.force_login(riga_reviewer)
    response = client.post(
        review_url(idea),
        {"action": "review", "decision": "accepted", "cost": "1000", "confirm": "on"},
        follow=True,
    )
    project = Project.objects.get(external_id=f"idea-{idea.pk}")
    link = reverse("frontend:project", args=[project.round.slug, project.pk])
    html = response.content.decode()
    assert f'href="{link}"' in html
    assert "This idea is Accepted; that answer is final." in html


def test_accepting_an_idea_of_a_collection_makes_no_project(client, riga, riga_reviewer):
    collection = factories.IdeaCollectionFactory(organisation=riga, phase="reviewing")
    idea = factories.IdeaFactory(process=collection)
    client.force_login(riga_reviewer)
    html = client.get(review_url(idea)).content.decode()
    assert 'name="district"' not in html
    response = client.post(
        review_url(idea), {"action": "review", "decision": "accepted", "confirm": "on"}
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == "accepted"
    assert idea.project is None
    assert not Project.objects.exists()


def test_the_review_page_costs_a_bounded_number_of_queries(
    client, riga_reviewer, idea, process, django_assert_max_num_queries
):
    factories.IdeaFactory.create_batch(10, process=process, title="Benches by the river")
    client.force_login(riga_reviewer)
    with django_assert_max_num_queries(16):
        response = client.get(review_url(idea), {"q": "benches"})
    assert response.content.decode().count('name="into"') == 10


def test_the_review_and_merge_forms_do_not_share_field_ids(client, riga_reviewer, idea, process):
    import re
    from collections import Counter

    factories.IdeaFactory(process=process, title="Benches again")
    client.force_login(riga_reviewer)
    html = client.get(review_url(idea), {"q": "benches"}).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    assert 'id="merge_public_reason"' in html
