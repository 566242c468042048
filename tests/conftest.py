"""Shared fixtures: named users for the roles, their workspaces, and a MEDIA_ROOT per run."""

import pytest

from studio.models import Role
from tests.studio.factories import MembershipFactory, WorkspaceFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme Skincare")


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, role=Role.OWNER,
                             user__email="owner@example.com").user


@pytest.fixture
def admin_user(workspace):
    return MembershipFactory(workspace=workspace, role=Role.ADMIN,
                             user__email="admin@example.com").user


@pytest.fixture
def member(workspace):
    return MembershipFactory(workspace=workspace, role=Role.MEMBER,
                             user__email="member@example.com").user


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Globex Coffee")


@pytest.fixture
def outsider(other_workspace):
    """Owner of another workspace: must never see ``workspace``'s objects."""
    return MembershipFactory(workspace=other_workspace, role=Role.OWNER,
                             user__email="outsider@example.com").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client
