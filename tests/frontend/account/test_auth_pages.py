"""Sign-up, sign-in and the other allauth pages, as Kopa pages."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from engagement.people.models import User
from tests import factories
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"
NEW_PASSWORD = "a quiet river at dawn"


def kopa_layout(html: str) -> bool:
    return '<main id="main"' in html and "Skip to content" in html and "site-header" in html


def test_sign_up_creates_an_argon2_account_and_sends_a_verification_email(client):
    response = client.post(
        SIGNUP,
        {"email": "Anna@Example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    user = User.objects.get(email="anna@example.org")
    assert user.password.startswith("argon2")
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("anna@example.org", False, True)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert "/accounts/confirm-email/" in message.body

    # the e-mail page is a Kopa page, with the address waiting for verification
    html = client.get("/accounts/email/").content.decode()
    assert kopa_layout(html)
    assert 'class="account-nav"' in html
    assert "anna@example.org" in html
    assert "Unverified" in html


def test_the_verification_link_confirms_the_address(client):
    client.post(
        SIGNUP, {"email": "ben@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    link = re.search(r"http://testserver(/accounts/confirm-email/[^/\s]+/)", mail.outbox[0].body)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert kopa_layout(page.content.decode())
    assert "Confirm" in page.content.decode()
    client.post(link.group(1))
    assert EmailAddress.objects.get(email="ben@example.org").verified is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "not an address", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            "Enter a valid email address.",
        ),
        (
            {"email": "carl@example.org", "password1": "short", "password2": "short"},
            "This password is too short. It must contain at least 10 characters.",
        ),
        (
            {"email": "carl@example.org", "password1": NEW_PASSWORD, "password2": "other thing"},
            "You must type the same password each time.",
        ),
    ],
)
def test_invalid_sign_up_is_400_with_the_field_message(client, data, message):
    response = client.post(SIGNUP, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "data-error-summary" in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(email="carl@example.org").exists()
    assert mail.outbox == []


def test_sign_up_page_shows_labels_and_plain_password_advice(client):
    html = client.get(SIGNUP).content.decode()
    assert kopa_layout(html)
    assert '<label for="id_email">' in html
    assert '<label for="id_password1">' in html
    # allauth's HTML list of password rules becomes one sentence in the field help
    assert "at least 10 characters" in html
    assert "<ul><li>Your password" not in html


def test_sign_in_works(client, resident):
    response = client.post(LOGIN, {"login": "resident@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


def test_a_wrong_password_is_400_with_a_message(client, resident):
    response = client.post(LOGIN, {"login": "resident@example.org", "password": "wrong one"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The email address and/or password you specified are not correct." in html
    assert "data-error-summary" in html
    assert "_auth_user_id" not in client.session


def test_sign_in_page_links_to_password_reset_and_sign_up(client):
    html = client.get(LOGIN).content.decode()
    assert kopa_layout(html)
    assert 'class="auth-card"' in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'href="/accounts/signup/' in html


def test_password_reset_sends_a_link_and_rejects_a_bad_address(client, resident):
    bad = client.post("/accounts/password/reset/", {"email": "nope"})
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.content.decode()
    good = client.post("/accounts/password/reset/", {"email": "resident@example.org"})
    assert good.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_change_with_a_wrong_current_password_is_400(client, resident):
    client.force_login(resident)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "Please type your current password." in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(TEST_PASSWORD)


def test_sign_out_asks_first_in_kopa_layout(client, resident):
    client.force_login(resident)
    html = client.get("/accounts/logout/").content.decode()
    assert kopa_layout(html)
    assert "Are you sure you want to sign out?" in html
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_sign_in_page_in_polish(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()
    assert '<html lang="pl"' in html
    assert "Zaloguj" in html  # allauth's own Polish for "Sign In"
    assert "Hasło" in html


def test_email_page_in_german_for_a_verified_address(client, resident):
    factories.verified_email(resident)
    client.force_login(resident)
    html = client.get("/accounts/email/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de"' in html
    assert "E-Mail-Adressen" in html
    assert "Bestätigt" in html


def test_with_mandatory_verification_sign_up_lands_on_the_sent_page(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post(
        SIGNUP,
        {"email": "dora@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert kopa_layout(html)
    assert "<h1>Verify Your Email Address</h1>" in html
    assert len(mail.outbox) == 1
    # not signed in until the address is confirmed
    assert "_auth_user_id" not in client.session


def test_an_expired_confirmation_link_says_so(client):
    html = client.get("/accounts/confirm-email/not-a-key/").content.decode()
    assert kopa_layout(html)
    assert "This email confirmation link expired or is invalid." in html


def test_reauthentication_page_is_a_kopa_page(client, resident):
    client.force_login(resident)
    html = client.get("/accounts/reauthenticate/").content.decode()
    assert kopa_layout(html)
    assert 'class="auth-card"' in html
    assert '<label for="id_password">' in html
    bad = client.post("/accounts/reauthenticate/", {"password": "wrong"})
    assert bad.status_code == 400


def test_adding_an_invalid_email_address_is_400(client, resident):
    factories.verified_email(resident)
    client.force_login(resident)
    response = client.post("/accounts/email/", {"action_add": "", "email": "nope"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    added = client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"})
    assert added.status_code == 302
    assert EmailAddress.objects.filter(user=resident, email="second@example.org").exists()
    assert len(mail.outbox) == 1  # the new address gets its verification e-mail


def test_signing_up_in_polish_makes_polish_the_preferred_language(client):
    client.post(
        SIGNUP,
        {"email": "ewa@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert User.objects.get(email="ewa@example.org").language == "pl"
    assert "potwierdź" in mail.outbox[0].subject  # allauth's own Polish e-mail


def test_signing_in_switches_the_pages_to_the_preferred_language(client, resident):
    resident.language = "de"
    resident.save()
    response = client.post(LOGIN, {"login": "resident@example.org", "password": TEST_PASSWORD})
    assert response.cookies["django_language"].value == "de"
    assert '<html lang="de"' in client.get("/account/").content.decode()


def test_password_reset_from_the_emailed_link(client, resident):
    client.post("/accounts/password/reset/", {"email": "resident@example.org"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    html = form_page.content.decode()
    assert kopa_layout(html)
    assert '<label for="id_password1">' in html

    mismatch = client.post(action, {"password1": NEW_PASSWORD, "password2": "something else"})
    assert mismatch.status_code == 400
    assert "You must type the same password each time." in mismatch.content.decode()

    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert "Your password is now changed." in done.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
