"""Candidates with evidence: every value a field could take, where it was seen, and a rank.

Evidence tiers, strongest first: ``declared`` (the site says it outright: ``og:site_name``,
``theme-color``, ``html lang``, a web font it loads), ``structured`` (schema.org data in JSON-LD,
microdata or RDFa), ``layout`` (where something sits: the header, a link to the home page, the
heading rules of the CSS) and ``frequency`` (how often something is used). A candidate in a higher
tier always beats one in a lower tier; ``weight`` orders candidates inside a tier, and the same
value seen several times in a tier adds its weights up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

TIERS = {"declared": 4, "structured": 3, "layout": 2, "frequency": 1}


@dataclass
class Candidate:
    value: object
    source: str
    evidence: str
    weight: float = 1.0

    @property
    def score(self) -> float:
        return TIERS[self.evidence] * 1000 + min(self.weight, 999)

    def as_dict(self) -> dict:
        return {"value": self.value, "source": self.source, "evidence": self.evidence,
                "score": round(self.score, 2)}


def _identity(value) -> str:
    return str(value).strip().lower()


class Candidates:
    """Per-field candidate lists; ``ranked`` merges repeats of one value."""

    def __init__(self) -> None:
        self._by_field: dict[str, list[Candidate]] = defaultdict(list)

    def add(self, field: str, value, *, source: str, evidence: str, weight: float = 1.0) -> None:
        if evidence not in TIERS:
            raise ValueError(f"unknown evidence tier {evidence!r}")
        if value in (None, "", [], {}):
            return
        self._by_field[field].append(Candidate(value, source, evidence, weight))

    def clear(self, field: str) -> None:
        """Forget a field's candidates (before recomputing it as a whole)."""
        self._by_field.pop(field, None)

    def fields(self) -> list[str]:
        return list(self._by_field)

    def ranked(self, field: str) -> list[Candidate]:
        merged: dict[str, Candidate] = {}
        for candidate in self._by_field.get(field, []):
            key = _identity(candidate.value)
            best = merged.get(key)
            if best is None or TIERS[candidate.evidence] > TIERS[best.evidence]:
                merged[key] = Candidate(candidate.value, candidate.source, candidate.evidence,
                                        candidate.weight)
            elif candidate.evidence == best.evidence:
                best.weight += candidate.weight
        return sorted(merged.values(), key=lambda c: c.score, reverse=True)

    def best(self, field: str) -> Candidate | None:
        ranked = self.ranked(field)
        return ranked[0] if ranked else None

    def value(self, field: str, default=None):
        best = self.best(field)
        return best.value if best else default

    def as_json(self, *, limit: int = 6) -> dict[str, list[dict]]:
        return {field: [c.as_dict() for c in self.ranked(field)[:limit]]
                for field in self._by_field}
