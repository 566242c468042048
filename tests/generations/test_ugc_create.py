"""The Create page's presenter video card: the presenter picker (built-in and uploaded), a
UGC job queued and charged from it, portrait uploads checked like every image, and refusals
that queue and charge nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from billing import pricing
from billing.services import account_for_workspace
from generations import catalogue
from generations.models import Avatar, Job, Upload
from generations.render.ugc.presenter import portrait_preview

pytestmark = pytest.mark.django_db


def _photo() -> bytes:
    buffer = io.BytesIO()
    portrait_preview(catalogue.avatar_by_id("avatar_kenji"), width=400).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_create_page_shows_every_built_in_presenter(owner_client, brand, product):
    page = owner_client.get(reverse("generations:create")).content.decode()

    assert 'id="ugc"' in page
    for avatar in catalogue.avatars():
        assert f'value="{avatar["id"]}"' in page
        assert f"/avatars/{avatar['id']}.png" in page
    assert page.count('name="avatar"') == len(catalogue.avatars()) >= 8


def test_a_presenter_video_is_queued_and_charged_from_the_card(owner_client, workspace, brand,
                                                               product, credits):
    response = owner_client.post(reverse("generations:create_ugc"), {
        "brand": brand.pk, "avatar": "avatar_layla", "template": "ugc-review",
        "quality_tier": "low", "duration": 30, "aspect": "9:16", "product": product.pk,
        "prompt": "Morning routine"})

    job = Job.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response["Location"] == reverse("generations:job", args=[job.public_id])
    assert job.credits_charged == pricing.price_for(kind="ugc", tier="low",
                                                    duration_seconds=30) == 36
    assert job.request["extra"]["ugc"]["avatar_id"] == "avatar_layla"
    assert job.request["extra"]["ugc"]["scale"] == pytest.approx(2 / 3)
    assert job.request["product_ids"] == [product.pk]
    assert account_for_workspace(workspace).balance == 500 - 36


def test_a_duration_outside_the_tier_queues_nothing(owner_client, workspace, brand, credits):
    response = owner_client.post(reverse("generations:create_ugc"), {
        "brand": brand.pk, "avatar": "avatar_maya", "template": "ugc-product-video",
        "quality_tier": "high", "duration": 60, "aspect": "9:16"}, follow=True)

    assert "must fit the high tier" in response.content.decode()
    assert not Job.objects.exists()
    assert account_for_workspace(workspace).balance == 500


def test_an_uploaded_portrait_becomes_a_presenter_in_the_picker(owner_client, workspace, brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(reverse("generations:avatar_upload"), {
        "name": "Kenji (photo)",
        "photo": SimpleUploadedFile("me.jpg", _photo(), content_type="image/jpeg")})

    avatar = Avatar.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert avatar.name == "Kenji (photo)"
    assert avatar.upload.mime_type == "image/jpeg"
    assert 0.4 < avatar.face_x < 0.6 and 0.2 < avatar.face_y < 0.55
    page = owner_client.get(reverse("generations:create")).content.decode()
    assert f'value="avatar_{avatar.pk}"' in page


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(owner_client, workspace,
                                                                      brand):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(reverse("generations:avatar_upload"), {
        "name": "Nope", "photo": SimpleUploadedFile("me.jpg", b"<?php echo 1; ?>",
                                                    content_type="image/jpeg")}, follow=True)

    assert "must be a PNG, JPEG" in response.content.decode()
    assert not Avatar.objects.exists() and not Upload.objects.exists()


def test_another_workspaces_presenter_cannot_be_used(client, owner, outsider, workspace, brand,
                                                     credits):
    client.force_login(owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("generations:avatar_upload"), {
        "name": "Mine", "photo": SimpleUploadedFile("me.jpg", _photo())})
    avatar = Avatar.objects.get()
    client.force_login(outsider)

    response = client.post(reverse("generations:create_ugc"), {
        "brand": brand.pk, "avatar": avatar.public_id, "template": "ugc-product-video",
        "quality_tier": "high", "duration": 15, "aspect": "9:16"}, follow=True)

    assert not Job.objects.exists()
    assert response.status_code == 200
