"""``manage.py renderugc``: three UGC presenter videos for unlike sample brands and
presenters, and a strip of stills of each (frame 0, then the middle of every shot) in
docs/gallery/ugc-<brand>.png, to look at the way a marketer would."""

from __future__ import annotations

import io
import time
from pathlib import Path

import av
from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image

from generations.render.samples import sample_brands
from generations.render.specs import ConceptSpec
from generations.render.ugc import presenter_for, render_ugc_video

SAMPLES = (("skincare", "avatar_layla", "Natural creator testimonial for a serum", 15),
           ("streetwear", "avatar_sofia", "Hype unboxing of a limited hoodie drop", 15),
           ("coffee", "avatar_marcus", "Honest review of a slow-roasted coffee", 20))
STILL = (270, 480)


class Command(BaseCommand):
    help = "Render three UGC videos and write stills of each to docs/gallery/."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "gallery"))
        parser.add_argument("--keep-videos", action="store_true")

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        brands = sample_brands()
        for name, avatar, prompt, seconds in SAMPLES:
            brand, product, style = brands[name]
            concept = ConceptSpec(template_slug="product-hero", style_id=style,
                                  animation_prompt="", copy_angle="social proof", headline="",
                                  body="", cta="Shop now", seed=11)
            started = time.perf_counter()
            rendered = render_ugc_video(
                brand=brand, product=product, concept=concept, prompt=prompt,
                presenter=presenter_for(avatar_id=avatar, photo=None, aspect="9:16"),
                duration=seconds,
                template="ugc-review" if name == "coffee" else "ugc-product-video")
            took = time.perf_counter() - started
            shots = rendered.gate_report["video"]["shots"]
            times = [0.0] + [(s["start"] + s["end"]) / 2 for s in shots]
            wanted = {round(t * 30) for t in times}
            stills = {}
            with av.open(io.BytesIO(rendered.content)) as container:
                for index, frame in enumerate(container.decode(video=0)):
                    if index in wanted:
                        stills[index] = frame.to_image().resize(STILL, Image.Resampling.LANCZOS)
            strip = Image.new("RGB", (STILL[0] * len(stills) + 8 * (len(stills) - 1),
                                      STILL[1]), "white")
            for position, index in enumerate(sorted(stills)):
                strip.paste(stills[index], (position * (STILL[0] + 8), 0))
            path = out / f"ugc-{name}.png"
            strip.save(path, optimize=True)
            if options["keep_videos"]:
                (out / f"ugc-{name}.mp4").write_bytes(rendered.content)
            self.stdout.write(f"{path}: {seconds} s, {len(stills)} stills, rendered in "
                              f"{took:.1f} s")
