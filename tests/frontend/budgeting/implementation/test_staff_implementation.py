"""Implementation pages: selected projects, status and progress, dated updates with photos."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from budgeting.models import (
    ImplementationImage,
    ImplementationUpdate,
    Project,
    ProjectImplementation,
)
from engagement.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget_round(riga):
    return factories.results_round(organisation=riga)


@pytest.fixture
def project(budget_round):
    return Project.objects.get(round=budget_round, external_id="p1")


def list_url(budget_round) -> str:
    return reverse("frontend:staff_implementation", args=[budget_round.slug])


def project_url(project) -> str:
    return reverse("frontend:staff_project_implementation", args=[project.pk])


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_anonymous_visitors_are_sent_to_sign_in(client, project):
    for url in (list_url(project.round), project_url(project)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    "persona", ["resident", "riga_moderator", "riga_reviewer", "riga_officer", "gdansk_admin"]
)
def test_only_administrators_of_the_organisation_report(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(list_url(project.round)).status_code == 403
    assert client.get(project_url(project)).status_code == 403
    response = client.post(project_url(project), {"status": "in_progress", "progress": "10"})
    assert response.status_code == 403
    assert not ProjectImplementation.objects.exists()


def test_projects_not_selected_have_no_implementation_page(client, riga_admin, budget_round):
    client.force_login(riga_admin)
    other = Project.objects.get(round=budget_round, external_id="p3")
    assert client.get(project_url(other)).status_code == 404


def test_the_list_shows_selected_projects_with_their_progress(
    client, riga_admin, budget_round, project
):
    ProjectImplementation.objects.create(project=project, status="in_progress", progress=40)
    client.force_login(riga_admin)
    html = client.get(list_url(budget_round)).content.decode()
    assert project_url(project) in html
    assert "Project" in html
    assert '<progress max="100" value="40"' in html
    assert "In progress" in html
    assert "p3" not in html.split("<tbody>")[1]


def test_the_list_costs_a_fixed_number_of_queries(
    client, riga_admin, riga, django_assert_max_num_queries
):
    budget_round = factories.results_round(
        organisation=riga, costs=(1_000_00,) * 20, selected=tuple(f"p{n}" for n in range(1, 21))
    )
    for project in budget_round.projects.all():
        ProjectImplementation.objects.create(project=project, progress=10)
    client.force_login(riga_admin)
    with django_assert_max_num_queries(8):
        response = client.get(list_url(budget_round))
    assert response.content.decode().count('<progress max="100" value="10"') == 20


def test_status_and_progress_are_saved_and_followers_told(client, riga_admin, project):
    follower = factories.ProjectFollowFactory(project=project).user
    client.force_login(riga_admin)
    response = client.post(
        project_url(project),
        {"action": "status", "status": "in_progress", "progress": "35"},
        follow=True,
    )
    assert "Status and progress saved" in response.content.decode()
    implementation = ProjectImplementation.objects.get(project=project)
    assert (implementation.status, implementation.progress) == ("in_progress", 35)
    assert Notification.objects.filter(
        recipient=follower, event="project.implementation_updated"
    ).exists()


@pytest.mark.parametrize("progress", ["101", "-3"])
def test_progress_out_of_range_is_refused_with_the_message(client, riga_admin, project, progress):
    client.force_login(riga_admin)
    response = client.post(
        project_url(project), {"action": "status", "status": "in_progress", "progress": progress}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Progress is a percentage from 0 to 100." in html
    assert 'id="id_progress-error"' in html
    assert not ProjectImplementation.objects.exists()


def test_completing_below_100_is_refused(client, riga_admin, project):
    client.force_login(riga_admin)
    response = client.post(
        project_url(project), {"action": "status", "status": "completed", "progress": "80"}
    )
    assert response.status_code == 400
    assert "A completed project is 100% done." in response.content.decode()


def test_a_dated_update_with_a_photo_is_published(client, riga_admin, project):
    follower = factories.ProjectFollowFactory(project=project).user
    client.force_login(riga_admin)
    response = client.post(
        project_url(project),
        {
            "action": "update",
            "happened_on": "2026-11-20",
            "text": "<p>Benches <strong>delivered</strong>.</p><script>alert(1)</script>",
            "status": "in_progress",
            "progress": "60",
            "image_1": png(),
            "alt_1": "Six new benches under the lime trees",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Update published; followers are told." in html
    update = ImplementationUpdate.objects.get(project=project)
    assert str(update.happened_on) == "2026-11-20"
    assert "<script>" not in update.text
    assert "<strong>delivered</strong>" in update.text
    assert (update.status, update.progress) == ("in_progress", 60)
    image = ImplementationImage.objects.get(update=update)
    assert image.description == "Six new benches under the lime trees"
    # The history shows it, with the photo's alternative text.
    assert "<strong>delivered</strong>" in html
    assert 'alt="Six new benches under the lime trees"' in html
    assert "alert(1)" not in html
    assert Notification.objects.filter(
        recipient=follower, event="project.implementation_updated"
    ).exists()


def test_a_photo_needs_a_description(client, riga_admin, project):
    client.force_login(riga_admin)
    response = client.post(
        project_url(project), {"action": "update", "text": "Works began.", "image_1": png()}
    )
    assert response.status_code == 400
    assert "Describe the photo." in response.content.decode()
    assert not ImplementationUpdate.objects.exists()


def test_an_update_in_the_future_or_empty_is_refused(client, riga_admin, project):
    client.force_login(riga_admin)
    response = client.post(
        project_url(project), {"action": "update", "text": "Soon.", "happened_on": "2999-01-01"}
    )
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()
    response = client.post(project_url(project), {"action": "update", "text": "<p> </p>"})
    assert response.status_code == 400
    assert "Write what happened." in response.content.decode()
    assert not ImplementationUpdate.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(client, riga_admin, project):
    client.force_login(riga_admin)
    response = client.post(
        project_url(project),
        {
            "action": "update",
            "text": "Works began.",
            "image_1": SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
            "alt_1": "A photo",
        },
    )
    assert response.status_code == 400
    assert 'id="update_image_1-error"' in response.content.decode()
    assert not ImplementationUpdate.objects.exists()


def test_reporting_is_closed_before_the_results(client, riga, riga_admin):
    budget_round = factories.results_round(organisation=riga, phase="tallying")
    project = Project.objects.get(round=budget_round, external_id="p1")
    client.force_login(riga_admin)
    html = client.get(project_url(project)).content.decode()
    assert "Implementation is reported from the results phase on" in html
    response = client.post(
        project_url(project), {"action": "status", "status": "in_progress", "progress": "5"}
    )
    assert response.status_code == 400
    assert not ProjectImplementation.objects.exists()


def test_implementation_page_speaks_polish(client, riga_admin, project):
    client.force_login(riga_admin)
    response = client.post(
        project_url(project), {"action": "status", "progress": "x"}, HTTP_ACCEPT_LANGUAGE="pl"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="pl"' in html
    assert "To pole jest wymagane." in html
    assert "Wpisz liczbę całkowitą." in html


def test_the_two_forms_do_not_share_field_ids(client, riga_admin, project):
    import re
    from collections import Counter

    client.force_login(riga_admin)
    html = client.get(project_url(project)).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
