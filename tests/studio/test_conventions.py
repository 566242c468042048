"""One convention each: task names and their queues; no workspace made as a side effect of a
GET."""

import pytest
from django.urls import reverse

from billing.tasks import auto_recharge_account
from brands.tasks import scrape_brand
from generations.tasks import plan_job, render_concept
from studio.celery import app
from studio.models import Workspace
from tests.studio.factories import UserFactory


def _queue(task) -> str:
    route = app.amqp.router.route({}, task.name, args=(), kwargs={})
    return route["queue"].name


def test_tasks_are_named_after_their_module_and_routed_by_it():
    assert [task.name for task in (scrape_brand, auto_recharge_account, plan_job,
                                   render_concept)] == [
        "brands.tasks.scrape_brand", "billing.tasks.auto_recharge_account",
        "generations.tasks.plan_job", "generations.tasks.render_concept"]
    assert _queue(scrape_brand) == "io"
    assert _queue(render_concept) == "render"
    assert _queue(plan_job) == "default"


@pytest.mark.django_db
def test_a_user_without_a_workspace_is_told_so_and_gets_none_made(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("studio:dashboard"))

    assert response.status_code == 403
    assert "not a member of any workspace" in response.content.decode()
    assert not Workspace.objects.exists()
