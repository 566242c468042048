"""The chat-completions adapter against a local fake of the protocol: request shape, slot
limits, re-ask once, fallback to the local writer, and the pipeline writing a job's copy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.services import account_for_workspace
from brands.scrape.crawl import scrape_site
from generations import pipeline
from generations.briefs import AdBrief, concept_credits
from generations.models import ConceptStatus, JobStatus, ProviderBreaker, ProviderCall
from generations.providers import breaker, registry
from generations.providers.chat import COPY_SCHEMA, ChatCopywriter
from generations.render import BrandSpec, Copy, LocalCopywriter, ProductSpec
from generations.render.capacity import slot_capacity
from generations.render.copy import fits_slot
from generations.services import submit_job
from tests.brands.sites import FixtureSite
from tests.providers.chat_fake import completion
from tests.providers.fakes import Reply

pytestmark = pytest.mark.django_db

BRAND = BrandSpec(name="Lumen Skin", tagline="Skin that glows from within",
                  tone="warm, expert, reassuring", language="en",
                  value_props=("Dermatologist tested", "Vegan formula"))
PRODUCT = ProductSpec(name="Glow Serum", description="Vitamin C brightening serum")
ARGS = {"brand": BRAND, "product": PRODUCT, "angle": "benefit outcome",
        "template_slug": "product-hero", "avoid_headlines": set(), "seed": 4,
        "max_headline_words": 7, "aspect_classes": ("tall", "portrait")}


@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *a: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *a: None)


def _writer() -> ChatCopywriter:
    writer = registry.copy_writer()
    assert isinstance(writer, ChatCopywriter)
    return writer


def _local() -> Copy:
    return LocalCopywriter().write(**ARGS)


def test_no_chat_provider_means_the_local_writer(settings):
    assert settings.PROVIDERS["chat"]["enabled"] is False
    assert registry.copy_writer() is None


def test_request_has_the_documented_shape_and_the_slot_limits(chat, chat_model):
    copy = _writer().write(**ARGS)

    assert copy == Copy(headline="Glow that lasts all day",
                        body="Vitamin C brightens dull skin in seven days.",
                        cta="Shop the glow", source="chat:fake-chat-model")
    [seen] = chat.seen
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.headers["content-type"] == "application/json"
    body = seen.json()
    assert body["model"] == "fake-chat-model"
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "ad_copy", "strict": True, "schema": COPY_SCHEMA}}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert chat_model.bad_requests == []
    h = slot_capacity("product-hero", "headline", "latin", ("tall", "portrait"))
    b = slot_capacity("product-hero", "body", "latin", ("tall", "portrait"))
    [brief] = chat_model.briefs
    assert brief["limits"] == {
        "headline": {"max_characters": h[0], "max_lines": h[1],
                     "max_characters_per_line": h[2], "max_words": 7},
        "body": {"max_characters": b[0], "max_lines": b[1], "max_characters_per_line": b[2]},
        "cta": {"max_characters": 24, "max_words": 4}}
    assert brief["brand"] == {"name": "Lumen Skin", "tagline": "Skin that glows from within",
                              "tone": "warm, expert, reassuring", "language": "en",
                              "value_props": ["Dermatologist tested", "Vegan formula"]}
    call = ProviderCall.objects.get()
    assert (call.provider, call.capability, call.model, call.ok, call.status) == (
        "chat", "copy", "fake-chat-model", True, 200)


def test_json_mode_servers_get_the_schema_in_the_system_message(chat, chat_model, settings):
    settings.PROVIDERS = {**settings.PROVIDERS, "chat": {**settings.PROVIDERS["chat"],
                                                         "response_format": "json_object"}}
    copy = _writer().write(**ARGS)
    assert copy.source == "chat:fake-chat-model"
    body = chat.seen[0].json()
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0]["content"].endswith(json.dumps(COPY_SCHEMA))
    assert chat_model.bad_requests == []


def test_copy_that_does_not_fit_is_reasked_once_with_the_reasons(chat, chat_model):
    chat_model.mode = "long_once"
    copy = _writer().write(**ARGS)

    assert copy.source == "chat:fake-chat-model" and copy.fallback == ""
    assert copy.headline == "Glow that lasts all day"
    _first, second = (s.json()["messages"] for s in chat.seen)
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[3]["content"] == (
        "That copy cannot be used: the headline does not fit its slot; the headline has more "
        "than 7 words. Write it again within the limits.")
    assert json.loads(second[2]["content"])["headline"].startswith("An extraordinarily")


def test_copy_failing_twice_falls_back_to_the_local_line_and_says_why(chat, chat_model):
    chat_model.mode = "long"
    copy = _writer().write(**ARGS)

    local = _local()
    assert (copy.headline, copy.body, copy.cta, copy.source) == (
        local.headline, local.body, local.cta, "local")
    assert copy.fallback == ("chat copy rejected twice: the headline does not fit its slot; "
                             "the headline has more than 7 words")
    assert len(chat.seen) == 2


def test_a_refusal_is_asked_again(chat, chat_model):
    chat_model.mode = "refuse_once"
    copy = _writer().write(**ARGS)
    assert copy.source == "chat:fake-chat-model"
    assert len(chat.seen) == 2


def test_a_repeated_headline_is_a_rule_failure(chat, chat_model):
    from generations.providers.chat import copy_problems

    problems = copy_problems(
        Copy(headline="Meet your daily glow", body="Meet your daily glow.", cta="Shop now"),
        brand=BRAND, product=PRODUCT, template_slug="product-hero",
        aspect_classes=("tall", "portrait"), max_headline_words=7,
        avoid={"meet your daily glow"})
    assert problems == ["the headline repeats one already used in this batch",
                        "the body restates the headline"]
    cut = copy_problems(Copy(headline="Glow and", body="Bright skin with", cta="Shop now"),
                        brand=BRAND, product=PRODUCT, template_slug="product-hero",
                        aspect_classes=("tall", "portrait"), max_headline_words=7, avoid=set())
    assert cut == ["the headline is cut off mid-phrase",
                   "the body is not whole sentences (it is cut off)"]


def test_a_testimonial_body_is_an_attribution(chat, chat_model):
    from generations.providers.chat import copy_problems

    quote = Copy(headline="I keep coming back to it", body="Sam K., verified customer",
                 cta="Shop now")
    assert copy_problems(quote, brand=BRAND, product=PRODUCT, template_slug="testimonial-card",
                         aspect_classes=("tall", "portrait"), max_headline_words=7,
                         avoid=set()) == []
    _writer().write(**{**ARGS, "template_slug": "testimonial-card"})
    assert chat_model.briefs[0]["template"]["role"].startswith(
        "The headline is a short first-person customer quote")


def test_provider_down_retries_then_falls_back(chat, chat_model, waits):
    chat_model.mode = "down"
    copy = _writer().write(**ARGS)
    assert copy.headline == _local().headline and copy.source == "local"
    assert copy.fallback == ("chat: chat answered 503: The engine is currently overloaded, "
                             "please try again later")
    assert len(chat.seen) == 3 and len(waits) == 2
    assert ProviderCall.objects.get().attempts == 3


def test_a_wrong_key_is_not_retried(chat, settings):
    settings.PROVIDERS = {**settings.PROVIDERS,
                          "chat": {**settings.PROVIDERS["chat"], "api_key": "sk-wrong"}}
    copy = _writer().write(**ARGS)
    assert copy.source == "local"
    assert copy.fallback == ("chat: chat refused the credentials: Incorrect API key provided: "
                             "sk-w***.")
    assert len(chat.seen) == 1
    assert ProviderBreaker.objects.get(provider="chat").consecutive_failures == 1


def test_malformed_answers_are_retried(chat):
    good = {"headline": "Radiance, made simple", "body": "A vegan formula that sinks in fast.",
            "cta": "Shop now"}
    chat.replies["/v1/chat/completions"] = [
        Reply(200, completion("{not json", model="fake-chat-model")),
        Reply(200, {"choices": []}),
        Reply(200, completion(json.dumps(good), model="fake-chat-model"))]
    copy = _writer().write(**ARGS)
    assert (copy.headline, copy.source) == ("Radiance, made simple", "chat:fake-chat-model")
    assert len(chat.seen) == 3
    assert ProviderCall.objects.get().attempts == 3


# --------------------------------------------------------------------------- the pipeline
def _run(job):
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def test_count_3_job_copy_comes_from_the_chat_model_and_fits_every_slot(
        workspace, brand, product, credits, chat, chat_model, no_publish,
        django_capture_on_commit_callbacks):
    brief = AdBrief(count=3, format="static")
    job = submit_job(workspace=workspace, brief=brief).job
    with django_capture_on_commit_callbacks(execute=True):
        job = _run(job)

    assert job.status == JobStatus.COMPLETED and job.credits_refunded == 0
    concepts = list(job.concepts.order_by("index"))
    assert [c.status for c in concepts] == [ConceptStatus.COMPLETED] * 3
    assert [c.copy_source for c in concepts] == ["chat:fake-chat-model"] * 3
    assert [c.copy_fallback for c in concepts] == [""] * 3
    assert len(chat_model.briefs) == 3
    brand_spec = BrandSpec(name=brand.name, language="en")
    for concept in concepts:
        spec = ProductSpec(name=concept.product_name)
        assert concept.cta == "Shop the glow"
        for slot, text in (("headline", concept.headline), ("body", concept.body)):
            if slot_capacity(concept.template_slug, slot)[0]:
                assert fits_slot(text, brand=brand_spec, product=spec,
                                 template_slug=concept.template_slug, slot=slot,
                                 aspect_classes=("tall", "portrait")), (slot, text)
        # The shipped render used the model's lines.
        shipped = json.dumps(concept.render_report)
        assert concept.headline in shipped
    assert len({c.headline for c in concepts}) == 3
    assert ProviderCall.objects.filter(job=job, provider="chat", ok=True).count() == 3


def test_half_failing_chat_completes_every_job_by_retry_with_exact_charges(
        workspace, brand, product, credits, chat, chat_model, no_publish, waits,
        django_capture_on_commit_callbacks):
    chat_model.mode = "fail_every_other"
    brief = AdBrief(count=3, format="static")
    price = concept_credits(brief) * 3
    jobs = []
    for _ in range(2):
        job = submit_job(workspace=workspace, brief=brief).job
        with django_capture_on_commit_callbacks(execute=True):
            jobs.append(_run(job))

    for job in jobs:
        assert job.status == JobStatus.COMPLETED
        assert (job.credits_charged, job.credits_refunded) == (price, 0)
        assert [c.copy_source for c in job.concepts.all()] == ["chat:fake-chat-model"] * 3
    assert account_for_workspace(workspace).balance == 500 - 2 * price
    assert len(chat.seen) == 12 and len(waits) == 6  # every call: one 500, one retry
    assert breaker.state("chat") == "closed"


def test_breaker_opens_on_a_dead_provider_and_closes_when_it_is_back(
        workspace, brand, product, credits, chat, chat_model, no_publish, settings,
        django_capture_on_commit_callbacks):
    settings.PROVIDER_BREAKER_FAILURES = 2
    chat_model.mode = "down"
    brief = AdBrief(count=3, format="static")
    price = concept_credits(brief) * 3
    job = submit_job(workspace=workspace, brief=brief).job
    with django_capture_on_commit_callbacks(execute=True):
        job = _run(job)

    assert job.status == JobStatus.COMPLETED and job.credits_refunded == 0
    fallbacks = [c.copy_fallback for c in job.concepts.order_by("index")]
    assert fallbacks[:2] == ["chat: chat answered 503: The engine is currently overloaded, "
                             "please try again later"] * 2
    assert fallbacks[2] == ("chat: The chat provider failed repeatedly; it is paused for a "
                            "moment.")
    assert [c.copy_source for c in job.concepts.all()] == ["local"] * 3
    assert len(chat.seen) == 6  # two calls of three attempts; the third was never sent
    assert breaker.state("chat") == "open"

    # The cool-down passes and the provider is back: the probe succeeds and closes it.
    chat_model.mode = "fit"
    ProviderBreaker.objects.filter(provider="chat").update(
        opened_at=timezone.now() - timedelta(seconds=settings.PROVIDER_BREAKER_COOLDOWN_SECONDS
                                             + 1))
    second = submit_job(workspace=workspace, brief=brief).job
    with django_capture_on_commit_callbacks(execute=True):
        second = _run(second)
    assert [c.copy_source for c in second.concepts.all()] == ["chat:fake-chat-model"] * 3
    assert breaker.state("chat") == "closed"
    assert account_for_workspace(workspace).balance == 500 - 2 * price


def test_a_workspace_forbidding_paid_providers_gets_local_copy(
        workspace, brand, product, credits, chat, no_publish,
        django_capture_on_commit_callbacks):
    workspace.allow_paid_providers = False
    workspace.save()
    job = submit_job(workspace=workspace, brief=AdBrief(count=1, format="static")).job
    with django_capture_on_commit_callbacks(execute=True):
        job = _run(job)
    assert job.concepts.get().copy_source == "local"
    assert chat.seen == []


# --------------------------------------------------------------------------- brand reading
def test_brand_reading_from_the_site_text(chat, chat_model, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    site = FixtureSite("cssvars").start()
    try:
        result = scrape_site(site.url, voice_describer=registry.brand_voice_describer())
    finally:
        site.stop()
    assert result.found["tone_of_voice"] == {"value": "warm, expert, reassuring",
                                             "source": "chat model"}
    assert result.found["audience"] == {"value": "adults with dull skin",
                                        "source": "chat model"}
    assert result.found["value_props"] == {
        "value": ["Dermatologist tested", "Visible glow in 7 days", "Vegan formula"],
        "source": "chat model"}
    [seen] = [s for s in chat.seen if s.path == "/v1/chat/completions"]
    body = seen.json()
    assert body["response_format"]["json_schema"]["name"] == "brand_dna"
    sent = json.loads(body["messages"][1]["content"])
    assert sent["site_text"] and len(sent["site_text"]) <= 12_000
    assert ProviderCall.objects.get().capability == "brand_reading"
