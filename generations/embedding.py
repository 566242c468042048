"""A static sentence-embedding model that needs numpy only: a WordPiece tokenizer and a table of
token vectors, averaged. The table is distilled from all-MiniLM-L6-v2 by
``scripts/build_search_model.py`` and ships in ``generations/search_model/``.

The tokenizer reproduces BERT's uncased tokenizer (the one MiniLM uses): clean, split CJK
characters, lower-case, strip accents, split punctuation, then greedy longest-match WordPiece.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "search_model"
MAX_WORD_CHARS = 100
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F
            or 0x2B820 <= code <= 0x2CEAF or 0xF900 <= code <= 0xFAFF
            or 0x2F800 <= code <= 0x2FA1F)


def basic_tokens(text: str) -> list[str]:
    """BERT's BasicTokenizer with lower-casing: words and punctuation marks."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD):
            continue
        if char in "\t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif unicodedata.category(char).startswith("C"):
            continue
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    tokens: list[str] = []
    for word in "".join(cleaned).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append(current)
                    current = ""
                tokens.append(char)
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


class WordPiece:
    """Greedy longest-match-first WordPiece over a BERT ``vocab.txt`` (one token a line)."""

    def __init__(self, vocab: list[str]) -> None:
        self.vocab = {token: i for i, token in enumerate(vocab)}
        self.unk_id = self.vocab["[UNK]"]

    def ids(self, text: str) -> list[int]:
        out: list[int] = []
        for word in basic_tokens(text):
            if len(word) > MAX_WORD_CHARS:
                out.append(self.unk_id)
                continue
            pieces: list[int] = []
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                    if piece in self.vocab:
                        found = self.vocab[piece]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk_id]
                    break
                pieces.append(found)
                start = end
            out.extend(pieces)
        return out


# Too common to mean anything on their own: "the of and" is not a query.
FILLER_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "into", "is", "it",
                          "of", "on", "or", "the", "to", "with"})


class StaticModel:
    """Token vectors averaged into one unit vector per text (numpy only)."""

    # Its similarities to the catalogue's MiniLM vectors run lower than MiniLM's own: a
    # sensible query's best match scores -0.05-0.3, so relevance is judged by the words
    # (``knows_a_word``) and the distance from the best match, not by a floor.
    relevance_floor = -1.0
    relevance_gap = 0.12

    def __init__(self, *, vocab: list[str], vectors: np.ndarray, scales: np.ndarray) -> None:
        if not len(vocab) == vectors.shape[0] == scales.shape[0]:
            raise ValueError(f"{len(vocab)} tokens, {vectors.shape[0]} vectors and "
                             f"{scales.shape[0]} scales")
        self.tokenizer = WordPiece(vocab)
        self.vectors = vectors
        self.scales = scales
        self.dim = int(vectors.shape[1])

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> StaticModel:
        """Memory-maps the int8 table: only the rows a query uses are ever read."""
        # One token a line; not splitlines(): the vocabulary holds characters it splits on.
        vocab = (directory / "vocab.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
        vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
        scales = np.load(directory / "scales.npy", allow_pickle=False)
        return cls(vocab=vocab, vectors=vectors, scales=scales)

    def knows_a_word(self, text: str) -> bool:
        """Whether ``text`` holds a whole word of the vocabulary that is not filler: gibberish
        ("qwxz vbnm") only breaks into word pieces, and its nearest match means nothing."""
        return any(word in self.tokenizer.vocab and word not in FILLER_WORDS
                   and not _is_punctuation(word[0]) for word in basic_tokens(text))

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self.tokenizer.ids(text)
            if not ids:
                continue
            rows = np.asarray(self.vectors[ids], dtype=np.float32) * self.scales[ids, None]
            vector = rows.mean(axis=0)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                out[row] = vector / norm
        return out
