"""Deleting a brand: its products, photos and scans go, finished jobs stay, the default moves on,
and a brand with ads still being made is refused without changing anything."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from brands.models import Brand, BrandScrape, Product, ProductImage
from brands.services import brand_delete
from generations.models import Job, JobStatus
from studio.exceptions import Conflict
from tests.generations.factories import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def brands(workspace):
    doomed = Brand.objects.create(workspace=workspace, name="Old Brand", is_default=True,
                                  status=Brand.Status.READY)
    Brand.objects.create(workspace=workspace, name="Zebra", status=Brand.Status.READY)
    Brand.objects.create(workspace=workspace, name="Aardvark", status=Brand.Status.FAILED)
    return doomed


def test_deleting_the_default_brand_removes_its_rows_and_files_and_promotes_a_ready_one(
        workspace, brands, django_capture_on_commit_callbacks):
    product = Product.objects.create(workspace=workspace, brand=brands, name="Serum")
    image = ProductImage(product=product)
    image.image.save("serum.png", ContentFile(png_bytes(40, 40)), save=True)
    BrandScrape.objects.create(workspace=workspace, brand=brands, url="https://old.example/")
    job = Job.objects.create(workspace=workspace, brand=brands, status=JobStatus.COMPLETED)
    photo = image.image.name

    with django_capture_on_commit_callbacks(execute=True):
        brand_delete(brand=brands)

    assert not Brand.objects.filter(pk=brands.pk).exists()
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not BrandScrape.objects.filter(brand_id=brands.pk).exists()
    assert not default_storage.exists(photo)
    job.refresh_from_db()
    assert job.brand is None  # the ads made for it stay
    assert list(Brand.objects.filter(workspace=workspace, is_default=True)
                .values_list("name", flat=True)) == ["Zebra"]  # ready before failed


def test_a_brand_with_ads_being_made_is_not_deleted(workspace, brands):
    Job.objects.create(workspace=workspace, brand=brands, status=JobStatus.RENDERING)

    with pytest.raises(Conflict) as excinfo:
        brand_delete(brand=brands)

    assert excinfo.value.code == "brand_in_use"
    assert excinfo.value.status == 409
    assert Brand.objects.get(pk=brands.pk).is_default


def test_the_delete_view_refuses_in_plain_words_and_answers_404_to_outsiders(
        owner_client, client, outsider, workspace, brands):
    Job.objects.create(workspace=workspace, brand=brands, status=JobStatus.QUEUED)

    refused = owner_client.post(reverse("brands:delete", args=[brands.pk]), follow=True)
    client.force_login(outsider)
    foreign = client.post(reverse("brands:delete", args=[brands.pk]))
    wrong_method = owner_client.get(reverse("brands:delete", args=[brands.pk]))

    assert "Old Brand has ads being made right now." in refused.content.decode()
    assert foreign.status_code == 404
    assert wrong_method.status_code == 405
    assert Brand.objects.filter(pk=brands.pk).exists()


def test_the_delete_view_deletes_and_goes_back_to_the_list(owner_client, workspace, brands):
    response = owner_client.post(reverse("brands:delete", args=[brands.pk]))

    assert response.status_code == 302
    assert response.url == reverse("brands:list")
    assert not Brand.objects.filter(pk=brands.pk).exists()
