"""A local server speaking OpenAI's moderation protocol (``POST /v1/moderations``)."""

from __future__ import annotations

import base64
import io

from PIL import Image

from tests.providers.fakes import Reply, Seen

CATEGORIES = ("harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
              "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions",
              "sexual", "sexual/minors", "violence", "violence/graphic")
IMAGE_CATEGORIES = ("self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
                    "violence", "violence/graphic")


class ModerationModel:
    """Flags text containing any of ``bad_words`` (as ``violence``) and images whose size is
    in ``bad_sizes`` (as ``sexual``). ``mode = "down"`` answers 503."""

    def __init__(self) -> None:
        self.bad_words: set[str] = {"kill them all"}
        self.bad_sizes: set[tuple[int, int]] = set()
        self.mode = "ok"
        self.inputs: list[list[dict]] = []
        self.image_sizes: list[tuple[int, int]] = []
        self.problems: list[str] = []

    def __call__(self, seen: Seen) -> Reply:
        if seen.headers.get("authorization") != "Bearer sk-test":
            return Reply(401, {"error": {"message": "Incorrect API key provided.",
                                         "type": "invalid_request_error",
                                         "code": "invalid_api_key"}})
        if self.mode == "down":
            return Reply(503, {"error": {"message": "The server is overloaded.",
                                         "type": "server_error"}}, headers={"Retry-After": "1"})
        body = seen.json()
        parts = body.get("input")
        if body.get("model") != "omni-moderation-latest" or not isinstance(parts, list):
            self.problems.append(f"bad body {sorted(body)}")
            return Reply(400, {"error": {"message": "bad request",
                                         "type": "invalid_request_error"}})
        self.inputs.append(parts)
        flagged_as: set[str] = set()
        applied: dict[str, list[str]] = {}
        for part in parts:
            if part.get("type") == "text" and isinstance(part.get("text"), str):
                if any(w in part["text"].lower() for w in self.bad_words):
                    flagged_as.add("violence")
            elif part.get("type") == "image_url":
                url = part["image_url"]["url"]
                header, _, data = url.partition(",")
                if not (header.startswith("data:image/") and header.endswith(";base64")):
                    self.problems.append(f"image not a base64 data URL: {header}")
                    continue
                size = Image.open(io.BytesIO(base64.b64decode(data))).size
                self.image_sizes.append(size)
                if size in self.bad_sizes:
                    flagged_as.add("sexual")
            else:
                self.problems.append(f"bad part {part!r}")
        for name in CATEGORIES:
            applied[name] = ["text", "image"] if name in IMAGE_CATEGORIES else ["text"]
        result = {"flagged": bool(flagged_as),
                  "categories": {name: name in flagged_as for name in CATEGORIES},
                  "category_scores": {name: (0.97 if name in flagged_as else 0.0004)
                                      for name in CATEGORIES},
                  "category_applied_input_types": applied}
        return Reply(200, {"id": "modr-fake0001", "model": "omni-moderation-latest",
                           "results": [result]})
