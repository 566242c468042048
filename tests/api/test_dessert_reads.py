"""Dessert reads: deliveries, brands, styles, balance and usage, scoped to the key's workspace."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from brands.models import Brand, BrandScrape
from generations.models import Asset, AssetKind, Concept, ConceptStatus, Job, JobStatus
from tests.api.conftest import state


def _completed_job(workspace, brand) -> Job:
    job = Job.objects.create(workspace=workspace, brand=brand, format="full", count=1,
                             credits_charged=15, status=JobStatus.COMPLETED, progress=100,
                             stage="completed", finished_at=timezone.now(),
                             request={"sizes": ["9:16", "4:5"]})
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory",
                                     headline="Glow that lasts", body="Vitamin C serum.",
                                     cta="Shop now", template_slug="spotlight",
                                     style_id="soft-gradient", status=ConceptStatus.COMPLETED)
    for aspect, (width, height) in {"9:16": (1080, 1920), "4:5": (1080, 1350)}.items():
        for kind, mime, ext in ((AssetKind.STATIC, "image/png", "png"),
                                (AssetKind.VIDEO, "video/mp4", "mp4")):
            asset = Asset(job=job, concept=concept, kind=kind, aspect=aspect, width=width,
                          height=height, mime_type=mime, size_bytes=3, checksum="0" * 64)
            asset.file.save(f"{aspect.replace(':', 'x')}.{ext}", ContentFile(b"abc"), save=False)
            asset.save()
    return job


def test_a_completed_delivery_lists_each_orientation_with_static_and_video(api, workspace,
                                                                           ready_brand):
    job = _completed_job(workspace, ready_brand)

    response = api.get(f"/v1/deliveries/{job.public_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["delivery_id"] == job.public_id
    assert body["status"] == "completed"
    assert body["progress"] == 100
    assert body["ad_count"] == 2
    assert body["ad_count_expected"] == 1
    assert [ad["orientation"] for ad in body["ads"]] == ["vertical", "square"]
    assert [ad["aspect_ratio"] for ad in body["ads"]] == ["9:16", "4:5"]
    for ad in body["ads"]:
        assert ad["headline"] == "Glow that lasts"
        assert ad["body"] == "Vitamin C serum."
        assert ad["cta"] == "Shop now"
        assert ad["static_url"].startswith("http://127.0.0.1:8000/")
        assert ad["video_url"].startswith("http://127.0.0.1:8000/")
    assert body["delivered_at"].endswith("Z")
    assert "event" not in body


def test_a_queued_delivery_has_no_delivered_at(api, workspace, ready_brand):
    job = Job.objects.create(workspace=workspace, brand=ready_brand, format="static", count=2,
                             credits_charged=10)

    body = api.get(f"/v1/deliveries/{job.public_id}").json()

    assert body["status"] == "queued"
    assert body["ads"] == []
    assert body["delivered_at"] is None
    assert body["progress"] == 0


def test_workspace_b_gets_404_on_workspace_as_delivery_and_brand(other_api, workspace,
                                                                 ready_brand):
    job = _completed_job(workspace, ready_brand)

    delivery = other_api.get(f"/v1/deliveries/{job.public_id}")
    brand = other_api.get(f"/v1/brands/{ready_brand.pk}")

    assert delivery.status_code == 404
    assert delivery.json()["error"]["code"] == "delivery_not_found"
    assert brand.status_code == 404
    assert brand.json()["error"]["code"] == "brand_not_found"
    assert other_api.get("/v1/brands").json() == {"brands": []}


def test_unknown_ids_are_404(api, db):
    assert api.get("/v1/deliveries/recNOPE").json()["error"]["code"] == "delivery_not_found"
    assert api.get("/v1/brands/abc").json()["error"]["code"] == "brand_not_found"
    assert api.get("/v1/brands/99999999999999999999").status_code == 404


def test_brands_list_the_documented_fields(api, workspace, ready_brand):
    response = api.get("/v1/brands")

    assert response.status_code == 200
    [brand] = response.json()["brands"]
    assert brand == {
        "brand_id": str(ready_brand.pk), "name": "Lumen Skin", "status": "Active",
        "onboarding_status": "Complete", "product_count": 1,
        "onboarded_at": ready_brand.created_at.isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "website_url": "", "is_default": True,
    }


def test_post_brands_with_a_website_starts_the_real_scrape_and_generate_waits(
        api, workspace, funded, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("brands.tasks.scrape_brand.delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/v1/brands", {"website_url": "https://lumenskin.com"})

    assert response.status_code == 202
    body = response.json()
    brand = Brand.objects.get(workspace=workspace)
    scrape = BrandScrape.objects.get(brand=brand)
    assert queued == [scrape.pk]
    assert scrape.ready_on_success is True
    assert body["scrape_id"] == str(scrape.pk)
    assert body["brand"]["status"] == "Pending Onboarding"
    assert body["brand"]["onboarding_status"] == "Queued"
    assert body["brand"]["website_url"] == "https://lumenskin.com/"
    before = state(workspace)
    refused = api.post("/v1/ads/generate", {"count": 1})
    assert refused.status_code == 425
    assert refused.json()["error"]["code"] == "brand_onboarding_in_progress"
    assert state(workspace) == before

    again = api.post("/v1/brands", {"website_url": "lumenskin.com"})
    assert again.status_code == 202
    assert Brand.objects.filter(workspace=workspace).count() == 1
    assert BrandScrape.objects.filter(brand=brand).count() == 2


def test_a_scrape_started_by_the_api_makes_the_brand_ready(api, workspace, monkeypatch):
    from brands.scrape.crawl import ScrapeResult
    from brands.services import brand_run_scrape

    monkeypatch.setattr("brands.tasks.scrape_brand.delay", lambda scrape_id: None)
    api.post("/v1/brands", {"website_url": "https://lumenskin.com"})
    scrape = BrandScrape.objects.get(workspace=workspace)
    monkeypatch.setattr("brands.services.scrape_site",
                        lambda url, **_options: ScrapeResult(
                            url=url, found={}, logo=None, products=[], pages=[], errors=[]))
    monkeypatch.setattr("brands.services.brand_apply_scrape",
                        lambda brand, result, overwrite=False: brand)

    brand_run_scrape(scrape_id=scrape.pk)

    body = api.get(f"/v1/brands/{scrape.brand_id}").json()
    assert body["status"] == "Active"
    assert body["onboarding_status"] == "Complete"


def test_post_brands_with_inline_dna_is_ready_at_once(api, workspace, funded):
    response = api.post("/v1/brands", {
        "name": "Noir Roast", "tagline": "Small batch. Slow roast.", "tone": "premium, refined",
        "colors": {"primary": "#C8A165", "background": "#16110E", "text": "#FFF"},
        "fonts": {"heading": "Playfair Display", "body": "DM Sans"},
        "value_props": ["Single origin"],
        "products": [{"name": "Ethiopia Guji", "price": "19.50", "currency": "usd"}]})

    assert response.status_code == 201
    brand = response.json()["brand"]
    assert brand["status"] == "Active"
    assert brand["colors"]["primary"] == "#c8a165"
    assert brand["colors"]["text"] == "#ffffff"
    assert brand["products"][0]["price"] == "19.50"
    assert brand["products"][0]["currency"] == "USD"
    assert api.post("/v1/ads/generate", {"brand_id": brand["brand_id"]}).status_code == 202


def test_post_brands_refuses_bad_bodies_and_writes_nothing(api, workspace):
    for body, code in (({}, "invalid_request"),
                       ({"website_url": "javascript:alert(1)"}, "invalid_website_url"),
                       ({"website_url": 42}, "invalid_website_url"),
                       ({"name": ""}, "invalid_brand_json"),
                       ({"name": "X", "colors": {"primary": "red"}}, "invalid_brand_json"),
                       ({"name": "X", "products": [{"price": "1"}]}, "invalid_brand_json")):
        response = api.post("/v1/brands", body)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == code, body
    assert Brand.objects.filter(workspace=workspace).count() == 0
    assert BrandScrape.objects.filter(workspace=workspace).count() == 0


def test_brands_write_needs_its_scope(workspace):
    from api.keys import api_key_create
    from tests.api.conftest import ApiClient

    reader = ApiClient(api_key_create(workspace=workspace, name="r",
                                      scopes=["brands:read"]).plaintext)

    assert reader.get("/v1/brands").status_code == 200
    refused = reader.post("/v1/brands", {"name": "X"})
    assert refused.status_code == 403
    assert "brands:write" in refused.json()["error"]["message"]
    assert Brand.objects.count() == 0


def test_styles_lists_the_36_animation_prompts_and_the_presets(api, db):
    body = api.get("/v1/styles").json()

    assert len(body["animation_prompts"]) == 36
    names = {prompt["name"] for prompt in body["animation_prompts"]}
    assert {"Serum Droplets", "Lotion Texture"} <= names
    assert {"style_id", "style_name", "animation_prompt", "category", "description"} == set(
        body["styles"][0])


def test_style_search_ids_are_usable_as_featured_styles(api, workspace, ready_brand, funded):
    response = api.get("/v1/styles/search", {"q": "warm honey drip on amber", "top_n": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "warm honey drip on amber"
    assert len(body["results"]) == 3
    scores = [r["similarity"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    ids = [r["style_id"] for r in body["results"]]
    accepted = api.post("/v1/ads/generate", {"creative": {"featured_styles": ids}})
    assert accepted.status_code == 202
    assert Job.objects.get(workspace=workspace).request["featured_styles"] == ids


def test_style_search_validates_q_and_top_n(api, db):
    assert api.get("/v1/styles/search").json()["error"]["code"] == "invalid_query"
    assert api.get("/v1/styles/search", {"q": "x", "top_n": 51}).json()["error"]["code"] == \
        "invalid_top_n"
    assert api.get("/v1/styles/search", {"q": "x", "top_n": "ten"}).status_code == 400


def test_balance_has_the_documented_fields(api, workspace, funded):
    body = api.get("/v1/balance").json()

    assert body == {
        "credits_balance": 250, "credits_balance_usd_equivalent": 25.0,
        "credits_lifetime_purchased": 0, "credits_lifetime_used": 0,
        "auto_recharge_enabled": False, "auto_recharge_threshold": 20,
        "auto_recharge_amount_usd": body["auto_recharge_amount_usd"],
        "pricing": {"credit_usd": 0.1, "static_ad_credits": 5, "full_ad_credits": 15},
    }


def test_usage_is_newest_first_and_paginated(api, workspace, ready_brand, funded):
    job_id = api.post("/v1/ads/generate", {"format": "static"}).json()["delivery_id"]

    first = api.get("/v1/usage", {"limit": 2}).json()

    assert [t["type"] for t in first["transactions"]] == ["Debit", "Grant"]
    assert first["transactions"][0]["credits"] == -5
    assert first["transactions"][0]["balance_after"] == 245
    assert first["transactions"][0]["delivery_id"] == job_id
    assert first["has_more"] is True
    rest = api.get("/v1/usage", {"starting_after": first["next_cursor"]}).json()
    assert [t["type"] for t in rest["transactions"]] == ["Bonus"]
    assert rest == {**rest, "has_more": False, "next_cursor": None}
    assert api.get("/v1/usage", {"starting_after": "txn_x"}).json()["error"]["code"] == \
        "invalid_cursor"
    assert api.get("/v1/usage", {"limit": 0}).json()["error"]["code"] == "invalid_limit"


def test_reads_need_their_scopes(workspace):
    from api.keys import api_key_create
    from tests.api.conftest import ApiClient

    writer = ApiClient(api_key_create(workspace=workspace, name="w",
                                      scopes=["generations:write"]).plaintext)

    for path, scope in (("/v1/balance", "credits:read"), ("/v1/usage", "credits:read"),
                        ("/v1/styles", "generations:read"), ("/v1/brands", "brands:read"),
                        ("/v1/deliveries/recX", "generations:read")):
        response = writer.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "insufficient_scope"
        assert scope in response.json()["error"]["message"]


def test_the_delivery_and_its_webhook_share_one_shape(api, workspace, ready_brand):
    from api.webhooks import job_event_payload

    job = _completed_job(workspace, ready_brand)
    webhook = job_event_payload(job)

    body = api.get(f"/v1/deliveries/{job.public_id}").json()

    assert webhook["event"] == "delivery.completed"
    assert {k: v for k, v in webhook.items() if k != "event"} == {
        k: v for k, v in body.items() if k in webhook}
