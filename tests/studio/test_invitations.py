import re

import pytest
from django.urls import reverse

from studio.models import Invitation, Membership, Role


def _accept_link(message) -> str:
    return re.search(r"http://\S+/invitations/(\S+)/", message.body).group(0)


def test_owner_invites_and_the_invitee_accepts(client, owner_client, workspace, mailoutbox,
                                               django_user_model,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("studio:invitation_create"),
                                     {"email": "Newbie@Example.com", "role": "admin"})

    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.email == "newbie@example.com"
    assert len(mailoutbox) == 1
    link = _accept_link(mailoutbox[0])
    assert invitation.token in link

    invitee = django_user_model.objects.create_user(email="newbie@example.com", password="x")
    client.force_login(invitee)
    assert link.startswith("http://testserver/invitations/")
    accept = client.post(link.replace("http://testserver", ""))

    assert accept.status_code == 302
    membership = Membership.objects.get(user=invitee, workspace=workspace)
    assert membership.role == Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert client.get(reverse("studio:dashboard")).context["workspace"] == workspace


def test_members_cannot_invite(client, member, workspace):
    client.force_login(member)

    response = client.post(reverse("studio:invitation_create"),
                           {"email": "x@example.com", "role": "member"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_revoked_invitation_can_no_longer_be_accepted(client, owner_client, workspace,
                                                      django_user_model):
    owner_client.post(reverse("studio:invitation_create"),
                      {"email": "late@example.com", "role": "member"})
    invitation = Invitation.objects.get()

    owner_client.post(reverse("studio:invitation_revoke", args=[invitation.pk]))
    late = django_user_model.objects.create_user(email="late@example.com", password="x")
    client.force_login(late)
    response = client.post(reverse("studio:invitation_accept", args=[invitation.token]))

    assert response.status_code == 200
    assert "no longer valid" in response.content.decode()
    assert not Membership.objects.filter(user=late).exists()


def test_invitation_for_someone_else_is_refused(client, owner_client, workspace,
                                                django_user_model):
    owner_client.post(reverse("studio:invitation_create"),
                      {"email": "right@example.com", "role": "member"})
    invitation = Invitation.objects.get()
    wrong = django_user_model.objects.create_user(email="wrong@example.com", password="x")
    client.force_login(wrong)

    response = client.post(reverse("studio:invitation_accept", args=[invitation.token]))

    assert "sent to right@example.com" in response.content.decode()
    assert not Membership.objects.filter(user=wrong).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


@pytest.mark.parametrize("role", ["owner", "superhero"])
def test_invalid_role_is_refused_and_nothing_is_sent(owner_client, mailoutbox, role):
    response = owner_client.post(reverse("studio:invitation_create"),
                                 {"email": "x@example.com", "role": role})

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_inviting_an_existing_member_is_refused(owner_client, member, mailoutbox):
    owner_client.post(reverse("studio:invitation_create"),
                      {"email": "member@example.com", "role": "member"})

    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_the_last_owner_cannot_be_removed(owner_client, owner, workspace):
    membership = Membership.objects.get(user=owner, workspace=workspace)
    admin_client_response = owner_client.post(
        reverse("studio:membership_remove", args=[membership.pk])
    )

    assert admin_client_response.status_code == 302
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_link_uses_the_host_the_inviter_reached_and_the_subject_is_plain_text(
        owner_client, workspace, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.ALLOWED_HOSTS = ["studio.example.net"]
    workspace.name = "Maya's studio & co"
    workspace.save()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("studio:invitation_create"),
                          {"email": "kim@example.com", "role": "member"},
                          HTTP_HOST="studio.example.net:8765")

    invitation = Invitation.objects.get()
    message = mailoutbox[0]
    assert message.subject == "You're invited to Maya's studio & co on Creative Studio"
    assert f"http://studio.example.net:8765/invitations/{invitation.token}/" in message.body
    assert "&#x27;" not in message.body
    assert "&amp;" not in message.body


def test_settings_offers_a_copyable_link_when_mail_only_goes_to_the_console(
        owner_client, workspace, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    response = owner_client.post(reverse("studio:invitation_create"),
                                 {"email": "kim@example.com", "role": "member"}, follow=True)

    invitation = Invitation.objects.get()
    body = response.content.decode()
    assert "E-mail is not set up on this studio, so copy its link below" in body
    assert f'value="http://testserver/invitations/{invitation.token}/"' in body
    assert 'data-copy="invite-link-' in body
