"""Downloading one's data and deleting one's account, from the account pages."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from budgeting.models import DistrictBudget, Participation
from budgeting.services import voting
from engagement.ideas.models import Idea, ParticipatoryProcess
from engagement.notifications.models import Notification
from engagement.people.models import Membership, ResidentProfile, Role, User
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

DATA = "/account/data/"
DOWNLOAD = "/account/data/download/"
DELETE = "/account/delete/"


@pytest.fixture
def voter(riga):
    return factories.eligible_voter(riga, email="voter@example.org", display_name="Vera")


def cast(person, budget_round, projects):
    city = DistrictBudget.objects.get(round=budget_round, key="city")
    return voting.ballot_cast(
        voter=person, budget_round=budget_round, district_budget=city, projects=projects
    )


def test_the_data_page_explains_and_offers_the_download(client, voter):
    client.force_login(voter)
    html = client.get(DATA).content.decode()
    assert "<h1>Your data</h1>" in html
    assert "secret ballots" in html
    assert f'href="{DOWNLOAD}"' in html


def test_the_download_is_my_data_and_never_my_secret_ballot(client, riga, voter):
    secret = factories.voting_round(organisation=riga, slug="secret-2026", secret_ballot=True)
    open_round = factories.voting_round(organisation=riga, slug="open-2026", secret_ballot=False)
    cast(voter, secret, ["p2", "p3"])
    cast(voter, open_round, ["p1", "p4"])
    factories.NotificationFactory(recipient=voter, context={"title": "Trees"})
    factories.NotificationFactory(recipient=factories.UserFactory(), context={"title": "Not mine"})
    client.force_login(voter)

    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="kopa-my-data.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "voter@example.org"
    assert data["account"]["display_name"] == "Vera"
    assert data["profile"]["birth_year"] == 1990
    assert [n["context"]["title"] for n in data["notifications"]] == ["Trees"]
    by_round = {p["round"]: p for p in data["participations"]}
    assert by_round["secret-2026"]["ballot"] is None
    assert by_round["open-2026"]["ballot"] == {"projects": ["p1", "p4"], "points": None}
    secret_part = json.dumps(by_round["secret-2026"])
    assert "p2" not in secret_part
    assert "p3" not in secret_part
    assert "Not mine" not in response.content.decode()


def test_the_download_matches_the_api_export(client, voter):
    client.force_login(voter)
    page = json.loads(client.get(DOWNLOAD).content)
    api = json.loads(client.get("/api/v1/me/data/").content)
    page.pop("exported_at")
    api.pop("exported_at")
    assert page == api


def test_downloads_share_the_api_rate_limit(client, voter):
    client.force_login(voter)
    statuses = [client.get("/api/v1/me/data/").status_code for _ in range(5)]
    statuses += [client.get(DOWNLOAD).status_code for _ in range(6)]
    assert statuses[:10] == [200] * 10
    limited = client.get(DOWNLOAD)
    assert statuses[10] == 429
    assert limited.status_code == 429
    assert "You asked for this too often." in limited.content.decode()
    assert int(limited["Retry-After"]) >= 1


# --- deletion --------------------------------------------------------------------------------


def test_the_delete_page_explains_the_consequences(client, voter):
    client.force_login(voter)
    html = client.get(DELETE).content.decode()
    assert "Ballots you cast stay counted" in html
    assert "deleted user" in html
    assert 'type="password"' in html


def test_a_wrong_password_is_400_and_deletes_nothing(client, voter):
    client.force_login(voter)
    response = client.post(DELETE, {"password": "not mine", "understood": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The password is not correct." in html
    assert 'id="id_password-error"' in html
    assert User.objects.filter(pk=voter.pk).exists()
    assert int(client.session["_auth_user_id"]) == voter.pk


def test_the_confirmation_box_is_required(client, voter):
    client.force_login(voter)
    response = client.post(DELETE, {"password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Tick this box to confirm that you want to delete it." in response.content.decode()
    assert User.objects.filter(pk=voter.pk).exists()


def test_deleting_keeps_ballots_and_content_anonymous_and_signs_out(client, riga, voter):
    budget_round = factories.voting_round(organisation=riga, slug="r-2026", secret_ballot=True)
    cast(voter, budget_round, ["p1"])
    process = ParticipatoryProcess.objects.create(
        organisation=riga, slug="waterfront", title="Waterfront", kind="ideas"
    )
    idea = Idea.objects.create(
        process=process,
        author=voter,
        title="Swings",
        description="<p>Swings</p>",
        status="submitted",
        submitted_at=timezone.now(),
    )
    factories.NotificationFactory(recipient=voter)
    client.force_login(voter)

    response = client.post(DELETE, {"password": TEST_PASSWORD, "understood": "on"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account is deleted." in html
    assert "Sign in" in html  # signed out: the header offers signing in again

    assert not User.objects.filter(pk=voter.pk).exists()
    assert not ResidentProfile.objects.filter(user_id=voter.pk).exists()
    assert not Notification.objects.filter(recipient_id=voter.pk).exists()
    idea.refresh_from_db()
    assert (idea.author_id, idea.title) == (None, "Swings")
    participation = Participation.objects.get(round=budget_round)
    assert participation.voter_id is None
    assert participation.voter_key == f"user:{voter.pk}"
    assert client.get("/account/").status_code == 302


def test_the_last_administrator_is_refused_with_the_reason(client, riga, riga_admin):
    client.force_login(riga_admin)
    page = client.get(DELETE).content.decode()
    assert "make someone else an administrator first" in page

    response = client.post(DELETE, {"password": TEST_PASSWORD, "understood": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "You are the last administrator of Rīga." in html
    assert "data-error-summary" in html
    assert User.objects.filter(pk=riga_admin.pk).exists()
    assert Membership.objects.filter(user=riga_admin, role=Role.ADMINISTRATOR).exists()


def test_an_administrator_can_leave_when_another_remains(client, riga, riga_admin):
    factories.staff(riga, Role.ADMINISTRATOR, email="second@riga.example")
    client.force_login(riga_admin)
    response = client.post(DELETE, {"password": TEST_PASSWORD, "understood": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=riga_admin.pk).exists()


def test_deletion_attempts_share_the_api_rate_limit(client, voter):
    client.force_login(voter)
    statuses = [
        client.post(DELETE, {"password": "guess", "understood": "on"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert User.objects.filter(pk=voter.pk).exists()


def test_delete_page_in_polish(client, voter):
    client.force_login(voter)
    html = client.get(DELETE, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="pl"' in html
    assert "Zmień hasło" in html  # the account menu, in allauth's Polish
