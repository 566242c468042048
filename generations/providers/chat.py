"""OpenAI-compatible chat completions with JSON-schema structured output: copy and brand reading.

Works against OpenAI and any server speaking the same protocol (llama.cpp's ``llama-server``,
Ollama, vLLM): ``POST {base}/chat/completions`` with ``response_format = {"type":
"json_schema", "json_schema": {"name", "strict": true, "schema"}}``; the answer's
``choices[0].message.content`` is the JSON document (``message.refusal`` is set instead when
the model declines).

Copy is one more layer over the local engine: the model is told each slot's capacity (from
``generations.render.capacity``), and its answer is checked against the same capacity and the
copy rules (whole sentences, a headline not used before in the job, a body that does not
restate the headline). A failing answer is re-asked once with the reasons; a second failure,
or any provider error, falls back to the local copywriter's line, and the returned ``Copy``
says so (``source``/``fallback``), which the pipeline records on the concept.

UGC scripts go the same way (``ChatScriptWriter``): one request for the five sections, told
the word count the duration holds at the language's pace; an answer missing a section, with
a line cut off, off the word count by more than 15% or repeating itself is re-asked once,
then the local script writer's script is used and the ``Script`` says why.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import replace
from typing import Any

from generations import catalogue
from generations.render.capacity import slot_capacity
from generations.render.copy import ROLE_OF_TEMPLATE, LocalCopywriter, fits_slot, script_of
from generations.render.specs import BrandSpec, Copy, ProductSpec
from generations.render.ugc.script import (
    DEFAULT_WPS,
    SECTIONS,
    WORDS_PER_SECOND,
    LocalScriptWriter,
    Script,
    ScriptLine,
    language_of,
    word_budget,
)

from .base import (
    BRAND_READING,
    COPY,
    NO_CONTEXT,
    BrandReading,
    CallContext,
    ProviderError,
    ProviderUnavailable,
)
from .http import Malformed, ProviderClient, ProviderResponse

logger = logging.getLogger(__name__)

CTA_MAX_CHARS = 24
CTA_MAX_WORDS = 4
READ_MAX_CHARS = 12_000  # the page text sent for brand reading (most sites say it all sooner)
_ENDS_SENTENCE = re.compile(r"[.!?…。！？»”\"')]$")
_DANGLING = {"and", "or", "but", "with", "for", "to", "the", "a", "an", "of", "y", "et", "und",
             "de", "la", "le", "mit", "avec", "con"}

# What a template's text means when it has a role (the local writer's ROLE_OF_TEMPLATE).
ROLE_HINTS = {
    "testimonial": "The headline is a short first-person customer quote about the product; "
                   "the body is only the attribution, a first name and initial followed by "
                   "', verified customer' (in the brand's language).",
    "ritual": "The headline introduces a three-step routine (the steps are drawn separately).",
    "comparison": "The headline frames a comparison of the product with the ordinary "
                  "alternative (the two sides are drawn separately).",
    "ugc": "The headline reads like a creator's own caption, casual and first person.",
}

COPY_SCHEMA = {
    "type": "object",
    "properties": {
        "headline": {"type": "string", "description": "The ad's headline."},
        "body": {"type": "string", "description": "One or two whole sentences; empty when "
                 "the template has no body."},
        "cta": {"type": "string", "description": "The call to action on the button."},
    },
    "required": ["headline", "body", "cta"],
    "additionalProperties": False,
}

BRAND_SCHEMA = {
    "type": "object",
    "properties": {
        "tone": {"type": "string", "description": "The brand's tone of voice in a few words."},
        "audience": {"type": "string", "description": "Who the brand sells to, one phrase."},
        "value_props": {"type": "array", "items": {"type": "string"},
                        "description": "Up to six short value propositions, the brand's own "
                        "claims, each a phrase."},
        "language": {"type": "string", "description": "ISO 639-1 code of the site's language."},
    },
    "required": ["tone", "audience", "value_props", "language"],
    "additionalProperties": False,
}


SCRIPT_WORD_TOLERANCE = 0.15
SECTION_HINTS = {
    "hook": "The first second: a line that stops the scroll.",
    "problem": "The problem the viewer has, in the creator's own words.",
    "product": "The product moment: what it is and what it does, from the brief's claims.",
    "proof": "The proof: what changed for the creator since using it.",
    "cta": "The call to action the video ends on.",
}
UGC_TEMPLATE_HINTS = {
    "ugc-product-video": "A creator testimonial talking to camera.",
    "ugc-review": "An honest review: the hook is a question the creator then answers.",
}
SCRIPT_SCHEMA = {
    "type": "object",
    "properties": {section: {"type": "array", "items": {"type": "string"},
                             "description": f"{hint} One or more whole spoken sentences."}
                   for section, hint in SECTION_HINTS.items()},
    "required": list(SECTIONS),
    "additionalProperties": False,
}


def response_format(name: str, schema: dict) -> dict:
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True,
                                                   "schema": schema}}


def structured_payload(config: dict, *, name: str, schema: dict, messages: list[dict],
                       **options: Any) -> dict:
    """The request body asking for a JSON answer matching ``schema``. Servers without
    structured outputs (``PROVIDER_CHAT_RESPONSE_FORMAT=json_object``: JSON mode only) get the
    schema in the system message instead; the answer is checked the same way either way."""
    body = {"model": config.get("model", ""), "messages": messages, **options}
    if config.get("response_format") == "json_object":
        schema_text = ("Answer with one JSON object matching this JSON schema, nothing else: "
                       + json.dumps(schema, ensure_ascii=False))
        body["messages"] = [{**messages[0], "content": messages[0]["content"] + "\n\n"
                             + schema_text}, *messages[1:]]
        body["response_format"] = {"type": "json_object"}
    else:
        body["response_format"] = response_format(name, schema)
    return body


def parse_structured(response: ProviderResponse) -> dict | str:
    """The JSON object a structured-output answer carries, or the refusal text (a ``str``)."""
    body = response.json()
    message = body["choices"][0]["message"]
    if message.get("refusal"):
        return str(message["refusal"])
    content = message.get("content")
    if not isinstance(content, str):
        raise Malformed("message.content is not a string")
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise Malformed(f"message.content is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise Malformed("message.content is not a JSON object")
    return data


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def copy_problems(copy: Copy, *, brand: BrandSpec, product: ProductSpec, template_slug: str,
                  aspect_classes: tuple[str, ...], max_headline_words: int,
                  avoid: set[str] | frozenset[str]) -> list[str]:
    """Why ``copy`` may not ship (empty: it may), in words the model is re-asked with."""
    problems = []
    headline, body, cta = copy.headline.strip(), copy.body.strip(), copy.cta.strip()

    def fits(text: str, slot: str) -> bool:
        return fits_slot(text, brand=brand, product=product, template_slug=template_slug,
                         slot=slot, aspect_classes=aspect_classes)

    if not headline:
        problems.append("the headline is empty")
    elif not fits(headline, "headline"):
        problems.append("the headline does not fit its slot")
    if len(headline.split()) > max_headline_words:
        problems.append(f"the headline has more than {max_headline_words} words")
    if headline and headline.split()[-1].casefold().strip(",;:") in _DANGLING:
        problems.append("the headline is cut off mid-phrase")
    if headline.endswith((",", ";", ":", "...")):
        problems.append("the headline is cut off mid-phrase")
    if _key(headline) in {_key(a) for a in avoid}:
        problems.append("the headline repeats one already used in this batch")
    has_body = slot_capacity(template_slug, "body", script_of(brand, product),
                             aspect_classes)[0] > 0
    if has_body:
        if not body:
            problems.append("the body is empty")
        elif not fits(body, "body"):
            problems.append("the body does not fit its slot")
        elif ROLE_OF_TEMPLATE.get(template_slug) == "testimonial":
            pass  # the body is an attribution, not a sentence
        elif not _ENDS_SENTENCE.search(body) or body.endswith(("...", "…")):
            problems.append("the body is not whole sentences (it is cut off)")
        hk, bk = _key(headline), _key(body)
        if hk and bk and (bk == hk or bk.startswith(hk) or hk.startswith(bk)):
            problems.append("the body restates the headline")
    if not cta or len(cta) > CTA_MAX_CHARS or len(cta.split()) > CTA_MAX_WORDS:
        problems.append(f"the CTA must be 1 to {CTA_MAX_WORDS} words and at most "
                        f"{CTA_MAX_CHARS} characters")
    return list(dict.fromkeys(problems))


class ChatCopywriter:
    """A ``CopyProvider`` backed by a chat model (see module docstring)."""

    def __init__(self, *, client: ProviderClient, context: CallContext = NO_CONTEXT,
                 fallback: LocalCopywriter | None = None) -> None:
        self.client = client
        self.context = context
        self.fallback = fallback or LocalCopywriter()

    @property
    def model(self) -> str:
        return str(self.client.config.get("model", ""))

    def write(self, *, brand: BrandSpec, product: ProductSpec, angle: str, template_slug: str,
              avoid_headlines: frozenset[str] | set[str] = frozenset(), seed: int = 0,
              max_headline_words: int = 7,
              aspect_classes: tuple[str, ...] = ("tall", "portrait")) -> Copy:
        def local(reason: str) -> Copy:
            copy = self.fallback.write(
                brand=brand, product=product, angle=angle, template_slug=template_slug,
                avoid_headlines=avoid_headlines, seed=seed,
                max_headline_words=max_headline_words, aspect_classes=aspect_classes)
            return replace(copy, source="local", fallback=reason[:300])

        messages = self._messages(brand=brand, product=product, angle=angle,
                                  template_slug=template_slug, avoid=avoid_headlines,
                                  max_headline_words=max_headline_words,
                                  aspect_classes=aspect_classes)
        problems: list[str] = []
        for attempt in range(2):
            try:
                answer = self._ask(messages, seed=seed + attempt)
            except (ProviderError, ProviderUnavailable) as exc:
                logger.info("chat copy fell back to the local writer: %s", exc.message)
                return local(f"{self.client.name}: {exc.message}")
            if isinstance(answer, str):
                problems = [f"the model declined: {answer}"]
                messages = [*messages, {"role": "user", "content": "Please write the ad "
                                        "copy as asked; it is ordinary product advertising."}]
                continue
            copy = Copy(headline=str(answer.get("headline", "")).strip(),
                        body=str(answer.get("body", "")).strip(),
                        cta=str(answer.get("cta", "")).strip(),
                        source=f"{self.client.name}:{self.model}")
            problems = copy_problems(copy, brand=brand, product=product,
                                     template_slug=template_slug,
                                     aspect_classes=aspect_classes,
                                     max_headline_words=max_headline_words,
                                     avoid=avoid_headlines)
            if not problems:
                return copy
            messages = [
                *messages,
                {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
                {"role": "user", "content": "That copy cannot be used: " + "; ".join(problems)
                 + ". Write it again within the limits."}]
        return local(f"{self.client.name} copy rejected twice: " + "; ".join(problems))

    def _ask(self, messages: list[dict], *, seed: int) -> dict | str:
        payload = structured_payload(self.client.config, name="ad_copy", schema=COPY_SCHEMA,
                                     messages=messages, temperature=0.7, seed=seed)
        return self.client.call("POST", "/chat/completions", capability=COPY, model=self.model,
                                json=payload, parse=parse_structured, context=self.context)

    def _messages(self, *, brand: BrandSpec, product: ProductSpec, angle: str,
                  template_slug: str, avoid: set[str] | frozenset[str],
                  max_headline_words: int, aspect_classes: tuple[str, ...]) -> list[dict]:
        script = script_of(brand, product)
        h_chars, h_lines, h_per_line = slot_capacity(template_slug, "headline", script,
                                                     aspect_classes)
        b_chars, b_lines, b_per_line = slot_capacity(template_slug, "body", script,
                                                     aspect_classes)
        template = catalogue.template_by_slug(template_slug)
        brief = {
            "brand": {"name": brand.name, "tagline": brand.tagline, "tone": brand.tone,
                      "language": brand.language, "value_props": list(brand.value_props)},
            "product": {"name": product.name, "description": product.description[:600],
                        "price": product.price or "", "currency": product.currency},
            "copy_angle": angle,
            "template": {"name": template.get("name", template_slug),
                         "description": template.get("description", ""),
                         **({"role": ROLE_HINTS[role]}
                            if (role := ROLE_OF_TEMPLATE.get(template_slug)) in ROLE_HINTS
                            else {})},
            "limits": {
                "headline": {"max_characters": h_chars, "max_lines": h_lines,
                             "max_characters_per_line": h_per_line,
                             "max_words": max_headline_words},
                "body": ({"max_characters": b_chars, "max_lines": b_lines,
                          "max_characters_per_line": b_per_line} if b_chars
                         else "no body slot: leave body empty"),
                "cta": {"max_characters": CTA_MAX_CHARS, "max_words": CTA_MAX_WORDS},
            },
            "do_not_use": sorted(a for a in avoid if a)[:40],
        }
        system = (
            "You are a senior performance-marketing copywriter. Write one ad's headline, body "
            "and call to action for the brief. Write in the brand's language (ISO 639-1 code "
            "in brand.language) and its tone of voice. Stay within every limit: characters "
            "include spaces; no word may be longer than a line. The body is one or two whole "
            "sentences ending in punctuation and says something the headline does not. Never "
            "reuse a line from do_not_use. Claim only what the brief states; no prices unless "
            "given, no emoji, no hashtags.")
        return [{"role": "system", "content": system},
                {"role": "user", "content": json.dumps(brief, ensure_ascii=False)}]


def script_word_range(target: int) -> tuple[int, int]:
    """The fewest and most words a script for ``target`` may have."""
    return (math.ceil(target * (1 - SCRIPT_WORD_TOLERANCE)),
            math.floor(target * (1 + SCRIPT_WORD_TOLERANCE)))


def script_problems(sections: dict[str, list[str]], *, target: int) -> list[str]:
    """Why a script (section -> lines) may not be spoken (empty: it may), in words the model
    is re-asked with."""
    problems = []
    seen: dict[str, str] = {}  # line key -> the section it was first said in
    for section in SECTIONS:
        lines = sections.get(section) or []
        if not lines:
            problems.append(f"the {section} section is empty")
        for line in lines:
            if not _ENDS_SENTENCE.search(line) or line.endswith(("...", "…")):
                problems.append(f"the {section} section is not whole sentences (it is cut "
                                "off)")
            key = _key(line)
            if key in seen:
                problems.append(f"the {section} section repeats the {seen[key]} section"
                                if seen[key] != section
                                else f"the {section} section says the same line twice")
            seen.setdefault(key, section)
    words = sum(len(line.split()) for lines in sections.values() for line in lines)
    low, high = script_word_range(target)
    if not low <= words <= high:
        problems.append(f"the script has {words} words; it must have {low} to {high}")
    return list(dict.fromkeys(problems))


class ChatScriptWriter:
    """A UGC ``ScriptWriter`` backed by a chat model (see module docstring)."""

    def __init__(self, *, client: ProviderClient, context: CallContext = NO_CONTEXT,
                 fallback: LocalScriptWriter | None = None) -> None:
        self.client = client
        self.context = context
        self.fallback = fallback or LocalScriptWriter()

    @property
    def model(self) -> str:
        return str(self.client.config.get("model", ""))

    def write(self, *, brand: BrandSpec, product: ProductSpec, prompt: str = "",
              duration: float = 15.0, template: str = "ugc-product-video",
              seed: int = 0) -> Script:
        def local(reason: str) -> Script:
            script = self.fallback.write(brand=brand, product=product, prompt=prompt,
                                         duration=duration, template=template, seed=seed)
            return replace(script, source="local", fallback=reason[:300])

        language = language_of(brand)
        target = word_budget(duration, language)
        messages = self._messages(brand=brand, product=product, prompt=prompt,
                                  duration=duration, template=template, language=language,
                                  target=target)
        problems: list[str] = []
        for attempt in range(2):
            try:
                answer = self._ask(messages, seed=seed + attempt)
            except (ProviderError, ProviderUnavailable) as exc:
                logger.info("chat script fell back to the local writer: %s", exc.message)
                return local(f"{self.client.name}: {exc.message}")
            if isinstance(answer, str):
                problems = [f"the model declined: {answer}"]
                messages = [*messages, {"role": "user", "content": "Please write the script "
                                        "as asked; it is ordinary product advertising."}]
                continue
            sections = {section: [" ".join(str(line).split()) for line in lines
                                  if str(line).strip()]
                        for section in SECTIONS
                        if isinstance(lines := answer.get(section), list)}
            problems = script_problems(sections, target=target)
            if not problems:
                return Script(lines=tuple(ScriptLine(section, line) for section in SECTIONS
                                          for line in sections[section]),
                              language=language, source=f"{self.client.name}:{self.model}")
            messages = [
                *messages,
                {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
                {"role": "user", "content": "That script cannot be used: "
                 + "; ".join(problems) + ". Write it again within the limits."}]
        return local(f"{self.client.name} script rejected twice: " + "; ".join(problems))

    def _ask(self, messages: list[dict], *, seed: int) -> dict | str:
        payload = structured_payload(self.client.config, name="ugc_script",
                                     schema=SCRIPT_SCHEMA, messages=messages,
                                     temperature=0.8, seed=seed)
        return self.client.call("POST", "/chat/completions", capability=COPY, model=self.model,
                                json=payload, parse=parse_structured, context=self.context)

    @staticmethod
    def _messages(*, brand: BrandSpec, product: ProductSpec, prompt: str, duration: float,
                  template: str, language: str, target: int) -> list[dict]:
        low, high = script_word_range(target)
        brief = {
            "brand": {"name": brand.name, "tagline": brand.tagline, "tone": brand.tone,
                      "value_props": list(brand.value_props)},
            "language": language,
            "product": {"name": product.name, "description": product.description[:600],
                        "price": product.price or "", "currency": product.currency},
            "prompt": prompt[:600],
            "template": {"slug": template, "description": UGC_TEMPLATE_HINTS.get(template, "")},
            "duration_seconds": duration,
            "words": {"target": target, "min": low, "max": high,
                      "words_per_second": WORDS_PER_SECOND.get(language, DEFAULT_WPS)},
            "sections": SECTION_HINTS,
        }
        system = (
            "You write short UGC video scripts: a creator talking to camera about a product, "
            "casual, first person, spoken aloud. Write the five sections of the brief (hook, "
            "problem, product, proof, cta), each a list of whole spoken sentences ending in "
            "punctuation, in the language whose ISO 639-1 code is in language and in the "
            "brand's tone of voice. The whole script is words.target words long (between "
            "words.min and words.max), so it fills the duration at the language's pace. No "
            "line may repeat another. Claim only what the brief states; no prices unless "
            "given, no emoji, no hashtags, no stage directions.")
        return [{"role": "system", "content": system},
                {"role": "user", "content": json.dumps(brief, ensure_ascii=False)}]


class ChatBrandReader:
    """A ``BrandReader``: tone, audience and value props from a site's text."""

    def __init__(self, *, client: ProviderClient, context: CallContext = NO_CONTEXT) -> None:
        self.client = client
        self.context = context

    def read(self, *, text: str, brand_name: str, language: str = "") -> BrandReading:
        model = str(self.client.config.get("model", ""))
        system = (
            "You read a brand's website text and describe its brand DNA for an ad studio: the "
            "tone of voice (a few adjectives), the audience (one phrase), and up to six value "
            "propositions taken from what the site itself claims (short phrases in the site's "
            "language, no invented claims), plus the ISO 639-1 code of the site's language.")
        user = json.dumps({"brand": brand_name, "language_hint": language,
                           "site_text": " ".join(text.split())[:READ_MAX_CHARS]},
                          ensure_ascii=False)
        payload = structured_payload(self.client.config, name="brand_dna", schema=BRAND_SCHEMA,
                                     messages=[{"role": "system", "content": system},
                                               {"role": "user", "content": user}],
                                     temperature=0.2)
        answer = self.client.call("POST", "/chat/completions", capability=BRAND_READING,
                                  model=model, json=payload, parse=parse_structured,
                                  context=self.context)
        if isinstance(answer, str):
            return BrandReading()
        return brand_reading_from(answer)


def brand_reading_from(answer: dict[str, Any]) -> BrandReading:
    """Keep what fits the Brand DNA fields: short strings, at most six distinct value props."""
    props: list[str] = []
    for item in answer.get("value_props") or []:
        text = " ".join(str(item).split()).strip(" .")
        if text and len(text) <= 90 and _key(text) not in {_key(p) for p in props}:
            props.append(text)
    language = str(answer.get("language") or "").strip().lower()[:2]
    return BrandReading(tone=" ".join(str(answer.get("tone") or "").split())[:120],
                        audience=" ".join(str(answer.get("audience") or "").split())[:200],
                        value_props=tuple(props[:6]),
                        language=language if language.isalpha() else "")
