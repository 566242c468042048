"""A local server speaking OpenAI's chat completions protocol with structured outputs.

``ChatModel`` plays the model: it reads the brief the adapter sends (the user message's JSON),
checks the request has the documented shape, and answers with a chat.completion object whose
``message.content`` is JSON matching the requested schema. Tests switch it to answer too long,
to refuse, or to fail. A ``ugc_script`` request is answered with a script of the brief's
target word count (``words.target``)."""

from __future__ import annotations

import itertools
import json
import re

from tests.providers.fakes import Reply, Seen

HEADLINES = ["Glow that lasts all day", "Your skin, brighter by morning", "Brightness you can feel",
             "Meet your daily glow", "Radiance, made simple", "Light from within",
             "Care that shows", "Wake up glowing"]
# A short spoken script ({p}: the product) and the sentences the fake pads it with, each whole.
SCRIPT = {"hook": ["I need to talk about {p}."], "problem": ["My skin felt dull."],
          "product": ["{p} changed that."], "proof": ["Friends noticed fast."],
          "cta": ["Tap the link."]}
SCRIPT_PADDING = [("product", "It sinks in within seconds."),
                  ("proof", "My morning glow is back."),
                  ("problem", "Nothing I tried ever helped."),
                  ("product", "One drop covers my whole face."),
                  ("proof", "I reach for it every single day."),
                  ("problem", "Every serum promised the world."),
                  ("product", "The texture feels like water."),
                  ("proof", "Honestly, my skin looks rested."),
                  ("product", "It layers well under makeup."),
                  ("proof", "I already ordered a second bottle."),
                  ("problem", "My evenings ended with tired skin."),
                  ("product", "A little goes a very long way."),
                  ("proof", "People ask what I changed.")]
BODIES = ["Vitamin C brightens dull skin in seven days.", "Dermatologist tested and gentle "
          "enough for every morning.", "A vegan formula that sinks in fast."]


def completion(content: str | None, *, model: str, refusal: str | None = None) -> dict:
    """The chat completion object (``object: chat.completion``) as the API reference shows."""
    return {"id": "chatcmpl-fake123", "object": "chat.completion", "created": 1733270000,
            "model": model, "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "logprobs": None, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content,
                                     "refusal": refusal}}],
            "usage": {"prompt_tokens": 400, "completion_tokens": 40, "total_tokens": 440}}


def request_problems(body: dict) -> list[str]:
    """What is wrong with a request by the reference's rules (empty: nothing)."""
    problems = []
    if not isinstance(body.get("model"), str) or not body["model"]:
        problems.append("model missing")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append("messages missing")
    else:
        for m in messages:
            if m.get("role") not in ("system", "user", "assistant", "developer") \
                    or not isinstance(m.get("content"), str):
                problems.append(f"bad message {m!r}")
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    if fmt.get("type") == "json_object":
        # JSON mode: the reference requires the word JSON in the messages.
        if "JSON" not in " ".join(m.get("content", "") for m in messages or []):
            problems.append("json_object without JSON in the messages")
        return problems
    if fmt.get("type") != "json_schema":
        problems.append("response_format.type is not json_schema")
    elif not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", fmt["json_schema"].get("name", "")):
        problems.append("json_schema.name invalid")
    if (fmt.get("json_schema") or {}).get("strict") is not True:
        problems.append("strict is not true")
    # Strict mode: every property required, additionalProperties false (structured outputs
    # guide, "Supported schemas").
    if schema.get("additionalProperties") is not False or \
            sorted(schema.get("required", [])) != sorted(schema.get("properties", {})):
        problems.append("schema is not strict-compatible")
    return problems


class ChatModel:
    """``mode``: ``fit`` (copy within the limits), ``long`` (a headline longer than its slot),
    ``long_once`` (long, then fitting), ``refuse_once``, ``fail_every_other`` (500 on odd
    calls), ``down`` (always 503). For scripts ``long`` is three times the word target."""

    def __init__(self, model: str = "fake-chat-model") -> None:
        self.model = model
        self.mode = "fit"
        self.briefs: list[dict] = []
        self.bad_requests: list[list[str]] = []
        self.calls = itertools.count()
        self.copy_answers = 0
        self.script_briefs: list[dict] = []

    def __call__(self, seen: Seen) -> Reply:
        n = next(self.calls)
        if seen.headers.get("authorization") != "Bearer sk-test":
            return Reply(401, {"error": {"message": "Incorrect API key provided: sk-w***.",
                                         "type": "invalid_request_error", "param": None,
                                         "code": "invalid_api_key"}})
        if self.mode == "down":
            return Reply(503, {"error": {"message": "The engine is currently overloaded, "
                                         "please try again later", "type": "server_error"}})
        if self.mode == "fail_every_other" and n % 2 == 0:
            return Reply(500, {"error": {"message": "The server had an error while processing "
                                         "your request. Sorry about that!",
                                         "type": "server_error"}})
        body = seen.json()
        problems = request_problems(body)
        if problems:
            self.bad_requests.append(problems)
            return Reply(400, {"error": {"message": "; ".join(problems),
                                         "type": "invalid_request_error"}})
        fmt = body["response_format"]
        name = (fmt["json_schema"]["name"] if fmt["type"] == "json_schema"
                else "brand_dna" if '"value_props"' in body["messages"][0]["content"]
                else "ad_copy")
        brief = json.loads(next(m["content"] for m in body["messages"] if m["role"] == "user"))
        if name == "brand_dna":
            return Reply(200, completion(json.dumps(self.brand_dna(brief)), model=self.model))
        retried = len(body["messages"]) > 2
        if name == "ugc_script":
            self.script_briefs.append(brief)
            if self.mode == "refuse_once" and not retried:
                return Reply(200, completion(None, model=self.model,
                                             refusal="I'm sorry, I can't help with that."))
            long = self.mode == "long" or (self.mode == "long_once" and not retried)
            target = brief["words"]["target"] * (3 if long else 1)
            return Reply(200, completion(json.dumps(self.script_for(brief, words=target)),
                                         model=self.model))
        self.briefs.append(brief)
        self.copy_answers += 1
        if self.mode == "refuse_once" and not retried:
            return Reply(200, completion(None, model=self.model,
                                         refusal="I'm sorry, I can't help with that."))
        if self.mode == "long" or (self.mode == "long_once" and not retried):
            return Reply(200, completion(json.dumps(
                {"headline": "An extraordinarily long headline that never fits " * 3,
                 "body": "Fine.", "cta": "Shop now"}), model=self.model))
        return Reply(200, completion(json.dumps(self.copy_for(brief)), model=self.model))

    def copy_for(self, brief: dict) -> dict:
        limits = brief["limits"]
        taken = {t.casefold() for t in brief["do_not_use"]}
        headline = next(h for h in HEADLINES if h.casefold() not in taken
                        and len(h) <= limits["headline"]["max_characters"]
                        and len(h.split()) <= limits["headline"]["max_words"]
                        and max(map(len, h.split())) <= limits["headline"]
                        ["max_characters_per_line"])
        body = ""
        if isinstance(limits["body"], dict):
            body = next((b for b in BODIES if b.casefold() not in taken
                         and len(b) <= limits["body"]["max_characters"]),
                        "Bright skin, daily.")
        return {"headline": headline, "body": body, "cta": "Shop the glow"}

    def script_for(self, brief: dict, *, words: int) -> dict:
        """The short script, padded with whole sentences until it holds ``words`` words."""
        name = brief["product"]["name"]
        script = {section: [line.format(p=name) for line in lines]
                  for section, lines in SCRIPT.items()}
        count = sum(len(line.split()) for lines in script.values() for line in lines)
        padding = itertools.cycle(SCRIPT_PADDING)
        rounds = itertools.count()
        while count < words:
            section, line = next(padding)
            line = line if next(rounds) < len(SCRIPT_PADDING) else f"Really, {line.lower()}"
            script[section].append(line)
            count += len(line.split())
        return script

    def brand_dna(self, brief: dict) -> dict:
        return {"tone": "warm, expert, reassuring", "audience": "adults with dull skin",
                "value_props": ["Dermatologist tested", "Visible glow in 7 days",
                                "Dermatologist tested", "Vegan formula"],
                "language": "en"}
