"""UGC-style presenter videos: a presenter, a spoken-style script, word-by-word captions and
an optional voice-over. ``render_ugc_video`` is the entry point the pipeline, the CLI and the
bench use; its parts are ``presenter`` (drawn and photo presenters), ``script`` (the script
writer interface and its local implementation), ``captions``, ``voice`` and ``video``."""

from __future__ import annotations

from collections.abc import Callable

from generations import catalogue

from ..specs import BrandSpec, ConceptSpec, ProductSpec, RenderedFile
from .presenter import Presenter, draw_presenter, photo_presenter
from .script import LocalScriptWriter, Script, ScriptWriter
from .video import render_ugc
from .voice import Voiceover

__all__ = [
    "Presenter",
    "Script",
    "ScriptWriter",
    "Voiceover",
    "frame_size",
    "presenter_for",
    "render_ugc_video",
    "write_script",
]


MAX_SECONDS = 60.0


def frame_size(aspect: str, scale: float = 1.0) -> tuple[int, int]:
    """The frame of ``aspect`` at ``scale`` (even sides, as yuv420p needs)."""
    w, h = catalogue.ASPECT_SIZES[aspect]
    return (max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2))


def presenter_for(*, avatar_id: str | None, photo: bytes | None, aspect: str,
                  scale: float = 1.0,
                  face: tuple[float, float, float] | None = None) -> Presenter:
    """A built-in presenter by catalogue id, or the uploaded portrait ``photo`` (``face``:
    where its face is, when already known)."""
    size = frame_size(aspect, scale)
    if photo is not None:
        return photo_presenter(photo, size, face=face)
    params = catalogue.avatar_by_id(avatar_id or catalogue.avatars()[0]["id"])
    return draw_presenter(params, size)


def write_script(*, brand: BrandSpec, product: ProductSpec, prompt: str = "", duration: float,
                 template: str = "ugc-product-video", seed: int = 0,
                 writer: ScriptWriter | None = None) -> Script:
    """The script for ``duration`` seconds, by ``writer`` (the job's provider, which the
    pipeline gets from the provider registry) or, without one, the local writer."""
    return (writer or LocalScriptWriter()).write(brand=brand, product=product, prompt=prompt,
                                                 duration=duration, template=template,
                                                 seed=seed)


def render_ugc_video(*, brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
                     presenter: Presenter, prompt: str = "", duration: float = 15.0,
                     aspect: str = "9:16", template: str = "ugc-product-video",
                     voice: Voiceover | None = None, script: Script | None = None,
                     writer: ScriptWriter | None = None, scale: float = 1.0,
                     step: Callable[[int, int], None] | None = None) -> RenderedFile:
    """Write the script for the duration (or the voice track's length) and render it."""
    length = voice.duration if voice is not None else duration
    script = script or write_script(brand=brand, product=product, prompt=prompt,
                                    duration=length, template=template, seed=concept.seed,
                                    writer=writer)
    return render_ugc(brand=brand, product=product, concept=concept, presenter=presenter,
                      script=script, aspect=aspect, size=frame_size(aspect, scale),
                      duration=duration, voice=voice, seed=concept.seed, step=step)
