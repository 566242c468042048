import pytest
from django.urls import reverse

from studio.models import Membership, Role, User, Workspace


@pytest.mark.django_db
def test_signup_creates_a_personal_workspace_owned_by_the_new_user(client, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {"email": "maya@example.com", "password1": "a-long-passphrase-1", "password2":
         "a-long-passphrase-1"},
    )

    assert response.status_code == 302
    assert response.url == reverse("studio:dashboard")
    user = User.objects.get(email="maya@example.com")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.name == "maya's studio"
    assert len(mailoutbox) == 1  # the e-mail verification message
    assert "maya@example.com" in mailoutbox[0].to
    dashboard = client.get(reverse("studio:dashboard"))
    assert dashboard.status_code == 200
    assert "maya&#x27;s studio" in dashboard.content.decode()


@pytest.mark.django_db
def test_signup_with_mismatched_passwords_creates_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "maya@example.com", "password1": "a-long-passphrase-1",
         "password2": "something-else-2"},
    )

    assert response.status_code == 200
    assert not User.objects.exists()
    assert not Workspace.objects.exists()


@pytest.mark.django_db
def test_login_with_email_and_password_reaches_the_dashboard(client, owner):
    response = client.post(
        reverse("account_login"), {"login": "owner@example.com",
                                   "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
    assert response.url == reverse("studio:dashboard")


@pytest.mark.django_db
def test_pages_need_a_signed_in_user(client):
    response = client.get(reverse("studio:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_two_factor_setup_page_is_available(owner_client):
    response = owner_client.get(reverse("mfa_activate_totp"))

    assert response.status_code in (200, 302)  # allauth may ask to reauthenticate first
    index = owner_client.get(reverse("mfa_index"))
    assert index.status_code == 200
    assert "Authenticator App" in index.content.decode()


def test_workspace_switcher_changes_the_current_workspace(client, owner, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=owner, role=Role.MEMBER)
    client.force_login(owner)

    client.post(reverse("studio:workspace_switch"), {"workspace": other_workspace.pk})
    page = client.get(reverse("studio:dashboard"))

    assert page.context["workspace"] == other_workspace


def test_switching_to_a_workspace_you_are_not_in_is_404(owner_client, other_workspace):
    response = owner_client.post(reverse("studio:workspace_switch"),
                                 {"workspace": other_workspace.pk})

    assert response.status_code == 404
