"""Implementation tracking: who may report, on what, when — and what citizens see."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from budgeting.models import (
    ImplementationUpdate,
    Project,
    ProjectFollow,
    ProjectImplementation,
)
from budgeting.services import implementation
from engagement.notifications.models import Notification
from engagement.people.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(riga):
    return factories.results_round(organisation=riga, slug="riga-2026")


@pytest.fixture
def p1(finished):
    return Project.objects.get(round=finished, external_id="p1")


def url(project_id: str = "p1", tail: str = "implementation/") -> str:
    return f"/api/v1/rounds/riga-2026/projects/{project_id}/{tail}"


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


# --- refusals first -----------------------------------------------------------------------------


def test_residents_cannot_report(client, finished, resident):
    client.force_login(resident)
    response = client.patch(url(), {"progress": 50}, content_type="application/json")
    assert response.status_code == 403
    response = client.post(url(tail="implementation/updates/"), {"text": "Done"})
    assert response.status_code == 403
    assert not ProjectImplementation.objects.exists()
    assert not ImplementationUpdate.objects.exists()


def test_anonymous_cannot_report(client, finished):
    assert client.patch(url(), {"progress": 5}, content_type="application/json").status_code == 403


def test_administrators_of_another_organisation_cannot_report(client, finished, gdansk_admin):
    client.force_login(gdansk_admin)
    response = client.post(
        url(tail="implementation/updates/"), {"text": "Hijack"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not ImplementationUpdate.objects.exists()


def test_other_staff_roles_of_the_organisation_cannot_report(finished, p1, riga):
    for role in (Role.MODERATOR, Role.REVIEWER, Role.OFFICER):
        staff = factories.staff(riga, role)
        with pytest.raises(PermissionDenied):
            implementation.implementation_set(actor=staff, project=p1, progress=10)
    assert not ProjectImplementation.objects.exists()


@pytest.mark.parametrize("phase", ["draft", "voting", "tallying", "closed"])
def test_only_in_results_implementation_and_evaluation(client, finished, riga_admin, phase):
    finished.phase = phase
    finished.save()
    client.force_login(riga_admin)
    response = client.patch(url(), {"progress": 50}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"phase": ["wrong_phase"]}
    assert not ProjectImplementation.objects.exists()


@pytest.mark.parametrize("status", ["on_ballot", "not_selected", "rejected", "feasible"])
def test_projects_not_selected_are_refused(client, finished, riga_admin, status):
    Project.objects.filter(round=finished, external_id="p3").update(status=status)
    client.force_login(riga_admin)
    response = client.post(
        url("p3", "implementation/updates/"), {"text": "Started"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"project": ["not_selected"]}
    assert client.get(url("p3")).status_code == 404


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_progress_out_of_bounds_is_refused(client, finished, riga_admin, p1, progress):
    client.force_login(riga_admin)
    response = client.patch(url(), {"progress": progress}, content_type="application/json")
    assert response.status_code == 400
    assert "progress" in response.json()["error_codes"]
    with pytest.raises(ValidationError) as refused:
        implementation.implementation_set(actor=riga_admin, project=p1, progress=progress)
    assert refused.value.error_dict["progress"][0].code == "progress_out_of_range"
    assert not ProjectImplementation.objects.exists()


def test_the_database_refuses_progress_over_100(finished, p1):
    row = ProjectImplementation.objects.create(project=p1, progress=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectImplementation.objects.filter(pk=row.pk).update(progress=101)


def test_a_completed_project_cannot_be_half_done(finished, p1, riga_admin):
    with pytest.raises(ValidationError) as refused:
        implementation.implementation_set(
            actor=riga_admin, project=p1, status="completed", progress=50
        )
    assert refused.value.error_dict["progress"][0].code == "completed_not_100"


XSS = (
    '<script>alert("x")</script><p onclick="steal()">Work <b>started</b> '
    '<a href="javascript:alert(1)">here</a> <a href="https://city.example/plan">plan</a>'
    '<img src=x onerror=alert(1)><iframe src="https://evil.example"></iframe></p>'
)


def test_update_text_is_sanitised(client, finished, riga_admin, p1):
    client.force_login(riga_admin)
    response = client.post(
        url(tail="implementation/updates/"), {"text": XSS}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    stored = ImplementationUpdate.objects.get().text
    for bad in ("<script", "onclick", "javascript:", "<img", "onerror", "<iframe", "alert("):
        assert bad not in stored
    assert "Work" in stored
    assert 'href="https://city.example/plan"' in stored
    assert response.json()["text"] == stored
    public = client.get(url()).json()
    assert public["updates"][0]["text"] == stored


def test_an_update_with_no_words_is_refused(client, finished, riga_admin):
    client.force_login(riga_admin)
    response = client.post(
        url(tail="implementation/updates/"),
        {"text": "<script>alert(1)</script>"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"text": ["required"]}


def test_a_fake_image_is_refused(client, finished, riga_admin):
    client.force_login(riga_admin)
    fake = SimpleUploadedFile("photo.png", b"<?php system($_GET['c']); ?>", "image/png")
    response = client.post(url(tail="implementation/updates/"), {"text": "Photo", "images": [fake]})
    assert response.status_code == 400
    assert not ImplementationUpdate.objects.exists()


def test_an_update_with_a_photo(client, finished, riga_admin):
    client.force_login(riga_admin)
    photo = SimpleUploadedFile("site.png", png_bytes(), "image/png")
    response = client.post(
        url(tail="implementation/updates/"),
        {
            "text": "<p>Foundations poured.</p>",
            "happened_on": "2026-05-04",
            "status": "in_progress",
            "progress": "40",
            "images": [photo],
            "image_descriptions": ["Workers <b>pouring</b> concrete"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["progress"] == 40
    assert body["happened_on"] == "2026-05-04"
    [image] = body["images"]
    assert image["width"] == 40
    assert image["height"] == 30
    assert image["description"] == "Workers pouring concrete"
    assert image["url"].endswith(".png")


def test_a_future_date_is_refused(client, finished, riga_admin):
    client.force_login(riga_admin)
    response = client.post(
        url(tail="implementation/updates/"),
        {"text": "Soon", "happened_on": "2999-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"happened_on": ["future_date"]}


def test_following_needs_an_account(client, finished):
    assert client.post(url(tail="follow/")).status_code == 403
    assert not ProjectFollow.objects.exists()


# --- what works ---------------------------------------------------------------------------------


def test_citizens_see_status_progress_and_updates(client, finished, riga_admin, p1):
    implementation.implementation_update_post(
        actor=riga_admin, project=p1, text="<p>Trees ordered.</p>", progress=10
    )
    implementation.implementation_update_post(
        actor=riga_admin,
        project=p1,
        text="<p>Trees planted.</p>",
        status="in_progress",
        progress=60,
    )
    body = client.get(url()).json()
    assert body["project"] == {"id": "p1", "title": p1.title, "status": "selected"}
    assert body["status"] == "in_progress"
    assert body["progress"] == 60
    assert [u["text"] for u in body["updates"]] == [
        "<p>Trees planted.</p>",
        "<p>Trees ordered.</p>",
    ]
    assert body["following"] is None
    assert body["followers"] == 0


def test_a_selected_project_without_reports_is_planned(client, finished):
    body = client.get(url()).json()
    assert (body["status"], body["progress"], body["updates"]) == ("planned", 0, [])


def test_completing_marks_the_project_implemented(client, finished, riga_admin, p1):
    client.force_login(riga_admin)
    response = client.patch(url(), {"status": "completed"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["progress"] == 100
    p1.refresh_from_db()
    assert p1.status == "implemented"
    response = client.patch(url(), {"status": "delayed"}, content_type="application/json")
    p1.refresh_from_db()
    assert p1.status == "selected"
    assert response.json()["status"] == "delayed"


def test_followers_are_notified_after_commit_but_not_the_author(
    client, finished, riga_admin, p1, django_capture_on_commit_callbacks
):
    followers = [factories.UserFactory() for _ in range(2)]
    for person in [*followers, riga_admin]:
        ProjectFollow.objects.create(project=p1, user=person)
    bystander = factories.UserFactory()
    client.force_login(riga_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            url(tail="implementation/updates/"),
            {"text": "<p>Benches installed.</p>", "progress": 80},
            content_type="application/json",
        )
        assert response.status_code == 201
    assert mail.outbox == []  # nothing during the request
    assert set(
        Notification.objects.filter(event="project.implementation_updated").values_list(
            "recipient_id", flat=True
        )
    ) == {f.pk for f in followers}
    assert not Notification.objects.filter(recipient__in=[riga_admin, bystander]).exists()
    notification = Notification.objects.filter(recipient=followers[0]).get()
    assert notification.context["progress"] == 80
    assert notification.context["summary"] == "Benches installed."
    assert notification.context["url"] == p1.get_absolute_url()  # the public project page
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f.email for f in followers)
    assert "Benches installed." in mail.outbox[0].body


def test_follow_and_unfollow_are_idempotent(client, finished, resident, p1):
    client.force_login(resident)
    assert client.post(url(tail="follow/")).json() == {"following": True, "followers": 1}
    assert client.post(url(tail="follow/")).json() == {"following": True, "followers": 1}
    assert client.get(url()).json()["following"] is True
    assert client.delete(url(tail="follow/")).status_code == 204
    assert client.delete(url(tail="follow/")).status_code == 204
    assert not ProjectFollow.objects.exists()


def test_a_draft_round_stays_hidden(client, riga, resident):
    factories.results_round(organisation=riga, slug="riga-2026", phase="draft")
    client.force_login(resident)
    assert client.get(url()).status_code == 404
    assert client.post(url(tail="follow/")).status_code == 404


def test_reading_costs_a_fixed_number_of_queries(
    client, finished, riga_admin, p1, django_assert_max_num_queries
):
    for n in range(5):
        implementation.implementation_update_post(
            actor=riga_admin, project=p1, text=f"<p>Step {n}</p>", progress=10 * n
        )
    with django_assert_max_num_queries(8):
        assert client.get(url()).status_code == 200
