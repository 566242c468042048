"""UGC scripts by the chat provider, against the local fake of the protocol: the request
(structured output, language, word target), the rules an answer must meet, re-ask once, the
local script when the answer fails twice or the provider is down, and a UGC job whose video
is captioned with the model's words."""

from __future__ import annotations

import json

import pytest

from generations import pipeline, ugc
from generations.inputs import brand_spec_for, product_spec_for
from generations.models import ConceptStatus, JobStatus, ProviderCall
from generations.providers import registry
from generations.providers.chat import SCRIPT_SCHEMA, ChatScriptWriter, script_problems
from generations.render import BrandSpec, ProductSpec
from generations.render.ugc import frame_size
from generations.render.ugc.captions import CaptionStyle, pages_of
from generations.render.ugc.script import LEAD_IN, TAIL, LocalScriptWriter, Script, timed_words
from generations.services import submit_job

pytestmark = pytest.mark.django_db

BRAND = BrandSpec(name="Lumen Skin", tagline="Skin that glows from within",
                  tone="warm, expert, reassuring", language="en",
                  value_props=("Dermatologist tested", "Vegan formula"))
PRODUCT = ProductSpec(name="Glow Serum", description="Vitamin C brightening serum")
ARGS = {"brand": BRAND, "product": PRODUCT, "prompt": "Natural creator testimonial",
        "duration": 15.0, "template": "ugc-product-video", "seed": 4}
# What the fake answers a 15 s English brief (38 words): its short script plus four
# padding sentences.
FAKE_15S = {"hook": ["I need to talk about Glow Serum."],
            "problem": ["My skin felt dull.", "Nothing I tried ever helped."],
            "product": ["Glow Serum changed that.", "It sinks in within seconds.",
                        "One drop covers my whole face."],
            "proof": ["Friends noticed fast.", "My morning glow is back."],
            "cta": ["Tap the link."]}


@pytest.fixture
def rendered(monkeypatch):
    """The UGC videos the pipeline renders, as the engine returned them (the stored concept
    report keeps only the gate summary, not what was said)."""
    from generations.render import ugc as engine

    files = []
    real = engine.render_ugc_video

    def render(**kwargs):
        files.append(real(**kwargs))
        return files[-1]

    monkeypatch.setattr(engine, "render_ugc_video", render)
    return files


@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *a: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *a: None)


def _writer() -> ChatScriptWriter:
    writer = registry.script_writer()
    assert isinstance(writer, ChatScriptWriter)
    return writer


def _lines(script: Script) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in script.lines:
        out.setdefault(line.section, []).append(line.text)
    return out


def test_the_request_is_structured_in_the_brands_language_with_the_word_target(
        chat, chat_model):
    spanish = BrandSpec(name="Lumen Skin", tone="cercano", language="es-ES",
                        value_props=("Fórmula vegana",))
    script = _writer().write(**{**ARGS, "brand": spanish})

    [seen] = chat.seen
    assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
    body = seen.json()
    assert body["model"] == "fake-chat-model"
    assert body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "ugc_script", "strict": True, "schema": SCRIPT_SCHEMA}}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert chat_model.bad_requests == []
    [brief] = chat_model.script_briefs
    # 15 s at Spanish's 2.9 words a second, ±15%.
    assert brief["language"] == "es"
    assert brief["words"] == {"target": 44, "min": 38, "max": 50, "words_per_second": 2.9}
    assert brief["brand"] == {"name": "Lumen Skin", "tagline": "", "tone": "cercano",
                              "value_props": ["Fórmula vegana"]}
    assert brief["product"]["name"] == "Glow Serum"
    assert brief["prompt"] == "Natural creator testimonial"
    assert (script.source, script.fallback, script.language) == (
        "chat:fake-chat-model", "", "es")
    assert len(script.words) == 49
    call = ProviderCall.objects.get()
    assert (call.provider, call.capability, call.ok) == ("chat", "copy", True)


def test_the_models_sections_become_the_script(chat, chat_model):
    script = _writer().write(**ARGS)
    assert _lines(script) == FAKE_15S
    assert [line.section for line in script.lines] == [
        "hook", "problem", "problem", "product", "product", "product", "proof", "proof", "cta"]


def test_a_script_off_the_word_count_is_reasked_once_with_the_reasons(chat, chat_model):
    chat_model.mode = "long_once"
    script = _writer().write(**ARGS)

    assert (script.source, script.fallback) == ("chat:fake-chat-model", "")
    assert _lines(script) == FAKE_15S
    _first, second = (s.json()["messages"] for s in chat.seen)
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[3]["content"] == ("That script cannot be used: the script has 118 words; it "
                                    "must have 33 to 43. Write it again within the limits.")


def test_a_script_failing_twice_is_the_local_writers_and_says_why(chat, chat_model):
    chat_model.mode = "long"
    script = _writer().write(**ARGS)

    local = LocalScriptWriter().write(**ARGS)
    assert script.lines == local.lines
    assert (script.source, script.fallback) == (
        "local", "chat script rejected twice: the script has 118 words; it must have 33 to 43")
    assert len(chat.seen) == 2


def test_a_refused_script_is_asked_again(chat, chat_model):
    chat_model.mode = "refuse_once"
    script = _writer().write(**ARGS)
    assert script.source == "chat:fake-chat-model"
    assert len(chat.seen) == 2


def test_provider_down_means_the_local_script(chat, chat_model, waits):
    chat_model.mode = "down"
    script = _writer().write(**ARGS)
    assert script.lines == LocalScriptWriter().write(**ARGS).lines
    assert (script.source, script.fallback) == (
        "local", "chat: chat answered 503: The engine is currently overloaded, please try "
        "again later")
    assert len(chat.seen) == 3 and len(waits) == 2


def test_the_script_rules():
    whole = {section: list(lines) for section, lines in FAKE_15S.items()}
    assert script_problems(whole, target=38) == []
    assert script_problems({**whole, "proof": []}, target=38) == [
        "the proof section is empty"]
    assert script_problems({**whole, "hook": ["I need to talk about"]}, target=38) == [
        "the hook section is not whole sentences (it is cut off)"]
    assert script_problems({**whole, "cta": ["Tap the link...", "Tap the link."]},
                           target=42) == [
        "the cta section is not whole sentences (it is cut off)",
        "the cta section says the same line twice"]
    assert script_problems({**whole, "proof": ["Glow Serum changed that!",
                                               "My morning glow is back."]},
                           target=38) == ["the proof section repeats the product section"]
    assert script_problems(whole, target=30) == [
        "the script has 42 words; it must have 26 to 34"]


def test_a_workspace_forbidding_paid_providers_gets_the_local_writer(workspace, chat):
    assert isinstance(registry.script_writer(workspace=workspace), ChatScriptWriter)
    workspace.allow_paid_providers = False
    workspace.save()
    assert registry.script_writer(workspace=workspace) is None


# --------------------------------------------------------------------------- the pipeline
def _ugc_job(*, workspace, brand, product):
    brief = ugc.ugc_brief(presenter=ugc.presenter_resolve(workspace=workspace, avatar_id=None),
                          tier="low", duration=8, brand_id=brand.pk, product_ids=(product.pk,),
                          prompt="Natural creator testimonial for a skincare serum",
                          workspace=workspace)
    job = submit_job(workspace=workspace, brief=brief).job
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def _caption_pages(script_lines: list[dict], *, heading: str) -> int:
    """How many caption pages the renderer draws for these lines of an 8 s low-tier video."""
    from generations.render.ugc.script import ScriptLine

    script = Script(lines=tuple(ScriptLine(line["section"], line["text"])
                                for line in script_lines), language="en")
    style = CaptionStyle(size=frame_size("9:16", 2 / 3), family=heading, highlight=(0, 0, 0))
    return len(pages_of(timed_words(script, start=LEAD_IN, end=8 - TAIL),
                        max_chars=style.max_chars))


def test_a_ugc_jobs_script_and_captions_come_from_the_chat_model(
        workspace, brand, product, credits, chat, chat_model, no_publish, rendered,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _ugc_job(workspace=workspace, brand=brand, product=product)

    assert job.status == JobStatus.COMPLETED and job.credits_refunded == 0
    concept = job.concepts.get()
    assert concept.status == ConceptStatus.COMPLETED
    assert (concept.copy_source, concept.copy_fallback) == ("chat:fake-chat-model", "")
    [brief] = chat_model.script_briefs
    assert brief["language"] == "en" and brief["duration_seconds"] == 8.0
    assert brief["words"]["target"] == 20  # 8 s at 2.5 words a second
    expected = chat_model.script_for(brief, words=20)
    [video] = rendered
    shipped = video.gate_report
    assert (video.width, video.height, video.duration) == (720, 1280, 8.0)
    assert shipped["script"] == [{"section": section, "text": text}
                                 for section, lines in expected.items() for text in lines]
    assert shipped["video"]["captions"]["pages"] == _caption_pages(shipped["script"],
                                                                   heading="Inter")
    assert concept.headline == "I need to talk about Glow Serum."
    assert concept.body == "Glow Serum changed that."
    assert ProviderCall.objects.filter(job=job, provider="chat", capability="copy",
                                       ok=True).count() == 2  # the ad copy, then the script


def test_a_rule_breaking_script_is_reasked_then_the_local_one_ships(
        workspace, brand, product, credits, chat, chat_model, no_publish, rendered,
        django_capture_on_commit_callbacks):
    chat_model.mode = "long"
    with django_capture_on_commit_callbacks(execute=True):
        job = _ugc_job(workspace=workspace, brand=brand, product=product)

    assert job.status == JobStatus.COMPLETED and job.credits_refunded == 0
    concept = job.concepts.get()
    assert (concept.copy_source, concept.copy_fallback) == (
        "local", "chat script rejected twice: the script has 64 words; it must have 17 to 23")
    assert len(chat_model.script_briefs) == 2
    [video] = rendered
    local = LocalScriptWriter().write(
        brand=brand_spec_for(brand, include_logo=False),
        product=product_spec_for(product, include_image=False),
        prompt="Natural creator testimonial for a skincare serum", duration=8,
        template="ugc-product-video", seed=concept.seed)
    assert video.gate_report["script"] == [{"section": line.section, "text": line.text}
                                           for line in local.lines]
    assert "Friends noticed fast." not in json.dumps(video.gate_report["script"])


def test_provider_down_the_ugc_job_completes_with_the_local_script(
        workspace, brand, product, credits, chat, chat_model, no_publish, waits,
        django_capture_on_commit_callbacks):
    chat_model.mode = "down"
    with django_capture_on_commit_callbacks(execute=True):
        job = _ugc_job(workspace=workspace, brand=brand, product=product)

    assert job.status == JobStatus.COMPLETED and job.credits_refunded == 0
    concept = job.concepts.get()
    assert concept.status == ConceptStatus.COMPLETED
    assert (concept.copy_source, concept.copy_fallback) == (
        "local", "chat: chat answered 503: The engine is currently overloaded, please try "
        "again later")
    assert concept.assets.filter(kind="video").count() == 1
