"""The role matrix (docs/roles.md = studio.permissions.ROLE_MATRIX), every cell tested: allowed,
refused with 403 for a member of the workspace, 404 for an outsider — and a refusal changes
nothing."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from billing.models import CheckoutSession, CreditAccount, CreditPack
from generations.models import Job
from studio.exceptions import Forbidden, NotFound
from studio.models import Invitation, Membership, Role
from studio.permissions import ROLE_MATRIX, Action, authorize
from tests.generations.factories import finished_job_create
from tests.studio.factories import InvitationFactory, MembershipFactory

ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER)


def _documented_matrix() -> dict[str, set[str]]:
    rows = re.findall(r"^\| `([a-z_.]+)` \| [^|]+ \| (yes|no) \| (yes|no) \| (yes|no) \|$",
                      ROLES_DOC.read_text(), flags=re.M)
    return {action: {role for role, cell in zip(ROLES, cells, strict=True) if cell == "yes"}
            for action, *cells in rows}


def test_the_documented_matrix_is_the_enforced_one():
    assert _documented_matrix() == {str(action): set(roles)
                                    for action, roles in ROLE_MATRIX.items()}


CELLS = [(action, role) for action in Action for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_every_cell_of_the_matrix(workspace, action, role):
    membership = MembershipFactory(workspace=workspace, role=role)

    if role in ROLE_MATRIX[action]:
        authorize(membership=membership, workspace=workspace, action=action)
    else:
        with pytest.raises(Forbidden) as refused:
            authorize(membership=membership, workspace=workspace, action=action)
        assert (refused.value.status, refused.value.code) == (403, "forbidden")
        assert refused.value.details == {"action": str(action), "role": str(role)}


@pytest.mark.parametrize("action", list(Action))
def test_an_outsider_is_told_not_found_for_every_action(workspace, other_workspace, action):
    outsider = MembershipFactory(workspace=other_workspace, role=Role.OWNER)

    with pytest.raises(NotFound) as refused:
        authorize(membership=outsider, workspace=workspace, action=action)
    assert refused.value.status == 404


# ---------------------------------------------------------------------------------------------
# Through the pages: each restricted action, as each role and as an outsider.
# ---------------------------------------------------------------------------------------------
def _login(client, workspace, role):
    user = MembershipFactory(workspace=workspace, role=role).user
    client.force_login(user)
    return user


@pytest.fixture
def finished_job(workspace):
    return finished_job_create(workspace=workspace)


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_deleting_a_job(client, workspace, finished_job, role, status):
    _login(client, workspace, role)

    response = client.post(reverse("generations:job_delete", args=[finished_job.public_id]))

    assert response.status_code == status
    assert Job.objects.filter(pk=finished_job.pk).exists() is (status == 403)


def test_deleting_another_workspaces_job_is_404(outsider_client, finished_job):
    response = outsider_client.post(reverse("generations:job_delete",
                                            args=[finished_job.public_id]))

    assert response.status_code == 404
    assert Job.objects.filter(pk=finished_job.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_share_a_job(client, workspace, finished_job, role):
    _login(client, workspace, role)

    response = client.post(reverse("generations:job_share", args=[finished_job.public_id]))

    assert response.status_code == 302
    finished_job.refresh_from_db()
    assert finished_job.share_token


def test_sharing_another_workspaces_job_is_404(outsider_client, finished_job):
    response = outsider_client.post(reverse("generations:job_share",
                                            args=[finished_job.public_id]))

    assert response.status_code == 404
    finished_job.refresh_from_db()
    assert finished_job.share_token is None


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_inviting(client, workspace, role, status, mailoutbox,
                  django_capture_on_commit_callbacks):
    _login(client, workspace, role)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("studio:invitation_create"),
                               {"email": "new@example.com", "role": "member"})

    assert response.status_code == status
    assert Invitation.objects.filter(email="new@example.com").exists() is (status == 302)
    assert len(mailoutbox) == (1 if status == 302 else 0)


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_revoking_an_invitation(client, workspace, role, status):
    invitation = InvitationFactory(workspace=workspace)
    _login(client, workspace, role)

    response = client.post(reverse("studio:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == status
    invitation.refresh_from_db()
    assert invitation.status == (Invitation.Status.REVOKED if status == 302
                                 else Invitation.Status.PENDING)


@pytest.mark.parametrize(("role", "target", "status"), [
    (Role.OWNER, Role.MEMBER, 302), (Role.ADMIN, Role.MEMBER, 302),
    (Role.MEMBER, Role.MEMBER, 403),
    (Role.OWNER, Role.OWNER, 302), (Role.ADMIN, Role.OWNER, 403),
    (Role.MEMBER, Role.OWNER, 403),
])
def test_removing_someone(client, workspace, owner, role, target, status):
    removed = MembershipFactory(workspace=workspace, role=target)
    _login(client, workspace, role)

    response = client.post(reverse("studio:membership_remove", args=[removed.pk]))

    assert response.status_code == status
    assert Membership.objects.filter(pk=removed.pk).exists() is (status == 403)


def test_removing_another_workspaces_member_is_404(outsider_client, workspace, member):
    removed = Membership.objects.get(user=member, workspace=workspace)

    response = outsider_client.post(reverse("studio:membership_remove", args=[removed.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=removed.pk).exists()


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_renaming_the_workspace(client, workspace, role, status):
    _login(client, workspace, role)

    response = client.post(reverse("studio:workspace_rename"), {"name": "Renamed"})

    assert response.status_code == status
    workspace.refresh_from_db()
    assert workspace.name == ("Renamed" if status == 302 else "Acme Skincare")


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_rotating_the_webhook_secret(client, workspace, role, status):
    before = workspace.webhook_secret
    _login(client, workspace, role)

    response = client.post(reverse("studio:webhook_secret_rotate"))

    assert response.status_code == status
    workspace.refresh_from_db()
    assert (workspace.webhook_secret != before) is (status == 302)


@pytest.fixture
def pack(db):
    return CreditPack.objects.create(name="Starter", credits=250, price_cents=2500,
                                     currency="usd", active=True)


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_buying_credits(client, workspace, pack, role, status):
    _login(client, workspace, role)

    response = client.post(reverse("billing:checkout", args=[pack.pk]))

    assert response.status_code == status  # allowed: payments are off here, so back to Billing
    assert not CheckoutSession.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_changing_the_card(client, workspace, role, status):
    _login(client, workspace, role)

    response = client.post(reverse("billing:card_update"))

    assert response.status_code == status
    assert not CheckoutSession.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 302), (Role.ADMIN, 302), (Role.MEMBER, 403)])
def test_changing_auto_recharge(client, workspace, pack, role, status):
    _login(client, workspace, role)

    response = client.post(reverse("billing:auto_recharge"),
                           {"threshold": "75", "pack": pack.pk})

    assert response.status_code == status
    threshold = CreditAccount.objects.filter(workspace=workspace).values_list(
        "auto_recharge_threshold", flat=True).first()
    assert (threshold == 75) is (status == 302)
