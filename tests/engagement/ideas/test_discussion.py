"""Comments and replies, supports, follows, and who hears about them (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from engagement.ideas import selectors
from engagement.ideas.models import Comment, Follow, Idea, ParticipatoryProcess, Support
from engagement.ideas.services import discussion, moderation, supports
from engagement.notifications.models import Notification
from tests import factories
from tests.engagement.ideas.util import codes

pytestmark = pytest.mark.django_db


def comment(author, idea, body="<p>Good idea.</p>", parent=None):
    return discussion.comment_create(author=author, idea=idea, body=body, parent=parent)


def notified(event):
    return sorted(Notification.objects.filter(event=event).values_list("recipient", flat=True))


# --- comments: refusals ---------------------------------------------------------------------


class TestCommentRefuses:
    def test_anonymous_people(self, idea):
        with pytest.raises(PermissionDenied):
            comment(AnonymousUser(), idea)

    @pytest.mark.parametrize("phase", ["closed"])
    def test_outside_the_discussion_phases(self, idea, resident, phase):
        ParticipatoryProcess.objects.filter(pk=idea.process_id).update(phase=phase)
        idea.process.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            comment(resident, idea)
        assert codes(caught.value) == {"phase": ["wrong_phase"]}
        assert not Comment.objects.exists()

    def test_a_draft_of_someone_else(self, collection, author, resident):
        draft = factories.IdeaFactory(
            process=collection, author=author, status="draft", submitted_at=None
        )
        with pytest.raises(PermissionDenied):
            comment(resident, draft)

    def test_a_withdrawn_idea(self, idea, resident):
        Idea.objects.filter(pk=idea.pk).update(status="withdrawn")
        idea.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            comment(resident, idea)
        assert codes(caught.value) == {"status": ["discussion_closed"]}

    def test_empty_or_only_markup(self, idea, resident):
        with pytest.raises(ValidationError) as caught:
            comment(resident, idea, "<p> </p><img src=x onerror=alert(1)>")
        assert codes(caught.value) == {"body": ["required"]}

    def test_replies_deeper_than_three_levels(self, idea, resident):
        parent = None
        for _level in range(4):
            parent = comment(resident, idea, parent=parent)
        assert parent.depth == 3
        with pytest.raises(ValidationError) as caught:
            comment(resident, idea, parent=parent)
        assert codes(caught.value) == {"parent": ["too_deep"]}

    def test_a_reply_to_a_comment_on_another_idea(self, idea, resident):
        elsewhere = comment(resident, factories.IdeaFactory(process=idea.process))
        with pytest.raises(ValidationError) as caught:
            comment(resident, idea, parent=elsewhere)
        assert codes(caught.value) == {"parent": ["wrong_idea"]}

    def test_a_reply_to_a_deleted_comment(self, idea, resident):
        parent = comment(resident, idea)
        discussion.comment_delete(actor=resident, comment=parent)
        with pytest.raises(ValidationError) as caught:
            comment(resident, idea, parent=parent)
        assert codes(caught.value) == {"parent": ["parent_unavailable"]}


class TestEditAndDeleteRefuse:
    def test_someone_else_editing(self, idea, resident, author):
        mine = comment(resident, idea)
        with pytest.raises(PermissionDenied):
            discussion.comment_update(actor=author, comment=mine, body="<p>Changed</p>")

    def test_after_fifteen_minutes(self, idea, resident):
        mine = comment(resident, idea)
        Comment.objects.filter(pk=mine.pk).update(
            created_at=timezone.now() - timedelta(minutes=15, seconds=1)
        )
        mine.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            discussion.comment_update(actor=resident, comment=mine, body="<p>Changed</p>")
        assert codes(caught.value) == {"body": ["edit_window_closed"]}
        mine.refresh_from_db()
        assert mine.body == "<p>Good idea.</p>"

    def test_someone_else_deleting(self, idea, resident, author):
        mine = comment(resident, idea)
        with pytest.raises(PermissionDenied):
            discussion.comment_delete(actor=author, comment=mine)
        mine.refresh_from_db()
        assert mine.deleted_at is None

    def test_deleting_a_hidden_comment(self, idea, resident, riga_moderator):
        mine = comment(resident, idea)
        moderation.content_hide(actor=riga_moderator, comment=mine, note="Rude.")
        with pytest.raises(ValidationError) as caught:
            discussion.comment_delete(actor=resident, comment=mine)
        assert codes(caught.value) == {"body": ["hidden"]}


# --- comments: what works -------------------------------------------------------------------


def test_editing_within_the_window_is_sanitised_and_marked(idea, resident):
    mine = comment(resident, idea)
    discussion.comment_update(
        actor=resident, comment=mine, body="<p>Better <em>idea</em></p><script>x</script>"
    )
    mine.refresh_from_db()
    assert mine.body == "<p>Better <em>idea</em></p>"
    assert mine.edited_at is not None


def test_deleting_leaves_a_placeholder_that_keeps_the_thread(idea, resident, author):
    root = comment(resident, idea)
    reply = comment(author, idea, parent=root)
    discussion.comment_delete(actor=resident, comment=root)
    discussion.comment_delete(actor=resident, comment=root)  # idempotent
    root.refresh_from_db()
    assert (root.body, root.is_deleted) == ("", True)
    [thread] = selectors.comment_threads(selectors.comment_roots(idea))
    assert thread.pk == root.pk
    assert [r.pk for r in thread.thread_replies] == [reply.pk]


def test_threads_nest_replies_in_one_query(idea, resident, author, django_assert_num_queries):
    first = comment(resident, idea, "<p>1</p>")
    a = comment(author, idea, "<p>1.1</p>", parent=first)
    b = comment(resident, idea, "<p>1.1.1</p>", parent=a)
    second = comment(author, idea, "<p>2</p>")
    roots = list(selectors.comment_roots(idea))
    with django_assert_num_queries(1):
        threads = selectors.comment_threads(roots)
    assert [t.pk for t in threads] == [first.pk, second.pk]
    assert [r.pk for r in threads[0].thread_replies] == [a.pk]
    assert [r.pk for r in threads[0].thread_replies[0].thread_replies] == [b.pk]
    assert (a.root_id, b.root_id, b.depth) == (first.pk, first.pk, 2)


def test_commenting_tells_followers_but_not_the_commenter(idea, author, resident):
    follower = factories.UserFactory()
    supports.follow_add(user=author, idea=idea)  # as idea_create does
    supports.follow_add(user=follower, idea=idea)
    factories.UserFactory()  # not following: not told
    comment(resident, idea)
    assert notified("idea.commented") == sorted([author.pk, follower.pk])
    assert Follow.objects.filter(idea=idea, user=resident).exists()  # commenters follow


def test_a_reply_tells_the_parent_author_once(idea, author, resident):
    root = comment(author, idea)  # commenting, the author follows
    Notification.objects.all().delete()
    comment(resident, idea, parent=root)
    assert notified("comment.replied") == [author.pk]
    assert notified("idea.commented") == []  # the author follows, but is told once


# --- supports and follows -------------------------------------------------------------------


class TestSupportRefuses:
    def test_anonymous_people(self, idea):
        with pytest.raises(PermissionDenied):
            supports.support_add(user=AnonymousUser(), idea=idea)

    @pytest.mark.parametrize("status", ["accepted", "rejected", "withdrawn"])
    def test_decided_ideas(self, idea, resident, status):
        Idea.objects.filter(pk=idea.pk).update(status=status)
        idea.refresh_from_db()
        with pytest.raises(ValidationError):
            supports.support_add(user=resident, idea=idea)
        assert not Support.objects.exists()

    def test_after_the_discussion(self, idea, resident):
        ParticipatoryProcess.objects.filter(pk=idea.process_id).update(phase="closed")
        idea.process.refresh_from_db()
        with pytest.raises(ValidationError) as caught:
            supports.support_add(user=resident, idea=idea)
        assert codes(caught.value) == {"phase": ["wrong_phase"]}

    def test_a_hidden_idea(self, idea, resident, riga_moderator):
        moderation.content_hide(actor=riga_moderator, idea=idea, note="Spam.")
        idea.refresh_from_db()
        with pytest.raises(PermissionDenied):
            supports.support_add(user=resident, idea=idea)


def test_supporting_twice_leaves_one_support(idea, resident):
    assert supports.support_add(user=resident, idea=idea) is True
    assert supports.support_add(user=resident, idea=idea) is False
    assert Support.objects.filter(idea=idea, user=resident).count() == 1


def test_unsupporting(idea, resident):
    supports.support_add(user=resident, idea=idea)
    assert supports.support_remove(user=resident, idea=idea) is True
    assert supports.support_remove(user=resident, idea=idea) is False
    assert not Support.objects.exists()


def test_following_works_in_every_phase_and_is_idempotent(idea, resident):
    ParticipatoryProcess.objects.filter(pk=idea.process_id).update(phase="closed")
    idea.process.refresh_from_db()
    assert supports.follow_add(user=resident, idea=idea) is True
    assert supports.follow_add(user=resident, idea=idea) is False
    assert supports.follow_remove(user=resident, idea=idea) is True
    assert not Follow.objects.filter(user=resident).exists()
