"""Make a worker process ready to render before it takes its first job.

Without this, the first concept a fresh worker renders also pays for importing the engine
(Pillow, NumPy, PyAV), reading the catalogue, parsing fonts and filling the engine's caches:
more than a second on a job that should take a few. ``warm_up`` does that work once per worker
process, at start (``generations.tasks`` connects it to ``worker_process_init``).
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def warm_up() -> float:
    """Import the engine, load the catalogue and the fonts, render one sample concept's
    statics (which fills the render threads' font caches) and open the H.264 encoder.
    Returns the seconds it took. Touches no database and no storage."""
    started = time.perf_counter()
    import av

    from generations import catalogue
    from generations.render import ConceptSpec, write_copy
    from generations.render.backgrounds import warm
    from generations.render.engine import render_statics
    from generations.render.motion import render_scene_video  # noqa: F401 - imports the motion engine
    from generations.render.samples import sample_brands

    for load in (catalogue.templates, catalogue.styles, catalogue.animation_prompts,
                 catalogue.models):
        load()
    warm((catalogue.ASPECT_SIZES["9:16"], catalogue.ASPECT_SIZES["4:5"]))
    brand, product, style = sample_brands()["skincare"]
    copy = write_copy(brand=brand, product=product, angle="sensory",
                      template_slug="product-hero")
    concept = ConceptSpec(template_slug="product-hero", style_id=style,
                          animation_prompt="Serum Droplets", copy_angle="sensory",
                          headline=copy.headline, body=copy.body, cta=copy.cta)
    render_statics(brand=brand, product=product, concept=concept, sizes=("9:16", "4:5"),
                   image_formats=("jpeg",))
    # libx264 initialises once per process; a tiny throwaway stream does it now.
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = 64, 64, "yuv420p"
    codec.open()
    seconds = time.perf_counter() - started
    logger.info("engine warm in %.2f s", seconds)
    return seconds
