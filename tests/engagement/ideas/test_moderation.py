"""Reports, hiding and restoring, and the append-only moderation log (services)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from engagement.ideas import selectors
from engagement.ideas.models import Comment, Idea, ModerationLog, Report, ReportStatus
from engagement.ideas.models.moderation import AppendOnlyError
from engagement.ideas.services import discussion, moderation
from engagement.notifications.models import Notification
from tests import factories
from tests.engagement.ideas.util import codes

pytestmark = pytest.mark.django_db


def report(reporter, *, idea=None, comment=None, reason="spam", details=""):
    return moderation.report_create(
        reporter=reporter, idea=idea, comment=comment, reason=reason, details=details
    )


# --- reports --------------------------------------------------------------------------------


class TestReportRefuses:
    def test_anonymous_people(self, idea):
        with pytest.raises(PermissionDenied):
            report(AnonymousUser(), idea=idea)
        assert not Report.objects.exists()

    def test_a_second_open_report_by_the_same_person(self, idea, resident):
        report(resident, idea=idea)
        with pytest.raises(ValidationError) as caught:
            report(resident, idea=idea, reason="offensive")
        assert codes(caught.value) == {"idea": ["already_reported"]}
        assert Report.objects.count() == 1

    def test_other_without_details(self, idea, resident):
        with pytest.raises(ValidationError) as caught:
            report(resident, idea=idea, reason="other", details="<b> </b>")
        assert codes(caught.value) == {"details": ["required"]}

    def test_an_unknown_reason(self, idea, resident):
        with pytest.raises(ValidationError) as caught:
            report(resident, idea=idea, reason="boring")
        assert codes(caught.value) == {"reason": ["invalid_choice"]}

    def test_both_or_no_target(self, idea, resident):
        with pytest.raises(ValidationError) as caught:
            report(resident)
        assert codes(caught.value) == {"target": ["one_target"]}

    def test_a_deleted_comment(self, idea, resident):
        comment = discussion.comment_create(author=resident, idea=idea, body="<p>x</p>")
        discussion.comment_delete(actor=resident, comment=comment)
        with pytest.raises(ValidationError) as caught:
            report(factories.UserFactory(), comment=comment)
        assert codes(caught.value) == {"comment": ["deleted"]}

    def test_someone_elses_draft(self, collection, author, resident):
        draft = factories.IdeaFactory(
            process=collection, author=author, status="draft", submitted_at=None
        )
        with pytest.raises(PermissionDenied):
            report(resident, idea=draft)


def test_a_person_may_report_again_once_the_first_report_is_closed(idea, resident, riga_moderator):
    report(resident, idea=idea)
    moderation.reports_dismiss(actor=riga_moderator, idea=idea)
    again = report(resident, idea=idea, reason="other", details="Still spam <script>x</script>")
    assert again.details == "Still spam"
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 1


# --- moderators -----------------------------------------------------------------------------


class TestModerationRefuses:
    def test_a_moderator_of_another_organisation(self, idea, gdansk_moderator):
        with pytest.raises(PermissionDenied):
            moderation.content_hide(actor=gdansk_moderator, idea=idea, note="Not yours.")
        idea.refresh_from_db()
        assert idea.hidden is False
        assert not ModerationLog.objects.exists()

    @pytest.mark.parametrize("role", ["reviewer", "officer", None])
    def test_other_roles_and_residents(self, idea, riga, role):
        person = factories.staff(riga, role) if role else factories.UserFactory()
        for service in (moderation.content_hide, moderation.content_restore):
            with pytest.raises(PermissionDenied):
                service(actor=person, idea=idea, note="No.")
        assert not ModerationLog.objects.exists()

    def test_hiding_without_a_public_note(self, idea, riga_moderator):
        with pytest.raises(ValidationError) as caught:
            moderation.content_hide(actor=riga_moderator, idea=idea, note="  <i></i> ")
        assert codes(caught.value) == {"note": ["note_required"]}
        idea.refresh_from_db()
        assert idea.hidden is False

    def test_hiding_twice_and_restoring_what_is_shown(self, idea, riga_moderator):
        with pytest.raises(ValidationError) as caught:
            moderation.content_restore(actor=riga_moderator, idea=idea, note="Fine.")
        assert codes(caught.value) == {"target": ["not_hidden"]}
        moderation.content_hide(actor=riga_moderator, idea=idea, note="Spam.")
        with pytest.raises(ValidationError) as caught:
            moderation.content_hide(actor=riga_moderator, idea=idea, note="Spam.")
        assert codes(caught.value) == {"target": ["already_hidden"]}
        assert ModerationLog.objects.count() == 1

    def test_dismissing_with_nothing_open(self, idea, riga_moderator):
        with pytest.raises(ValidationError) as caught:
            moderation.reports_dismiss(actor=riga_moderator, idea=idea)
        assert codes(caught.value) == {"target": ["no_open_reports"]}


def test_hiding_keeps_the_content_closes_reports_logs_and_tells_the_author(
    idea, author, resident, riga_moderator
):
    report(resident, idea=idea)
    report(factories.UserFactory(), idea=idea, reason="offensive")
    entry = moderation.content_hide(
        actor=riga_moderator, idea=idea, note="Advertising <script>x</script>"
    )
    idea.refresh_from_db()
    assert (idea.hidden, idea.title, idea.moderation_note) == (
        True,
        "Benches by the sea",
        "Advertising",
    )
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.ACTIONED}
    assert (entry.action, entry.actor, entry.idea, entry.note, entry.reports_closed) == (
        "hide",
        riga_moderator,
        idea,
        "Advertising",
        2,
    )
    told = Notification.objects.get(event="content.hidden")
    assert (told.recipient, told.target, told.context["note"]) == (author, idea, "Advertising")


def test_restoring_shows_it_again_logs_and_tells_the_author(idea, author, riga_moderator):
    moderation.content_hide(actor=riga_moderator, idea=idea, note="Spam.")
    moderation.content_restore(actor=riga_moderator, idea=idea, note="A mistake, sorry.")
    idea.refresh_from_db()
    assert (idea.hidden, idea.moderation_note) == (False, "")
    assert list(ModerationLog.objects.order_by("id").values_list("action", "note")) == [
        ("hide", "Spam."),
        ("restore", "A mistake, sorry."),
    ]
    assert Notification.objects.get(event="content.restored").recipient == author


def test_hiding_a_comment(idea, resident, author, riga_moderator):
    comment = discussion.comment_create(author=resident, idea=idea, body="<p>Rude</p>")
    report(author, comment=comment, reason="offensive")
    moderation.content_hide(actor=riga_moderator, comment=comment, note="Insulting.")
    comment.refresh_from_db()
    assert (comment.hidden, comment.body) == (True, "<p>Rude</p>")
    assert ModerationLog.objects.get().comment == comment
    assert Notification.objects.get(event="content.hidden").recipient == resident
    assert Report.objects.get().status == ReportStatus.ACTIONED


def test_platform_operators_moderate_everywhere(idea, platform_admin):
    moderation.content_hide(actor=platform_admin, idea=idea, note="Illegal.")
    assert Idea.objects.get(pk=idea.pk).hidden


def test_the_queue_shows_each_moderator_only_their_organisations(
    idea, resident, riga_moderator, gdansk, gdansk_moderator
):
    theirs = factories.IdeaFactory(process=factories.IdeaCollectionFactory(organisation=gdansk))
    report(resident, idea=idea)
    report(resident, idea=theirs)
    mine = selectors.moderation_queue(riga_moderator)
    assert [r.idea_id for r in mine] == [idea.pk]
    assert mine[0].open_reports == 1
    assert [r.idea_id for r in selectors.moderation_queue(gdansk_moderator)] == [theirs.pk]
    assert not selectors.moderation_queue(resident).exists()


# --- the log is append-only -----------------------------------------------------------------


class TestLogIsAppendOnly:
    @pytest.fixture
    def entry(self, idea, riga_moderator):
        return moderation.content_hide(actor=riga_moderator, idea=idea, note="Spam.")

    def test_an_entry_cannot_be_changed(self, entry):
        entry.note = "Nothing happened."
        with pytest.raises(AppendOnlyError):
            entry.save()
        assert ModerationLog.objects.get().note == "Spam."

    def test_entries_cannot_be_deleted(self, entry):
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            ModerationLog.objects.all().delete()
        with pytest.raises(AppendOnlyError):
            ModerationLog.objects.filter(pk=entry.pk).update(note="Gone")
        assert ModerationLog.objects.get().note == "Spam."

    def test_the_admin_only_reads_it(self, entry, platform_admin):
        model_admin = admin.site._registry[ModerationLog]
        request = RequestFactory().get("/admin/")
        request.user = platform_admin
        assert model_admin.has_view_permission(request, entry)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, entry)
        assert not model_admin.has_delete_permission(request, entry)

    def test_the_admin_cannot_hide_past_the_log(self, platform_admin):
        for model in (Idea, Comment):
            readonly = admin.site._registry[model].get_readonly_fields(RequestFactory().get("/"))
            assert {"hidden", "hidden_at", "moderation_note"} <= set(readonly)


def test_deleting_a_moderators_account_keeps_the_entry_anonymised(idea, riga_moderator):
    entry = moderation.content_hide(actor=riga_moderator, idea=idea, note="Spam.")
    riga_moderator.delete()
    kept = ModerationLog.objects.get(pk=entry.pk)
    assert (kept.actor, kept.note, kept.idea) == (None, "Spam.", idea)
