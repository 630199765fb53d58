"""Outcomes: refusals first (role, alt text, the image check, not ended), then minutes,
photos and publishing the outcome page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from engagement.people.models import Role
from tests import factories
from tests.workshops.factories import WorkshopFactory
from workshops.models import WorkshopPhoto
from workshops.services import outcomes

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "PNG")
    return SimpleUploadedFile("board.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def past():
    now = timezone.now()
    return WorkshopFactory(
        starts_at=now - timedelta(days=1, hours=3), ends_at=now - timedelta(days=1)
    )


@pytest.fixture
def admin(past):
    return factories.staff(past.organisation, Role.ADMINISTRATOR)


def test_only_administrators(past):
    moderator = factories.staff(past.organisation, Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        outcomes.set_minutes(actor=moderator, workshop=past, minutes="x")
    with pytest.raises(PermissionDenied):
        outcomes.publish_outcome(actor=moderator, workshop=past)


def test_a_photo_needs_a_description_and_an_image(past, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as caught:
        outcomes.add_photo(actor=admin, workshop=past, upload=png(), alt_text="  ")
    assert codes(caught.value) == {"alt_text": ["required"]}
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        outcomes.add_photo(actor=admin, workshop=past, upload=fake, alt_text="Board")
    assert codes(caught.value) == {"image": ["image_invalid"]}
    assert not WorkshopPhoto.objects.exists()


def test_outcome_waits_for_the_end(admin, past):
    upcoming = WorkshopFactory(organisation=past.organisation)
    with pytest.raises(ValidationError) as caught:
        outcomes.publish_outcome(actor=admin, workshop=upcoming)
    assert codes(caught.value) == {"status": ["not_ended"]}


def test_minutes_photos_and_outcome(past, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    workshop = outcomes.set_minutes(
        actor=admin,
        workshop=past,
        minutes="<p>We chose <strong>shade</strong><script>x()</script></p>",
    )
    assert workshop.minutes == "<p>We chose <strong>shade</strong></p>"
    first = outcomes.add_photo(actor=admin, workshop=past, upload=png(), alt_text="The board")
    second = outcomes.add_photo(actor=admin, workshop=past, upload=png(), alt_text="Groups")
    assert (first.position, second.position) == (0, 1)
    assert (first.width, first.height) == (40, 30)
    outcomes.remove_photo(actor=admin, photo=first)
    assert list(WorkshopPhoto.objects.values_list("alt_text", flat=True)) == ["Groups"]
    published = outcomes.publish_outcome(actor=admin, workshop=past)
    assert published.outcome_published_at is not None
