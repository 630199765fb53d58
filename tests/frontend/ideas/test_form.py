"""Writing an idea: the same validation as the API (serializer + service), drafts, edits
only while the phase allows, images checked by content, withdrawal with confirmation."""

from __future__ import annotations

import pytest

from engagement.ideas.models import Idea, IdeaImage
from tests import factories
from tests.engagement.ideas.images import image_bytes, upload
from tests.frontend.ideas.conftest import body

pytestmark = pytest.mark.django_db

NEW = "/processes/waterfront/ideas/new/"


def fields(**changes: object) -> dict[str, object]:
    data = {
        "title": "Shade trees on the promenade",
        "description": "Plant lime trees.\n\nThey give shade in July.",
        "category": "green",
        "district": "",
        "latitude": "",
        "longitude": "",
        "estimated_cost": "",
        "alt_text": "",
        "action": "submit",
    }
    data.update(changes)
    return data


class TestSubmit:
    def test_anonymous_is_sent_to_sign_in(self, client, collection):
        response = client.get(NEW)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/processes/waterfront/ideas/new/"
        assert client.post(NEW, fields()).status_code == 302
        assert Idea.objects.count() == 0

    def test_the_form_has_every_field_labelled(self, client, collection, author, north):
        client.force_login(author)
        html = body(client.get(NEW))
        for label in ("Title", "Your idea", "Category", "District", "Latitude", "Longitude",
                      "Your cost estimate", "Add an image", "Describe the image"):  # fmt: skip
            assert f">{label}" in html
        assert 'enctype="multipart/form-data"' in html
        assert "North Shore" in html
        assert 'hx-get="/processes/waterfront/ideas/similar/"' in html

    def test_submit_stores_a_sanitised_public_idea(self, client, collection, author, north):
        client.force_login(author)
        response = client.post(
            NEW,
            fields(
                title="<b>Shade</b> trees",
                description=(
                    'Plant trees.<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>Now'
                ),
                district="north",
                latitude="56.9496",
                longitude="24.1052",
                estimated_cost="2500.50",
            ),
        )
        idea = Idea.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/ideas/{idea.pk}/"
        assert idea.title == "Shade trees"
        assert "script" not in idea.description
        assert "onerror" not in idea.description
        assert "<img" not in idea.description
        assert idea.description == "<p>Plant trees.</p><p>Now</p>"
        assert idea.status == "submitted"
        assert idea.submitted_at is not None
        assert idea.district == north
        assert idea.estimated_cost == 2_500_50
        assert str(idea.latitude) == "56.949600"
        page = body(client.get(response["Location"]))
        assert "Your idea is submitted" in page
        assert "alert" not in page

    def test_invalid_input_is_a_400_with_field_messages_and_nothing_stored(
        self, client, collection, author
    ):
        client.force_login(author)
        response = client.post(
            NEW,
            fields(title="", latitude="north-ish", longitude="24.1"),
        )
        html = body(response)
        assert response.status_code == 400
        assert "This field is required." in html
        assert "Enter a number of degrees, such as 56.9496." in html
        assert "data-error-summary" in html
        assert 'href="#id_latitude"' in html
        assert "Plant lime trees." in html  # what was typed is kept
        # Like the API, amounts are checked once the fields themselves are valid.
        response = client.post(NEW, fields(estimated_cost="12.345"))
        assert response.status_code == 400
        assert "EUR amounts have at most 2 decimals." in body(response)
        assert Idea.objects.count() == 0

    def test_half_a_location_is_refused_by_the_service(self, client, collection, author):
        client.force_login(author)
        response = client.post(NEW, fields(latitude="56.9", longitude=""))
        assert response.status_code == 400
        assert "Give both latitude and longitude, or neither." in body(response)
        assert Idea.objects.count() == 0

    def test_unknown_category_is_refused(self, client, collection, author):
        client.force_login(author)
        response = client.post(NEW, fields(category="rockets"))
        assert response.status_code == 400
        assert "Select a valid choice" in body(response)

    def test_a_description_of_only_markup_is_refused(self, client, collection, author):
        client.force_login(author)
        response = client.post(NEW, fields(description="<script>x</script>"))
        assert response.status_code == 400
        assert "Describe your idea." in body(response)
        assert Idea.objects.count() == 0

    def test_image_is_stored_with_its_alt_text(self, client, collection, author):
        client.force_login(author)
        client.post(NEW, {**fields(alt_text="Bare promenade in July"), "image": upload()})
        image = IdeaImage.objects.get()
        assert image.alt_text == "Bare promenade in July"
        assert image.width == 64

    def test_not_an_image_is_a_400_and_no_idea_is_left_behind(self, client, collection, author):
        client.force_login(author)
        fake = upload("photo.jpg", content=b"%PDF-1.4 not an image")
        response = client.post(NEW, {**fields(), "image": fake})
        assert response.status_code == 400
        assert "Upload a JPEG, PNG or WebP image." in body(response)
        assert Idea.objects.count() == 0
        assert IdeaImage.objects.count() == 0

    def test_too_large_image_is_refused(self, client, collection, author, settings):
        settings.KOPA_IDEA_IMAGE_MAX_BYTES = 1000
        client.force_login(author)
        big = upload("big.png", content=image_bytes("PNG", (200, 200), noise=True))
        response = client.post(NEW, {**fields(), "image": big})
        assert response.status_code == 400
        assert "Images may be at most" in body(response)
        assert Idea.objects.count() == 0

    def test_wrong_phase(self, client, collection, author):
        collection.phase = "reviewing"
        collection.save()
        client.force_login(author)
        response = client.get(NEW)
        assert response.status_code == 302
        assert response["Location"] == "/processes/waterfront/"
        response = client.post(NEW, fields())
        assert response.status_code == 400
        assert "Not possible in the reviewing phase." in body(response)
        assert Idea.objects.count() == 0


class TestDrafts:
    def test_draft_is_private_then_submitted(self, client, collection, author, resident):
        client.force_login(author)
        client.post(NEW, fields(action="draft"))
        idea = Idea.objects.get()
        assert idea.status == "draft"
        assert idea.submitted_at is None
        assert "Your draft is saved" in body(client.get(f"/ideas/{idea.pk}/"))

        client.force_login(resident)
        assert client.get(f"/ideas/{idea.pk}/").status_code == 404
        assert "Shade trees" not in body(client.get("/processes/waterfront/ideas/"))

        client.force_login(author)
        edit = body(client.get(f"/ideas/{idea.pk}/edit/"))
        assert 'value="Shade trees on the promenade"' in edit
        assert "Plant lime trees.\n\nThey give shade in July." in edit
        client.post(f"/ideas/{idea.pk}/edit/", fields(title="Lime trees", action="submit"))
        idea.refresh_from_db()
        assert idea.status == "submitted"
        assert idea.title == "Lime trees"
        client.force_login(resident)
        assert "Lime trees" in body(client.get("/processes/waterfront/ideas/"))


class TestEdit:
    def test_author_edits_while_collecting(self, client, idea):
        client.force_login(idea.author)
        response = client.post(
            f"/ideas/{idea.pk}/edit/", fields(title="Benches, and bins", action="save")
        )
        assert response.status_code == 302
        idea.refresh_from_db()
        assert idea.title == "Benches, and bins"
        assert idea.status == "submitted"

    def test_edit_is_refused_once_the_phase_is_over(self, client, idea):
        idea.process.phase = "reviewing"
        idea.process.save()
        client.force_login(idea.author)
        response = client.get(f"/ideas/{idea.pk}/edit/")
        assert response.status_code == 302
        assert response["Location"] == f"/ideas/{idea.pk}/"
        assert "This idea can no longer be changed." in body(client.get(response["Location"]))
        response = client.post(f"/ideas/{idea.pk}/edit/", fields(title="Sneaky change"))
        assert response.status_code == 400
        assert "Not possible in the reviewing phase." in body(response)
        idea.refresh_from_db()
        assert idea.title == "Benches by the sea"

    def test_once_under_review_it_cannot_change(self, client, idea):
        idea.status = "under_review"
        idea.save()
        client.force_login(idea.author)
        response = client.post(f"/ideas/{idea.pk}/edit/", fields(title="Sneaky change"))
        assert response.status_code == 400
        assert "can no longer be changed once it is Under review" in body(response)

    def test_someone_else_cannot_edit(self, client, idea, resident):
        client.force_login(resident)
        assert client.get(f"/ideas/{idea.pk}/edit/").status_code == 403
        assert client.post(f"/ideas/{idea.pk}/edit/", fields()).status_code == 403
        idea.refresh_from_db()
        assert idea.title == "Benches by the sea"

    def test_remove_an_image(self, client, idea):
        from engagement.ideas.services import ideas

        image = ideas.idea_image_add(actor=idea.author, idea=idea, upload=upload(), alt_text="x")
        client.force_login(idea.author)
        assert "Remove" in body(client.get(f"/ideas/{idea.pk}/edit/"))
        client.post(f"/ideas/{idea.pk}/images/{image.pk}/remove/")
        assert IdeaImage.objects.count() == 0


class TestWithdraw:
    def test_withdraw_after_confirmation(self, client, idea):
        client.force_login(idea.author)
        confirm = body(client.get(f"/ideas/{idea.pk}/withdraw/"))
        assert "Withdraw your idea?" in confirm
        assert "Yes, withdraw it" in confirm
        idea.refresh_from_db()
        assert idea.status == "submitted"  # a GET changes nothing
        response = client.post(f"/ideas/{idea.pk}/withdraw/")
        assert response.status_code == 302
        idea.refresh_from_db()
        assert idea.status == "withdrawn"
        assert "Withdrawn by the author" in body(client.get(f"/ideas/{idea.pk}/"))

    def test_a_decided_idea_cannot_be_withdrawn(self, client, idea):
        idea.status = "accepted"
        idea.save()
        client.force_login(idea.author)
        response = client.post(f"/ideas/{idea.pk}/withdraw/")
        assert response.status_code == 400
        assert "cannot be withdrawn" in body(response)


def test_similar_ideas_hint(client, collection, idea):
    html = body(client.get("/processes/waterfront/ideas/similar/", {"title": "benches at the sea"}))
    assert "Similar ideas already exist" in html
    assert "Benches by the sea" in html
    assert body(client.get("/processes/waterfront/ideas/similar/", {"title": "zz"})).strip() == ""
    hidden = factories.IdeaFactory(process=collection, title="Hidden benches", hidden=True)
    assert hidden.title not in body(
        client.get("/processes/waterfront/ideas/similar/", {"title": "hidden benches"})
    )
