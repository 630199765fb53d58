"""The idea page: what it shows, and supporting, following, discussing and reporting through
the services — plain POST + redirect without JavaScript, fragments with htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from budgeting.models import DistrictBudget
from engagement.ideas.models import Comment, Follow, Report, Support
from tests import factories
from tests.frontend.ideas.conftest import body

pytestmark = pytest.mark.django_db


def url(idea, suffix: str = "") -> str:
    return f"/ideas/{idea.pk}/{suffix}"


class TestWhatItShows:
    def test_title_body_author_facts_and_live_counts(self, client, idea, north):
        idea.description = "<p>Three <strong>benches</strong> facing the sea.</p>"
        idea.category = "green"
        idea.district = north
        idea.latitude, idea.longitude = "56.949600", "24.105200"
        idea.estimated_cost = 1_500_00
        idea.save()
        html = body(client.get(url(idea)))
        assert '<h1 id="idea-title">Benches by the sea</h1>' in html
        assert "Three <strong>benches</strong> facing the sea." in html
        assert "By Ada Author" in html
        assert "North Shore" in html
        assert "green" in html
        assert "56.94960, 24.10520" in html
        assert "1,500.00" in html or "1 500,00" in html or "1500" in html
        assert f'data-live-topic="idea:{idea.pk}:counts"' in html
        assert 'data-live-key="supports"' in html
        assert 'data-live-key="comments"' in html

    def test_review_outcome_merge_and_status_history(self, client, collection, idea):
        target = factories.IdeaFactory(process=collection, title="The original bench idea")
        idea.status = "merged"
        idea.merged_into = target
        idea.public_reason = "Same place, same benches."
        idea.reviewed_at = timezone.now()
        idea.save()
        html = body(client.get(url(idea)))
        assert "Merged into another idea" in html
        assert "Same place, same benches." in html
        assert f'href="/ideas/{target.pk}/">The original bench idea</a>' in html

    def test_accepted_idea_links_its_ballot_project(self, client, riga, author):
        process = factories.budget_process(organisation=riga, phase="review")
        project = factories.ProjectFactory(
            district_budget=DistrictBudget.objects.filter(round=process.budget_round).first(),
            title="Sea benches",
        )
        accepted = factories.IdeaFactory(
            process=process, author=author, status="accepted", project=project,
            feasible=True, reviewed_at=timezone.now(), admin_cost=2_000_00,
        )  # fmt: skip
        html = body(client.get(url(accepted)))
        assert "Accepted by the city" in html
        assert "Sea benches" in html
        assert "It became the ballot project" in html
        round_slug = process.budget_round.slug
        assert f'href="/rounds/{round_slug}/projects/{project.pk}/">Sea benches</a>' in html

    def test_images_have_their_alt_text(self, client, idea):
        from engagement.ideas.services import ideas
        from tests.engagement.ideas.images import upload

        ideas.idea_image_add(
            actor=idea.author, idea=idea, upload=upload(), alt_text="A bench by the water"
        )
        html = body(client.get(url(idea)))
        assert 'alt="A bench by the water"' in html

    def test_similar_ideas_are_suggested(self, client, collection, idea):
        factories.IdeaFactory(process=collection, title="More benches by the sea please")
        html = body(client.get(url(idea)))
        assert "Similar ideas" in html
        assert "More benches by the sea please" in html


class TestHiddenContent:
    def test_hidden_idea_is_404_for_everyone_but_staff(
        self, client, idea, resident, riga_moderator
    ):
        idea.hidden = True
        idea.moderation_note = "Personal data"
        idea.save()
        assert client.get(url(idea)).status_code == 404
        client.force_login(idea.author)
        assert client.get(url(idea)).status_code == 404
        client.force_login(resident)
        assert client.get(url(idea)).status_code == 404
        assert client.post(url(idea, "support/")).status_code == 404
        client.force_login(riga_moderator)
        html = body(client.get(url(idea)))
        assert "Moderators hid this idea" in html

    def test_hidden_comment_is_a_placeholder_with_the_public_note(self, client, idea):
        factories.CommentFactory(
            idea=idea, body="<p>Secret insult</p>", hidden=True, moderation_note="Offensive"
        )
        factories.CommentFactory(idea=idea, body="<p>Nice idea</p>")
        html = body(client.get(url(idea)))
        assert "Secret insult" not in html
        assert "Hidden by the moderators." in html
        assert "Offensive" in html
        assert "Nice idea" in html
        # Counts leave it out too.
        assert '<span data-live-key="comments">1</span>' in html

    def test_a_draft_is_404_to_others(self, client, collection, author, resident):
        draft = factories.IdeaFactory(
            process=collection, author=author, status="draft", submitted_at=None
        )
        client.force_login(resident)
        assert client.get(url(draft)).status_code == 404
        client.force_login(author)
        assert "This is your draft" in body(client.get(url(draft)))


class TestSupport:
    def test_anonymous_is_sent_to_sign_in(self, client, idea):
        html = body(client.get(url(idea)))
        assert "Sign in to support" in html
        response = client.post(url(idea, "support/"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        assert Support.objects.count() == 0

    def test_support_toggles_exactly_one_row(self, client, idea, resident):
        client.force_login(resident)
        response = client.post(url(idea, "support/"), {"action": "add"})
        assert response.status_code == 302
        assert response["Location"] == url(idea)
        client.post(url(idea, "support/"), {"action": "add"})  # a double click
        assert Support.objects.filter(idea=idea, user=resident).count() == 1
        html = body(client.get(url(idea)))
        assert "Thank you for your support." in html
        assert '<span class="idea-support__number" data-live-key="supports">1</span>' in html
        assert "You support this" in html
        client.post(url(idea, "support/"), {"action": "remove"})
        assert Support.objects.filter(idea=idea).count() == 0

    def test_htmx_gets_the_support_fragment(self, client, idea, resident):
        client.force_login(resident)
        response = client.post(url(idea, "support/"), {"action": "add"}, HTTP_HX_REQUEST="true")
        html = body(response)
        assert response.status_code == 200
        assert html.startswith('<div id="idea-support"')
        assert "<html" not in html
        assert 'data-live-key="supports">1<' in html

    def test_wrong_phase_is_a_400_with_the_message(self, client, idea, resident):
        idea.process.phase = "closed"
        idea.process.save()
        client.force_login(resident)
        response = client.post(url(idea, "support/"), {"action": "add"})
        assert response.status_code == 400
        assert "Not possible in the closed phase." in body(response)
        assert Support.objects.count() == 0


def test_follow_and_unfollow(client, idea, resident):
    client.force_login(resident)
    client.post(url(idea, "follow/"), {"action": "follow"})
    assert Follow.objects.filter(idea=idea, user=resident).exists()
    assert "Following" in body(client.get(url(idea)))
    response = client.post(url(idea, "follow/"), {"action": "unfollow"}, HTTP_HX_REQUEST="true")
    assert 'id="idea-follow"' in body(response)
    assert ">Follow<" in body(response)
    assert not Follow.objects.filter(idea=idea, user=resident).exists()


class TestComments:
    def test_comment_is_sanitised_published_and_followed(self, client, idea, resident):
        client.force_login(resident)
        response = client.post(
            url(idea, "comments/"), {"body": "Yes!\n\n<script>alert(1)</script>Lovely"}
        )
        comment = Comment.objects.get(idea=idea)
        assert response["Location"] == f"/ideas/{idea.pk}/#comment-{comment.pk}"
        assert "script" not in comment.body
        assert "Lovely" in comment.body
        assert Follow.objects.filter(idea=idea, user=resident).exists()
        html = body(client.get(url(idea)))
        assert "Your comment is published." in html
        assert "Lovely" in html
        assert "alert(1)" not in html

    def test_empty_comment_is_a_400_with_the_field_message(self, client, idea, resident):
        client.force_login(resident)
        response = client.post(url(idea, "comments/"), {"body": "<p></p>"})
        assert response.status_code == 400
        assert "Write a comment." in body(response)
        assert 'aria-invalid="true"' in body(response)
        assert Comment.objects.count() == 0

    def test_replies_stop_at_three_levels_with_the_service_message(self, client, idea, resident):
        root = factories.CommentFactory(idea=idea)
        level1 = factories.CommentFactory(idea=idea, parent=root, root=root, depth=1)
        level2 = factories.CommentFactory(idea=idea, parent=level1, root=root, depth=2)
        level3 = factories.CommentFactory(idea=idea, parent=level2, root=root, depth=3)
        client.force_login(resident)
        ok = client.post(url(idea, "comments/"), {"body": "Deep", "parent": level2.pk})
        assert ok.status_code == 302
        response = client.post(url(idea, "comments/"), {"body": "Deeper", "parent": level3.pk})
        assert response.status_code == 400
        assert "Replies go at most 3 levels deep." in body(response)
        assert Comment.objects.filter(body__contains="Deeper").count() == 0
        # The deepest comment offers no reply form.
        assert f'name="parent" value="{level3.pk}"' not in body(response)

    def test_htmx_comment_swaps_the_discussion(self, client, idea, resident):
        client.force_login(resident)
        response = client.post(
            url(idea, "comments/"), {"body": "Quick one"}, HTTP_HX_REQUEST="true"
        )
        html = body(response)
        assert html.startswith('<section id="comments"')
        assert "Quick one" in html
        assert "data-posted" in html

    def test_anonymous_is_sent_to_sign_in(self, client, idea):
        assert "Sign in to join the discussion" in body(client.get(url(idea)))
        response = client.post(url(idea, "comments/"), {"body": "Hi"})
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert Comment.objects.count() == 0

    def test_edit_within_the_window_only(self, client, idea, resident):
        comment = factories.CommentFactory(idea=idea, author=resident, body="<p>Typo</p>")
        client.force_login(resident)
        assert "Edit" in body(client.get(url(idea)))
        response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Fixed"})
        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.body == "<p>Fixed</p>"
        assert comment.edited_at is not None

        Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
        response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Too late"})
        assert response.status_code == 400
        assert "Comments can be changed for 15 minutes after posting." in body(response)
        comment.refresh_from_db()
        assert comment.body == "<p>Fixed</p>"

    def test_someone_elses_comment_cannot_be_edited(self, client, idea, resident):
        comment = factories.CommentFactory(idea=idea)
        client.force_login(resident)
        assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Mine now"}).status_code == 403
        assert client.post(f"/comments/{comment.pk}/delete/").status_code == 403

    def test_delete_leaves_a_placeholder(self, client, idea, resident):
        comment = factories.CommentFactory(idea=idea, author=resident, body="<p>Regret</p>")
        factories.CommentFactory(
            idea=idea, parent=comment, root=comment, depth=1, body="<p>Reply stays</p>"
        )
        client.force_login(resident)
        assert "Delete your comment?" in body(client.get(f"/comments/{comment.pk}/delete/"))
        client.post(f"/comments/{comment.pk}/delete/")
        html = body(client.get(url(idea)))
        assert "Regret" not in html
        assert "This comment was deleted." in html
        assert "Reply stays" in html


class TestReports:
    def test_report_an_idea(self, client, idea, resident):
        client.force_login(resident)
        assert "Spam or advertising" in body(client.get(url(idea, "report/")))
        response = client.post(url(idea, "report/"), {"reason": "spam"})
        assert response.status_code == 302
        report = Report.objects.get()
        assert (report.idea, report.reporter, report.reason) == (idea, resident, "spam")
        again = client.post(url(idea, "report/"), {"reason": "spam"})
        assert again.status_code == 400
        assert "You have already reported this." in body(again)
        assert Report.objects.count() == 1

    def test_other_needs_details(self, client, idea, resident):
        client.force_login(resident)
        response = client.post(url(idea, "report/"), {"reason": "other", "details": ""})
        assert response.status_code == 400
        assert "Tell the moderators what is wrong." in body(response)
        assert Report.objects.count() == 0

    def test_report_a_comment(self, client, idea, resident):
        comment = factories.CommentFactory(idea=idea)
        client.force_login(resident)
        client.post(f"/comments/{comment.pk}/report/", {"reason": "offensive"})
        assert Report.objects.get().comment == comment

    def test_anonymous_is_sent_to_sign_in(self, client, idea):
        response = client.get(url(idea, "report/"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_supporting_shares_the_apis_rate_limit(client, idea, resident, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"support": "2/min"})
    client.force_login(resident)
    client.post(url(idea, "support/"), {"action": "add"})
    client.post(url(idea, "support/"), {"action": "remove"})
    response = client.post(url(idea, "support/"), {"action": "add"})
    assert response.status_code == 429
    assert "Too many attempts in a short time." in body(response)
    assert Support.objects.count() == 0


def test_idea_page_queries_do_not_grow_with_the_discussion(
    client, idea, resident, django_assert_max_num_queries
):
    for _ in range(10):
        root = factories.CommentFactory(idea=idea)
        factories.CommentFactory(idea=idea, parent=root, root=root, depth=1)
    client.force_login(resident)
    with django_assert_max_num_queries(16):
        response = client.get(url(idea))
    assert body(response).count('class="comment comment--depth-1"') == 10


def test_hidden_ideas_are_left_out_of_the_process_page_and_counts(client, collection, idea):
    factories.IdeaFactory(process=collection, title="Hidden rant", hidden=True)
    html = body(client.get("/processes/waterfront/"))
    assert "Hidden rant" not in html
    assert "Benches by the sea" in html
    assert "See 1 idea" in html


def test_a_new_comment_is_found_on_the_last_page_of_the_discussion(client, idea, resident):
    for _ in range(30):
        factories.CommentFactory(idea=idea)
    client.force_login(resident)
    response = client.post(url(idea, "comments/"), {"body": "Late to the party"})
    comment = Comment.objects.get(body__contains="Late to the party")
    assert response["Location"] == f"/ideas/{idea.pk}/?comments_page=2#comment-{comment.pk}"
    assert "Late to the party" in body(client.get(response["Location"]))
    assert "Late to the party" not in body(client.get(url(idea)))


def test_round_cards_offer_voting_and_results(client, riga):
    voting = factories.budget_process(organisation=riga, phase="voting")
    done = factories.BudgetRoundFactory(organisation=riga, phase="results")
    html = body(client.get("/o/riga/"))
    assert f'href="/rounds/{voting.budget_round.slug}/vote/">Vote now' in html
    assert f'href="/rounds/{done.slug}/results/">See the results' in html


def test_staff_see_hidden_comments_marked_and_their_work_links(client, idea, riga_moderator):
    factories.CommentFactory(
        idea=idea, body="<p>Secret insult</p>", hidden=True, moderation_note="Offensive"
    )
    client.force_login(riga_moderator)
    html = body(client.get(url(idea)))
    assert "Secret insult" in html
    assert "Hidden by moderators" in html
    assert 'href="/staff/o/riga/moderation/">Moderation queue' in html


def test_reviewers_get_the_review_link_in_the_review_phase(client, idea, riga_reviewer):
    idea.process.phase = "reviewing"
    idea.process.save()
    client.force_login(riga_reviewer)
    html = body(client.get(url(idea)))
    assert f'href="/staff/ideas/{idea.pk}/review/">Review or merge this idea' in html


def test_the_idea_page_renders_in_polish(client, idea, resident):
    factories.CommentFactory(idea=idea)
    client.force_login(resident)
    response = client.get(url(idea), HTTP_ACCEPT_LANGUAGE="pl")
    html = body(response)
    assert response.status_code == 200
    assert '<html lang="pl"' in html
    # Django's own Polish: an empty comment is refused in the reader's language.
    refused = client.post(url(idea, "comments/"), {"body": ""}, HTTP_ACCEPT_LANGUAGE="pl")
    assert refused.status_code == 400
    assert "To pole jest wymagane." in body(refused)
