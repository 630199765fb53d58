"""Sign-up and login through allauth, with Argon2 password hashes."""

import pytest
from allauth.account.models import EmailAddress

from engagement.people.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def test_sign_up_with_email_stores_an_argon2_hash(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "Laura@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="laura@example.org")
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, verified=False).exists()


def test_sign_up_rejects_a_weak_password_and_creates_nobody(client):
    response = client.post(
        "/accounts/signup/", {"email": "weak@example.org", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 400  # Kopa re-renders bad input with 400
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="weak@example.org").exists()


def test_sign_up_refuses_a_taken_email(client, resident):
    response = client.post(
        "/accounts/signup/",
        {"email": "resident@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email="resident@example.org").count() == 1


def test_login_with_email_and_password(client):
    User.objects.create_user(email="juris@example.org", password=PASSWORD)
    response = client.post("/accounts/login/", {"login": "juris@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["email"] == "juris@example.org"


def test_login_with_wrong_password_fails(client):
    User.objects.create_user(email="juris@example.org", password=PASSWORD)
    response = client.post("/accounts/login/", {"login": "juris@example.org", "password": "nope"})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert client.get("/api/v1/me/").status_code == 403


def test_emails_are_case_insensitive_identities():
    user = User.objects.create_user(email="Ieva@Example.ORG", password=PASSWORD)
    assert user.email == "ieva@example.org"
