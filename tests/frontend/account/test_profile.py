"""The profile page: display name, language, resident profile, district of residence."""

from __future__ import annotations

import pytest
from django.utils import timezone

from engagement.people.models import Residence, ResidentProfile, User
from tests import factories

pytestmark = pytest.mark.django_db

PROFILE = "/account/"


@pytest.mark.parametrize(
    "url",
    [
        "/account/",
        "/account/notifications/",
        "/account/notifications/settings/",
        "/account/data/",
        "/account/data/download/",
        "/account/delete/",
        "/accounts/email/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_profile_shows_addresses_with_their_verification(client, resident):
    factories.verified_email(resident)
    client.force_login(resident)
    response = client.get(PROFILE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Your profile</h1>" in html
    assert "resident@example.org" in html
    assert "Verified" in html
    assert 'href="/accounts/email/"' in html
    assert 'aria-current="page">Profile<' in html


def test_profile_update_persists_and_sets_the_language(client, resident, riga):
    centre = factories.DistrictFactory(organisation=riga, name="Centrs", slug="centrs")
    factories.DistrictFactory(organisation=riga, name="Āgenskalns", slug="agenskalns")
    client.force_login(resident)
    response = client.post(
        PROFILE,
        {
            "display_name": "Rita",
            "language": "pl",
            "birth_year": "1985",
            "target_groups": ["parent", "migrant"],
            "district_riga": "centrs",
        },
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "pl"

    resident.refresh_from_db()
    assert (resident.display_name, resident.language) == ("Rita", "pl")
    profile = ResidentProfile.objects.get(user=resident)
    assert profile.birth_year == 1985
    assert profile.target_groups == ["migrant", "parent"]
    assert Residence.objects.get(user=resident, organisation=riga).district == centre

    # the page now speaks Polish and shows what was saved
    html = client.get(PROFILE).content.decode()
    assert '<html lang="pl"' in html
    assert 'value="Rita"' in html
    assert 'value="1985"' in html
    assert '<option value="centrs" selected>Centrs</option>' in html


def test_clearing_the_district_keeps_the_residence_without_one(client, resident, riga):
    centre = factories.DistrictFactory(organisation=riga, name="Centrs", slug="centrs")
    factories.residence(resident, riga, centre)
    client.force_login(resident)
    response = client.post(PROFILE, {"display_name": "", "language": "", "district_riga": ""})
    assert response.status_code == 302
    assert Residence.objects.get(user=resident, organisation=riga).district is None


@pytest.mark.parametrize(
    ("birth_year", "message"),
    [
        (str(timezone.now().year + 1), "Birth year cannot be in the future."),
        ("1850", "Ensure this value is greater than or equal to 1900."),
        ("soon", "Enter a whole number."),
    ],
)
def test_an_invalid_birth_year_is_400_and_nothing_is_saved(client, resident, birth_year, message):
    factories.ResidentProfileFactory(user=resident, birth_year=1970)
    client.force_login(resident)
    response = client.post(
        PROFILE, {"display_name": "Changed", "birth_year": birth_year, "language": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "data-error-summary" in html
    assert 'aria-invalid="true"' in html
    assert 'value="Changed"' in html  # what was typed is kept
    resident.refresh_from_db()
    assert resident.display_name != "Changed"
    assert ResidentProfile.objects.get(user=resident).birth_year == 1970


def test_an_unknown_target_group_or_district_is_400(client, resident, riga):
    factories.DistrictFactory(organisation=riga, name="Centrs", slug="centrs")
    client.force_login(resident)
    response = client.post(
        PROFILE, {"target_groups": ["astronaut"], "district_riga": "elsewhere", "language": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Select a valid choice. astronaut is not one of the available choices." in html
    assert "Select a valid choice. elsewhere is not one of the available choices." in html
    assert not Residence.objects.filter(user=resident).exists()


def test_a_display_name_longer_than_the_api_allows_is_400(client, resident):
    client.force_login(resident)
    response = client.post(PROFILE, {"display_name": "x" * 81, "language": ""})
    assert response.status_code == 400
    assert "Ensure this value has at most 80 characters" in response.content.decode()


def test_profile_page_in_polish(client, resident):
    client.force_login(resident)
    html = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert '<html lang="pl"' in html
    assert "Adresy e-mail" in html  # allauth's Polish, reused in Kopa's account menu


def test_profile_page_queries_are_bounded(
    client, resident, riga, gdansk, django_assert_max_num_queries
):
    for organisation in (riga, gdansk):
        for _ in range(5):
            factories.DistrictFactory(organisation=organisation)
    client.force_login(resident)
    with django_assert_max_num_queries(14):
        assert client.get(PROFILE).status_code == 200


def test_staff_see_their_roles_by_name(client, riga_moderator):
    client.force_login(riga_moderator)
    html = client.get(PROFILE).content.decode()
    assert "<strong>Rīga</strong>: Moderator" in html


@pytest.mark.parametrize(
    "url",
    [
        "/account/",
        "/account/notifications/read-all/",
        "/account/notifications/1/read/",
        "/account/delete/",
    ],
)
def test_anonymous_posts_change_nothing_and_go_to_sign_in(client, resident, url):
    response = client.post(url, {"password": "correct horse battery staple", "understood": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert User.objects.filter(pk=resident.pk).exists()
