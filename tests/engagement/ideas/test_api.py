"""The ideas API end to end: shapes of answers, codes of refusals, rate limits."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from budgeting.models import Project
from engagement.ideas.models import Comment, Idea, IdeaImage, ModerationLog, Report, Support
from tests import factories
from tests.engagement.ideas.images import image_bytes, upload
from tests.engagement.ideas.util import body_codes

pytestmark = pytest.mark.django_db

NEW = {"title": "Benches", "description": "<p>By the sea</p>"}


def ideas_url(process, tail=""):
    return f"/api/v1/processes/{process.slug}/ideas/{tail}"


# --- processes ------------------------------------------------------------------------------


class TestProcesses:
    def test_drafts_are_hidden_from_everyone_but_staff(self, as_user, riga, riga_moderator):
        factories.IdeaCollectionFactory(organisation=riga, slug="secret", phase="draft")
        factories.IdeaCollectionFactory(organisation=riga, slug="open")
        assert [p["slug"] for p in as_user().get("/api/v1/processes/").json()["results"]] == [
            "open"
        ]
        assert as_user(factories.UserFactory()).get("/api/v1/processes/secret/").status_code == 404
        staff = as_user(riga_moderator).get("/api/v1/processes/")
        assert {p["slug"] for p in staff.json()["results"]} == {"open", "secret"}

    def test_detail_says_what_the_phase_allows(self, as_user, collection):
        factories.IdeaFactory(process=collection)
        factories.IdeaFactory(process=collection, status="draft", submitted_at=None)
        body = as_user().get("/api/v1/processes/waterfront/").json()
        assert body["phase"] == "collecting"
        assert body["open_actions"] == ["submit", "withdraw", "discuss", "merge"]
        assert (body["kind"], body["organisation"], body["round"]) == ("ideas", "riga", None)
        assert body["idea_count"] == 1

    def test_a_budget_process_shows_its_round_and_phase(self, as_user, riga):
        process = factories.budget_process(organisation=riga, phase="review")
        body = as_user().get(f"/api/v1/processes/{process.slug}/").json()
        assert (body["kind"], body["round"], body["phase"]) == (
            "budget",
            process.budget_round.slug,
            "review",
        )

    def test_administrators_create_and_move_collections(self, as_user, riga, riga_admin):
        client = as_user(riga_admin)
        created = client.post(
            "/api/v1/processes/",
            {
                "organisation": "riga",
                "kind": "ideas",
                "slug": "parks",
                "title": "Parks <script>x</script>",
                "categories": ["trees", "play"],
            },
        )
        assert created.status_code == 201, created.json()
        assert (created.json()["title"], created.json()["phase"]) == ("Parks", "draft")
        moved = client.post("/api/v1/processes/parks/phase/", {"to_phase": "collecting"})
        assert moved.json()["phase"] == "collecting"
        back = client.post("/api/v1/processes/parks/phase/", {"to_phase": "draft"})
        assert back.status_code == 400
        assert body_codes(back) == {"phase": ["invalid_transition"]}

    def test_residents_cannot_create_processes(self, as_user, riga, resident):
        answer = as_user(resident).post(
            "/api/v1/processes/",
            {"organisation": "riga", "kind": "ideas", "slug": "x", "title": "X"},
        )
        assert answer.status_code == 403


# --- ideas ----------------------------------------------------------------------------------


class TestIdeas:
    def test_anonymous_people_cannot_write(self, as_user, collection):
        assert as_user().post(ideas_url(collection), NEW).status_code == 403
        assert not Idea.objects.exists()

    def test_field_errors_carry_codes(self, as_user, collection, author):
        answer = as_user(author).post(
            ideas_url(collection),
            {
                "title": "",
                "description": "<p>x</p>",
                "district": "atlantis",
                "latitude": 91,
                "longitude": "abc",
                "estimated_cost": "12.345",
            },
        )
        assert answer.status_code == 400
        assert body_codes(answer) == {
            "title": ["blank"],
            "latitude": ["max_value"],
            "longitude": ["invalid"],
        }
        unknown = as_user(author).post(
            ideas_url(collection), {**NEW, "district": "atlantis", "estimated_cost": "1"}
        )
        assert body_codes(unknown) == {"district": ["unknown_district"]}
        cents = as_user(author).post(ideas_url(collection), {**NEW, "estimated_cost": "1.001"})
        assert body_codes(cents) == {"estimated_cost": ["too_many_decimals"]}
        half = as_user(author).post(ideas_url(collection), {**NEW, "latitude": "56.9"})
        assert body_codes(half) == {"longitude": ["incomplete_location"]}
        assert not Idea.objects.exists()

    def test_a_draft_is_seen_by_its_author_only(self, as_user, collection, author, riga_admin):
        created = as_user(author).post(
            ideas_url(collection),
            {**NEW, "estimated_cost": "1500.50", "latitude": 56.94962345, "longitude": "24.1"},
        )
        assert created.status_code == 201
        body = created.json()
        assert (body["status"], body["is_mine"], body["author"]) == ("draft", True, "Ada Author")
        assert (body["estimated_cost"], body["estimated_cost_display"]) == (150050, "1500.50")
        assert (body["latitude"], body["longitude"]) == (56.949623, 24.1)
        assert body["permissions"]["submit"] is True
        url = f"/api/v1/ideas/{body['id']}/"
        for other in (None, factories.UserFactory(), riga_admin):
            assert as_user(other).get(url).status_code == 404
        assert as_user(riga_admin).get(ideas_url(collection)).json()["count"] == 0
        mine = as_user(author).get(ideas_url(collection), {"mine": "true"}).json()
        assert [i["id"] for i in mine["results"]] == [body["id"]]

    def test_submit_edit_withdraw(self, as_user, collection, author):
        client = as_user(author)
        idea_id = client.post(ideas_url(collection), NEW).json()["id"]
        assert client.post(f"/api/v1/ideas/{idea_id}/submit/").json()["status"] == "submitted"
        again = client.post(f"/api/v1/ideas/{idea_id}/submit/")
        assert (again.status_code, body_codes(again)) == (400, {"status": ["already_submitted"]})
        edited = client.patch(f"/api/v1/ideas/{idea_id}/", {"title": "Shaded benches"})
        assert edited.json()["title"] == "Shaded benches"
        assert as_user().get(f"/api/v1/ideas/{idea_id}/").status_code == 200
        withdrawn = as_user(author).post(f"/api/v1/ideas/{idea_id}/withdraw/")
        assert withdrawn.json()["status"] == "withdrawn"

    def test_editing_after_the_phase(self, as_user, idea, author):
        idea.process.phase = "reviewing"
        idea.process.save()
        answer = as_user(author).patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Late"})
        assert answer.status_code == 400
        assert answer.json()["error_codes"] == {"phase": ["wrong_phase"]}
        assert Idea.objects.get(pk=idea.pk).title == "Benches by the sea"

    def test_someone_elses_idea(self, as_user, idea, resident):
        answer = as_user(resident).patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Mine"})
        assert answer.status_code == 403


class TestImages:
    def url(self, idea):
        return f"/api/v1/ideas/{idea.pk}/images/"

    def test_a_text_file_named_jpg_is_refused(self, as_user, idea, author):
        answer = as_user(author).upload(
            self.url(idea), {"image": upload("cat.jpg", b"I am not a cat picture")}
        )
        assert answer.status_code == 400
        assert body_codes(answer) == {"image": ["image_invalid"]}
        assert not IdeaImage.objects.exists()

    def test_oversized_images_are_refused(self, as_user, idea, author, settings):
        settings.KOPA_IDEA_IMAGE_MAX_BYTES = 2000
        big = image_bytes("PNG", (200, 200), noise=True)
        answer = as_user(author).upload(self.url(idea), {"image": upload("big.png", big)})
        assert answer.status_code == 400
        assert body_codes(answer) == {"image": ["image_too_large"]}

    def test_only_the_author_adds_images(self, as_user, idea, resident):
        answer = as_user(resident).upload(self.url(idea), {"image": upload()})
        assert answer.status_code == 403

    def test_at_most_six_images(self, as_user, idea, author):
        client = as_user(author)
        for _n in range(6):
            assert client.upload(self.url(idea), {"image": upload()}).status_code == 201
        seventh = client.upload(self.url(idea), {"image": upload()})
        assert body_codes(seventh) == {"image": ["too_many_images"]}

    def test_a_good_image_is_stored_and_listed(self, as_user, idea, author, settings):
        settings.KOPA_IDEA_IMAGE_MAX_SIDE = 32
        answer = as_user(author).upload(
            self.url(idea),
            {
                "image": upload("p.jpg", image_bytes("JPEG", (64, 48), exif=True)),
                "alt_text": "A <b>bench</b>",
            },
        )
        assert answer.status_code == 201, answer.json()
        body = answer.json()
        assert (body["width"], body["height"], body["alt_text"]) == (32, 24, "A bench")
        stored = IdeaImage.objects.get()
        assert default_storage.exists(stored.file.name)
        listed = as_user().get(f"/api/v1/ideas/{idea.pk}/").json()["images"]
        assert [i["id"] for i in listed] == [stored.pk]
        removed = as_user(author).delete(f"/api/v1/ideas/{idea.pk}/images/{stored.pk}/")
        assert removed.status_code == 204
        assert not IdeaImage.objects.exists()


# --- discussion -----------------------------------------------------------------------------


class TestDiscussion:
    def test_threaded_comments_with_placeholders(self, as_user, idea, resident, author):
        client = as_user(resident)
        root = client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "<p>Yes!</p>"}).json()
        as_user(author).post(
            f"/api/v1/ideas/{idea.pk}/comments/", {"body": "<p>Thanks</p>", "parent": root["id"]}
        )
        assert as_user(resident).delete(f"/api/v1/comments/{root['id']}/").status_code == 204
        body = as_user().get(f"/api/v1/ideas/{idea.pk}/comments/").json()
        assert body["count"] == 1
        [thread] = body["results"]
        assert (thread["deleted"], thread["body"], thread["author"]) == (True, "", None)
        [reply] = thread["replies"]
        assert (reply["body"], reply["author"], reply["depth"]) == (
            "<p>Thanks</p>",
            "Ada Author",
            1,
        )

    def test_replying_to_a_comment_of_another_idea(self, as_user, idea, resident):
        other = factories.CommentFactory(idea=factories.IdeaFactory(process=idea.process))
        answer = as_user(resident).post(
            f"/api/v1/ideas/{idea.pk}/comments/", {"body": "<p>x</p>", "parent": other.pk}
        )
        assert body_codes(answer) == {"parent": ["does_not_exist"]}

    def test_support_twice_and_unsupport(self, as_user, idea, resident):
        client = as_user(resident)
        url = f"/api/v1/ideas/{idea.pk}/support/"
        first = client.put(url)
        assert (first.status_code, first.json()) == (201, {"supported": True, "support_count": 1})
        second = client.put(url)
        assert (second.status_code, second.json()) == (200, {"supported": True, "support_count": 1})
        assert Support.objects.count() == 1
        gone = client.delete(url)
        assert gone.json() == {"supported": False, "support_count": 0}

    def test_follow_and_unfollow(self, as_user, idea, resident):
        client = as_user(resident)
        assert client.put(f"/api/v1/ideas/{idea.pk}/follow/").json() == {"following": True}
        assert client.get(f"/api/v1/ideas/{idea.pk}/").json()["following"] is True
        assert client.delete(f"/api/v1/ideas/{idea.pk}/follow/").json() == {"following": False}


# --- moderation and review ------------------------------------------------------------------


class TestModeration:
    def test_report_queue_hide_log(self, as_user, idea, resident, riga_moderator):
        reported = as_user(resident).post(
            "/api/v1/reports/", {"idea": idea.pk, "reason": "spam", "details": "Ads"}
        )
        assert reported.status_code == 201
        twice = as_user(resident).post("/api/v1/reports/", {"idea": idea.pk, "reason": "spam"})
        assert body_codes(twice) == {"idea": ["already_reported"]}
        assert as_user(resident).get("/api/v1/moderation/queue/").status_code == 403
        queue = as_user(riga_moderator).get("/api/v1/moderation/queue/").json()
        [entry] = queue["results"]
        assert entry["content"]["kind"] == "idea"
        assert (entry["content"]["id"], entry["open_reports"]) == (idea.pk, 1)
        hidden = as_user(riga_moderator).post(
            "/api/v1/moderation/hide/", {"idea": idea.pk, "note": "Advertising."}
        )
        assert hidden.status_code == 200
        assert (hidden.json()["action"], hidden.json()["note"]) == ("hide", "Advertising.")
        log = as_user(riga_moderator).get("/api/v1/moderation/log/").json()["results"]
        assert [(e["action"], e["idea"]) for e in log] == [("hide", idea.pk)]
        assert not as_user(riga_moderator).get("/api/v1/moderation/queue/").json()["results"]

    def test_a_moderator_of_another_organisation(self, as_user, idea, gdansk_moderator):
        answer = as_user(gdansk_moderator).post(
            "/api/v1/moderation/hide/", {"idea": idea.pk, "note": "x"}
        )
        assert answer.status_code == 403
        assert not Idea.objects.get(pk=idea.pk).hidden
        assert not ModerationLog.objects.exists()
        assert as_user(gdansk_moderator).get("/api/v1/moderation/queue/").json()["results"] == []

    def test_hiding_a_comment_needs_a_note(self, as_user, idea, riga_moderator):
        comment = factories.CommentFactory(idea=idea)
        answer = as_user(riga_moderator).post("/api/v1/moderation/hide/", {"comment": comment.pk})
        assert body_codes(answer) == {"note": ["note_required"]}
        assert not Comment.objects.get(pk=comment.pk).hidden

    def test_a_report_names_one_target(self, as_user, resident):
        answer = as_user(resident).post("/api/v1/reports/", {"reason": "spam"})
        assert body_codes(answer) == {"idea": ["one_target"]}
        assert not Report.objects.exists()


class TestReview:
    def test_accept_into_the_ballot(self, as_user, riga, author, riga_reviewer):
        process = factories.budget_process(organisation=riga, phase="review")
        idea = factories.IdeaFactory(process=process, author=author)
        answer = as_user(riga_reviewer).post(
            f"/api/v1/ideas/{idea.pk}/review/",
            {"decision": "accepted", "cost": "12500.00", "public_reason": "Good."},
        )
        assert answer.status_code == 200, answer.json()
        body = answer.json()
        assert body["status"] == "accepted"
        assert body["review"] == {
            "feasible": True,
            "cost": 1250000,
            "cost_display": "12500.00",
            "public_reason": "Good.",
            "reviewed_at": body["review"]["reviewed_at"],
        }
        project = Project.objects.get(external_id=f"idea-{idea.pk}")
        assert body["project"] == {
            "round": process.budget_round.slug,
            "id": project.external_id,
            "title": idea.title,
            "status": "feasible",
            "district": "city",
        }
        by_project = as_user().get(ideas_url(process), {"project": project.external_id})
        assert [i["id"] for i in by_project.json()["results"]] == [idea.pk]

    def test_reviewers_of_another_organisation(self, as_user, riga, gdansk_reviewer):
        process = factories.budget_process(organisation=riga, phase="review")
        idea = factories.IdeaFactory(process=process)
        answer = as_user(gdansk_reviewer).post(
            f"/api/v1/ideas/{idea.pk}/review/", {"decision": "accepted", "cost": "1"}
        )
        assert answer.status_code == 403
        assert not Project.objects.exists()

    def test_merge(self, as_user, idea, riga_reviewer):
        duplicate = factories.IdeaFactory(process=idea.process)
        answer = as_user(riga_reviewer).post(
            f"/api/v1/ideas/{duplicate.pk}/merge/", {"into": idea.pk, "public_reason": "Same."}
        )
        assert answer.status_code == 200
        assert answer.json()["merged_into"] == {"id": idea.pk, "title": idea.title}


# --- rate limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "call"),
    [
        ("comment", lambda c, i: c.post(f"/api/v1/ideas/{i.pk}/comments/", {"body": "<p>x</p>"})),
        ("support", lambda c, i: c.put(f"/api/v1/ideas/{i.pk}/support/")),
        ("report", lambda c, i: c.post("/api/v1/reports/", {"idea": i.pk, "reason": "spam"})),
        ("idea", lambda c, i: c.post(ideas_url(i.process), NEW)),
    ],
)
def test_writes_are_rate_limited(as_user, idea, resident, monkeypatch, scope, call):
    from rest_framework.throttling import ScopedRateThrottle

    # monkeypatch undoes this after the test: no class attribute is left behind to
    # shadow SimpleRateThrottle's rates in later tests.
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {**ScopedRateThrottle.THROTTLE_RATES, scope: "2/min"},
    )
    client = as_user(resident)
    answers = [call(client, idea).status_code for _n in range(3)]
    assert answers[-1] == 429
    assert 429 not in answers[:2]
