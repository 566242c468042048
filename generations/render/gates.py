"""Quality gates: every render is checked before anything is stored."""

from __future__ import annotations

from typing import Any

import numpy as np

from .colour import RGB
from .layout import Scene

SAFE_TOP = 0.14
SAFE_BOTTOM = 0.20
SAFE_ROLES = ("headline", "cta")
PRIMARY_MIN_SHARE = 0.004  # 0.4% of the pixels: a CTA, a badge, a panel or accents
PRIMARY_DISTANCE = 48.0


def gate_text_fits(scene: Scene) -> dict[str, Any]:
    bad = [{"role": c.role, "reason": c.reason or "overflow", "lines": c.lines}
           for c in scene.checks if not c.fits]
    outside = [{"role": c.role, "ink": c.ink} for c in scene.checks
               if c.lines and (c.ink[0] < 0 or c.ink[1] < 0 or c.ink[2] > scene.width
                               or c.ink[3] > scene.height)]
    return {"ok": not bad and not outside, "failures": bad + outside}


def gate_safe_zones(scene: Scene) -> dict[str, Any]:
    """9:16 only: the top 14% and bottom 20% carry platform UI, keep headline/CTA out."""
    if scene.aspect != "9:16":
        return {"ok": True, "failures": [], "applies": False}
    top, bottom = scene.height * SAFE_TOP, scene.height * (1 - SAFE_BOTTOM)
    failures = [{"role": c.role, "ink": c.ink} for c in scene.checks
                if c.role in SAFE_ROLES and c.lines and (c.ink[1] < top or c.ink[3] > bottom)]
    return {"ok": not failures, "failures": failures, "applies": True}


def gate_contrast(scene: Scene) -> dict[str, Any]:
    failures = [{"role": c.role, "contrast": c.contrast, "required": c.required}
                for c in scene.checks if c.lines and c.contrast + 1e-6 < c.required]
    return {"ok": not failures, "failures": failures,
            "measured": {c.role: c.contrast for c in scene.checks if c.lines}}


def gate_logo(scene: Scene, brand_has_logo: bool) -> dict[str, Any]:
    if not brand_has_logo or not scene.logo_layer:
        return {"ok": True, "failures": [], "applies": brand_has_logo and scene.logo_layer}
    return {"ok": scene.logo_from_image, "failures": [] if scene.logo_from_image else ["logo"],
            "applies": True}


def primary_share(image, primary: RGB) -> float:
    small = (image if image.mode == "RGB" else image.convert("RGB")).reduce(8)
    arr = np.asarray(small).astype(np.float32)
    distance = np.linalg.norm(arr - np.array(primary, np.float32), axis=2)
    return float((distance < PRIMARY_DISTANCE).mean())


def gate_primary_colour(scene: Scene) -> dict[str, Any]:
    share = primary_share(scene.canvas, scene.palette["primary"])
    return {"ok": share >= PRIMARY_MIN_SHARE, "share": round(share, 4), "failures": []
            if share >= PRIMARY_MIN_SHARE else ["primary colour not visible"]}


def run_gates(scene: Scene, *, brand_has_logo: bool) -> dict[str, Any]:
    """All gates for one scene; ``ok`` is true only when every gate passes."""
    gates = {
        "text_fits": gate_text_fits(scene),
        "safe_zones": gate_safe_zones(scene),
        "contrast": gate_contrast(scene),
        "logo": gate_logo(scene, brand_has_logo),
        "primary_colour": gate_primary_colour(scene),
    }
    return {"ok": all(g["ok"] for g in gates.values()), "gates": gates}
