"""Benchmark the local engine against the approaches peers use.

    python bench/render.py [--runs 5] [--peer-runs 3] [--skip-peers]

Prints the median of ``--runs`` for: one concept's statics in both Dessert sizes (PNG + JPEG),
one concept's full output (statics + two 6 s MP4s), the frames/s of the video path; and the same
static drawn by headless Chromium from equivalent HTML (Debian's /usr/bin/chromium through
Playwright) and the same 6 s video made with MoviePy, when those are installed.
No Django needed: the engine is plain Python.
"""

from __future__ import annotations

import argparse
import base64
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generations import catalogue  # noqa: E402
from generations.render import ConceptSpec, render_concept, write_copy  # noqa: E402
from generations.render.engine import layout_concept  # noqa: E402
from generations.render.fonts import font_path, match_family  # noqa: E402
from generations.render.imaging import prepare_product  # noqa: E402
from generations.render.motion import frame_count, render_scene_video  # noqa: E402
from generations.render.samples import sample_brands  # noqa: E402

DURATION = 6.0


def timed(fn, runs: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), samples


def make_concept():
    brand, product, style = sample_brands()["skincare"]
    copy = write_copy(brand=brand, product=product, angle="sensory", template_slug="product-hero")
    concept = ConceptSpec(template_slug="product-hero", style_id=style,
                          animation_prompt="Serum Droplets", copy_angle="sensory",
                          headline=copy.headline, body=copy.body, cta=copy.cta, badge="New")
    return brand, product, concept


# ----------------------------------------------------------------------------- peers
def equivalent_html(brand, product, concept, width: int, height: int) -> str:
    """The product-hero ad as HTML/CSS, the way HTML-to-image peers build it."""
    buffer = io.BytesIO()
    prepare_product(product.image).save(buffer, "PNG")
    image = base64.b64encode(buffer.getvalue()).decode()
    heading = font_path(match_family(brand.fonts["heading"]), 700)
    body = font_path(match_family(brand.fonts["body"]), 400)
    c = brand.colors
    tall = height / width > 1.5
    return f"""<!doctype html><html><head><style>
@font-face {{ font-family: H; src: url('file://{heading}'); font-weight: 700; }}
@font-face {{ font-family: B; src: url('file://{body}'); }}
html, body {{ margin: 0; width: {width}px; height: {height}px; overflow: hidden; }}
body {{ background: radial-gradient(circle at 50% 40%, {c['accent']}33, {c['background']} 70%);
  display: flex; flex-direction: column; align-items: center; font-family: B;
  color: {c['text']}; padding-top: {0.145 * height if tall else 0.045 * height}px;
  box-sizing: border-box; }}
.logo {{ font-family: H; letter-spacing: .08em; text-transform: uppercase;
  font-size: {0.02 * height}px; }}
h1 {{ font-family: H; color: {c['primary']}; font-size: {0.06 * height}px; margin: 2% 8%;
  text-align: center; line-height: 1.1; text-wrap: balance; }}
img {{ height: {0.32 * height if tall else 0.39 * height}px;
  filter: drop-shadow(0 20px 18px rgba(0,0,0,.25)); }}
p {{ font-size: {0.026 * height}px; text-align: center; margin: 2% 10%; }}
.cta {{ background: {c['primary']}; color: #fff; border-radius: 999px; font-weight: 700;
  padding: {0.015 * height}px {0.05 * width}px; font-size: {0.026 * height}px; }}
</style></head><body><div class="logo">{brand.name}</div><h1>{concept.headline}</h1>
<img src="data:image/png;base64,{image}"><p>{concept.body}</p>
<div class="cta">{concept.cta}</div></body></html>"""


def bench_chromium(brand, product, concept, runs: int) -> dict | None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    pages = {aspect: equivalent_html(brand, product, concept, *catalogue.ASPECT_SIZES[aspect])
             for aspect in ("9:16", "4:5")}
    with sync_playwright() as playwright:
        started = time.perf_counter()
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--allow-file-access-from-files"])
        launch = time.perf_counter() - started
        page = browser.new_page()

        def statics():
            for aspect, html in pages.items():
                width, height = catalogue.ASPECT_SIZES[aspect]
                page.set_viewport_size({"width": width, "height": height})
                page.set_content(html, wait_until="load")
                page.screenshot(type="png")
                page.screenshot(type="jpeg", quality=90)

        statics()  # warm-up
        median, _ = timed(statics, runs)
        browser.close()
    return {"median": median, "launch": launch}


def bench_moviepy(scene, runs: int) -> float | None:
    """The same 6 s 9:16 ad (background, product rise, text fades) composited by MoviePy."""
    try:
        import numpy as np
        from moviepy import CompositeVideoClip, ImageClip
    except ImportError:
        return None
    background = np.asarray(scene.background)
    sprites = [(s, np.asarray(s.image)) for s in scene.sprites]

    def one():
        clips = [ImageClip(background).with_duration(DURATION)]
        for sprite, pixels in sprites:
            clip = ImageClip(pixels[..., :3]).with_mask(
                ImageClip(pixels[..., 3] / 255.0, is_mask=True)).with_duration(DURATION)
            if sprite.role == "product":
                clip = clip.with_position(
                    lambda t, s=sprite: (s.x, s.y + max(0.0, 1 - t / 0.9) * 150))
            else:
                clip = clip.with_position((sprite.x, sprite.y)).with_start(0.3)
            clips.append(clip)
        video = CompositeVideoClip(clips, size=(scene.width, scene.height))
        with tempfile.TemporaryDirectory() as tmp:
            video.write_videofile(f"{tmp}/out.mp4", fps=30, codec="libx264",
                                  preset="ultrafast", audio=False, threads=2, logger=None)

    try:
        one()  # warm-up (and proof that it works with this Pillow)
    except Exception as exc:  # noqa: BLE001 - a peer library failing is a result, not a crash
        print(f"  moviepy failed: {exc}")
        return None
    median, _ = timed(one, runs)
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peer-runs", type=int, default=3)
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()
    brand, product, concept = make_concept()

    started = time.perf_counter()
    render_concept(brand=brand, product=product, concept=concept)
    cold = time.perf_counter() - started
    statics, _ = timed(lambda: render_concept(brand=brand, product=product, concept=concept),
                       args.runs)
    print(f"statics, one concept, 9:16 + 4:5, PNG + JPEG: median {statics:.3f} s "
          f"(first call in a fresh process {cold:.2f} s)")

    full, _ = timed(lambda: render_concept(brand=brand, product=product, concept=concept,
                                           video=True, duration=DURATION), args.runs)
    print(f"full concept (statics + two {DURATION:.0f} s MP4s): median {full:.2f} s")

    scene, _ = layout_concept(brand=brand, product=product, concept=concept, aspect="9:16")
    prompt = catalogue.animation_prompt_by_name(concept.animation_prompt)
    video, _ = timed(lambda: render_scene_video(scene, prompt, duration=DURATION), args.runs)
    frames = frame_count(DURATION)
    print(f"video path, one 1080x1920 {DURATION:.0f} s MP4: median {video:.2f} s = "
          f"{frames / video:.1f} frames/s (composite + H.264 encode)")

    if args.skip_peers:
        return
    chromium = bench_chromium(brand, product, concept, args.peer_runs)
    if chromium is None:
        print("headless Chromium: not available (playwright or /usr/bin/chromium missing)")
    else:
        print(f"headless Chromium, same statics from HTML: median {chromium['median']:.3f} s "
              f"with the browser already running (+ {chromium['launch']:.2f} s launch) -> "
              f"engine is {chromium['median'] / statics:.1f}x faster warm, "
              f"{(chromium['median'] + chromium['launch']) / statics:.1f}x with a launch")
    moviepy = bench_moviepy(scene, args.peer_runs)
    if moviepy is None:
        print("MoviePy: not available")
    else:
        print(f"MoviePy, same {DURATION:.0f} s 1080x1920 video: median {moviepy:.2f} s -> engine "
              f"is {moviepy / video:.1f}x faster")


if __name__ == "__main__":
    main()
