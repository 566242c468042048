"""Another workspace's objects answer 404, never 403: their existence is not disclosed."""

import pytest
from django.http import Http404
from django.urls import reverse

from studio.models import Invitation, Membership
from studio.selectors import get_for_workspace_or_404
from tests.studio.factories import InvitationFactory


def test_revoking_another_workspaces_invitation_is_404(outsider_client, workspace):
    invitation = InvitationFactory(workspace=workspace)

    response = outsider_client.post(reverse("studio:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_removing_another_workspaces_member_is_404(outsider_client, member, workspace):
    membership = Membership.objects.get(user=member, workspace=workspace)

    response = outsider_client.post(reverse("studio:membership_remove", args=[membership.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_selector_hides_other_workspaces_objects(workspace, other_workspace):
    invitation = InvitationFactory(workspace=workspace)

    assert get_for_workspace_or_404(Invitation, workspace=workspace, pk=invitation.pk) == invitation
    with pytest.raises(Http404):
        get_for_workspace_or_404(Invitation, workspace=other_workspace, pk=invitation.pk)
    with pytest.raises(Http404):
        get_for_workspace_or_404(Invitation, workspace=workspace, pk="not-a-number")


def test_missing_page_uses_the_studio_404_page(owner_client):
    response = owner_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
