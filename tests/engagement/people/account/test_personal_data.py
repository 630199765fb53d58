"""Downloading one's data and deleting one's account."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgeting.models import (
    DistrictBudget,
    PaperBallotEntry,
    PaperBallotSheet,
    Participation,
)
from budgeting.services import results, voting
from engagement.ideas.models import Comment, Idea, ParticipatoryProcess, Report, Support
from engagement.notifications.models import Notification
from engagement.people.models import Membership, Residence, ResidentProfile, Role, User
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
DATA = "/api/v1/me/data/"


@pytest.fixture
def voter(riga):
    return factories.eligible_voter(riga, email="voter@example.org", display_name="Vera")


@pytest.fixture
def secret_round(riga):
    return factories.voting_round(organisation=riga, slug="secret-2026", secret_ballot=True)


@pytest.fixture
def open_round(riga):
    return factories.voting_round(organisation=riga, slug="open-2026", secret_ballot=False)


def cast(person, budget_round, projects):
    city = DistrictBudget.objects.get(round=budget_round, key="city")
    return voting.ballot_cast(
        voter=person, budget_round=budget_round, district_budget=city, projects=projects
    )


def delete_me(client, password=TEST_PASSWORD):
    return client.delete(ME, {"password": password}, content_type="application/json")


# --- refusals first -----------------------------------------------------------------------------


def test_anonymous_has_no_data_and_no_account_to_delete(client):
    assert client.get(DATA).status_code == 403
    assert delete_me(client).status_code == 403


def test_a_wrong_password_deletes_nothing(client, voter):
    client.force_login(voter)
    response = delete_me(client, "not my password")
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"password": ["wrong_password"]}
    assert User.objects.filter(pk=voter.pk).exists()
    response = client.delete(ME, {}, content_type="application/json")
    assert response.status_code == 400
    assert User.objects.filter(pk=voter.pk).exists()


def test_the_last_administrator_cannot_leave(client, riga, riga_admin):
    client.force_login(riga_admin)
    response = delete_me(client)
    assert response.status_code == 400
    body = response.json()
    assert body["error_codes"] == {"account": ["last_administrator"]}
    assert "Rīga" in body["account"][0]
    assert Membership.objects.filter(user=riga_admin, role=Role.ADMINISTRATOR).exists()


def test_an_inactive_second_administrator_does_not_count(client, riga, riga_admin):
    factories.staff(riga, Role.ADMINISTRATOR, is_active=False)
    client.force_login(riga_admin)
    assert delete_me(client).json()["error_codes"] == {"account": ["last_administrator"]}


def test_an_administrator_can_leave_when_another_remains(client, riga, riga_admin):
    factories.staff(riga, Role.ADMINISTRATOR)
    client.force_login(riga_admin)
    assert delete_me(client).status_code == 204
    assert not User.objects.filter(pk=riga_admin.pk).exists()


def test_officers_who_entered_paper_ballots_are_refused(client, riga, secret_round):
    officer = factories.staff(riga, Role.OFFICER)
    sheet = PaperBallotSheet.objects.create(
        district_budget=DistrictBudget.objects.get(round=secret_round, key="city"),
        serial="A-1",
        voter_key="paper:x",
    )
    PaperBallotEntry.objects.create(sheet=sheet, entered_by=officer, voter_key="paper:x")
    client.force_login(officer)
    assert delete_me(client).json()["error_codes"] == {"account": ["paper_ballot_records"]}
    assert User.objects.filter(pk=officer.pk).exists()


# --- export -------------------------------------------------------------------------------------


def test_export_holds_my_data_but_never_my_secret_ballot(
    client, riga, voter, secret_round, open_round
):
    cast(voter, secret_round, ["p2", "p3"])
    cast(voter, open_round, ["p1", "p4"])
    factories.NotificationFactory(recipient=voter, context={"title": "Trees"})
    factories.NotificationFactory(recipient=factories.UserFactory(), context={"title": "Not mine"})
    factories.ProjectFollowFactory(user=voter, project=open_round.projects.get(external_id="p1"))
    client.force_login(voter)
    response = client.get(DATA)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kopa-my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "voter@example.org"
    assert data["account"]["display_name"] == "Vera"
    assert data["email_addresses"] == [
        {"email": "voter@example.org", "verified": True, "primary": True}
    ]
    assert data["profile"]["birth_year"] == 1990
    assert data["residences"] == [
        {
            "organisation": "riga",
            "district": None,
            "updated_at": data["residences"][0]["updated_at"],
        }
    ]
    by_round = {p["round"]: p for p in data["participations"]}
    assert by_round["secret-2026"]["secret_ballot"] is True
    assert by_round["secret-2026"]["ballot"] is None
    assert by_round["open-2026"]["ballot"] == {"projects": ["p1", "p4"], "points": None}
    assert [n["context"]["title"] for n in data["notifications"]] == ["Trees"]
    assert data["followed_projects"][0]["project"] == "p1"
    assert data["notification_preferences"]["email_digest"] == "immediate"
    assert data["memberships"] == []
    # the secret ballot's projects appear nowhere near the secret round
    secret_part = json.dumps(by_round["secret-2026"])
    assert "p2" not in secret_part
    assert "p3" not in secret_part


def test_export_includes_ideas_comments_supports_and_reports(client, riga, voter):
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
    Comment.objects.create(idea=idea, author=voter, body="<p>I agree</p>")
    Support.objects.create(idea=idea, user=voter)
    Report.objects.create(organisation=riga, reporter=voter, idea=idea, reason="spam")
    client.force_login(voter)
    data = json.loads(client.get(DATA).content)
    assert [i["title"] for i in data["ideas"]] == ["Swings"]
    assert [c["body"] for c in data["comments"]] == ["<p>I agree</p>"]
    assert [s["idea"] for s in data["supports"]] == [idea.pk]
    assert [r["reason"] for r in data["reports"]] == ["spam"]


# --- deletion -----------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [True, False])
def test_deletion_keeps_ballots_counted_and_the_tally_unchanged(client, riga, voter, secret):
    budget_round = factories.voting_round(organisation=riga, slug="r-2026", secret_ballot=secret)
    others = [factories.eligible_voter(riga) for _ in range(3)]
    cast(voter, budget_round, ["p1", "p3"])
    for person in others:
        cast(person, budget_round, ["p2"])
    before = {r.district_budget_id: r for r in results.tally_compute(budget_round)}
    participation = Participation.objects.get(voter=voter)
    ballots = len(factories.ballots_in_box(budget_round))

    client.force_login(voter)
    assert delete_me(client).status_code == 204

    participation.refresh_from_db()
    assert participation.voter_id is None
    assert participation.voter_key == f"user:{voter.pk}"  # one person, one vote still holds
    assert len(factories.ballots_in_box(budget_round)) == ballots == 4
    after = {r.district_budget_id: r for r in results.tally_compute(budget_round)}
    for key, result in before.items():
        assert after[key].pk == result.pk  # same input digest: the stored run is reused
        assert (after[key].selected, after[key].support) == (result.selected, result.support)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(
            round=budget_round,
            district_budget=participation.district_budget,
            voter_key=participation.voter_key,
            channel="online",
        )


def test_deletion_anonymises_content_and_removes_the_rest(client, riga, voter):
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
    comment = Comment.objects.create(idea=idea, author=voter, body="<p>Mine</p>")
    factories.MembershipFactory(user=voter, organisation=riga, role=Role.MODERATOR)
    factories.NotificationFactory(recipient=voter)
    told = factories.NotificationFactory(recipient=factories.UserFactory(), actor=voter)
    client.force_login(voter)
    assert delete_me(client).status_code == 204

    assert not User.objects.filter(pk=voter.pk).exists()
    idea.refresh_from_db()
    comment.refresh_from_db()
    assert (idea.author_id, idea.title) == (None, "Swings")
    assert (comment.author_id, comment.body) == (None, "<p>Mine</p>")
    assert not Membership.objects.filter(user_id=voter.pk).exists()
    assert not Residence.objects.filter(user_id=voter.pk).exists()
    assert not ResidentProfile.objects.filter(user_id=voter.pk).exists()
    assert not Notification.objects.filter(recipient_id=voter.pk).exists()
    told.refresh_from_db()
    assert told.actor_id is None
    # signed out
    assert client.get(ME).status_code == 403


def test_deletion_attempts_are_rate_limited(client, voter, settings):
    client.force_login(voter)
    statuses = [delete_me(client, "guess").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert User.objects.filter(pk=voter.pk).exists()
