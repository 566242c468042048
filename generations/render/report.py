"""The per-concept render report: what was written, what each size shipped, every gate result,
the re-layout attempts used and the seconds spent. ``rendersheet`` writes it for a sweep and
the pipeline keeps it on each job concept (shown on the job page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .specs import ConceptSpec, RenderedFile


def _gate_summary(gates: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, gate in gates.items():
        entry: dict[str, Any] = {"ok": gate["ok"]}
        if gate.get("failures"):
            entry["failures"] = gate["failures"]
        for extra in ("measured", "share", "applies"):
            if extra in gate:
                entry[extra] = gate[extra]
        out[name] = entry
    return out


def concept_report(*, concept: ConceptSpec, files: Sequence[RenderedFile]) -> dict[str, Any]:
    """A JSON-ready report of one rendered concept (statics and, if any, videos)."""
    sizes: dict[str, dict[str, Any]] = {}
    for rendered in files:
        gate_report = rendered.gate_report
        size = sizes.setdefault(rendered.aspect, {
            "ok": gate_report.get("ok", True),
            "template": gate_report.get("template", concept.template_slug),
            "gates": _gate_summary(gate_report.get("gates", {})),
            "attempts": [a["attempt"] for a in gate_report.get("attempts", [])],
            "copy": gate_report.get("copy", {}),
            "seconds": {},
        })
        for key, value in rendered.timings.items():
            if key.endswith("_s"):
                size["seconds"][f"{rendered.kind}_{rendered.extension}_{key}"] = value
    return {
        "template": concept.template_slug, "angle": concept.copy_angle, "seed": concept.seed,
        "style": concept.style_id, "animation_prompt": concept.animation_prompt,
        "headline": concept.headline, "body": concept.body, "cta": concept.cta,
        "refused": False, "relaid_out": any(len(s["attempts"]) > 1 for s in sizes.values()),
        "sizes": sizes,
    }


def refused_report(*, concept: ConceptSpec, gate_report: dict[str, Any]) -> dict[str, Any]:
    """The report of a concept whose gates still failed after every re-layout."""
    return {
        "template": concept.template_slug, "angle": concept.copy_angle, "seed": concept.seed,
        "style": concept.style_id, "animation_prompt": concept.animation_prompt,
        "headline": concept.headline, "body": concept.body, "cta": concept.cta,
        "refused": True, "relaid_out": True,
        "refused_size": gate_report.get("aspect"),
        "gates": _gate_summary(gate_report.get("gates", {})),
        "attempts": [a["attempt"] for a in gate_report.get("attempts", [])],
    }
