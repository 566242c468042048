import io

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
@pytest.mark.parametrize("next_url", ["http://[::1", "https://evil.example/steal"])
def test_a_malformed_or_foreign_next_address_signs_in_to_the_dashboard(client, owner, next_url):
    response = client.post(
        reverse("account_login") + "?next=" + next_url,
        {"login": "owner@example.com", "password": "correct-horse-battery"},
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


@pytest.mark.parametrize("value", ["abc", "", "1.5", "²", "9" * 40, "-1"])
def test_switching_to_a_malformed_workspace_id_is_404_and_changes_nothing(owner_client,
                                                                          workspace, value):
    response = owner_client.post(reverse("studio:workspace_switch"), {"workspace": value})
    page = owner_client.get(reverse("studio:dashboard"))

    assert response.status_code == 404
    assert page.context["workspace"] == workspace


@pytest.mark.django_db
def test_a_mixed_case_owner_from_the_cli_can_sign_in(client):
    from allauth.account.models import EmailAddress
    from django.core.management import call_command

    from studio.models import User

    call_command("createworkspace", "Mixed", owner="Mixed.Case@X.test", stdout=io.StringIO())
    user = User.objects.get()
    user.set_password("correct-horse-battery")
    user.save()

    response = client.post(reverse("account_login"),
                           {"login": "Mixed.Case@x.test", "password": "correct-horse-battery"})

    assert user.email == "mixed.case@x.test"
    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["mixed.case@x.test"]
    assert response.status_code == 302
    assert response["Location"] == reverse("studio:dashboard")


@pytest.mark.django_db
def test_every_way_of_storing_an_email_lowercases_it(workspace, owner):
    from studio.models import Invitation, User
    from studio.services import invitation_create, user_get_or_create

    created = User.objects.create_user(email="Ada.Lovelace@Example.COM", password="x")
    found, was_created = user_get_or_create(email="ADA.lovelace@example.com")
    invitation = invitation_create(workspace=workspace, email="Grace.Hopper@Example.com",
                                   role="member",
                                   by=owner.memberships.get(workspace=workspace))
    saved = User(email="  Alan.Turing@Example.com ")
    saved.save()

    assert created.email == "ada.lovelace@example.com"
    assert (found, was_created) == (created, False)
    assert invitation.email == Invitation.objects.get().email == "grace.hopper@example.com"
    assert saved.email == "alan.turing@example.com"


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_lowercases_existing_addresses():
    from allauth.account.models import EmailAddress
    from django.core.management import call_command

    from studio.models import User

    user = User.objects.create_user(email="x@x.test", password="x")
    User.objects.filter(pk=user.pk).update(email="Mixed.Case@X.test")
    EmailAddress.objects.create(user=user, email="Mixed.Case@X.test", primary=True,
                                verified=True)

    call_command("migrate", "studio", "0001", verbosity=0)
    call_command("migrate", "studio", verbosity=0)

    assert User.objects.get().email == "mixed.case@x.test"
    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["mixed.case@x.test"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Acme\x00Evil", "Acme\nEvil", "   ", "x" * 101])
def test_a_bad_workspace_name_is_refused_and_changes_nothing(owner_client, workspace, name):
    response = owner_client.post(reverse("studio:workspace_rename"), {"name": name},
                                 follow=True)

    workspace.refresh_from_db()
    assert response.status_code == 200
    assert "Give the workspace a name of up to 100 characters" in response.content.decode()
    assert workspace.name == "Acme Skincare"


@pytest.mark.django_db
def test_an_owner_renames_the_workspace(owner_client, workspace):
    owner_client.post(reverse("studio:workspace_rename"), {"name": "  Acme Labs "})

    workspace.refresh_from_db()
    assert workspace.name == "Acme Labs"
