"""Benchmark the local engine against the approaches peers use, the way a job renders.

    python bench/render.py [--concepts 12] [--full-concepts 3] [--runs 5] [--peer-runs 3]
                           [--skip-peers]

A job renders *different* concepts (template, copy angle, style and seed change from one to the
next), so the headline figures are for fresh concepts: the median over ``--concepts`` distinct
concepts of one concept's statics in both Dessert sizes (PNG + JPEG), and over
``--full-concepts`` distinct concepts of a full concept (statics + two 6 s MP4s). The cached
figures (the same concept rendered ``--runs`` times, every layer cache hot) are printed too, for
comparison only. Peers, measured in the same run: the same statics drawn by a warm headless
Chromium from equivalent HTML (Debian's /usr/bin/chromium through Playwright) and the same 6 s
video made with MoviePy. No Django needed: the engine is plain Python.
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
from generations.warmup import warm_up  # noqa: E402

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


def distinct_concepts(count: int, offset: int = 0):
    """``count`` concepts as a job plans them: template, angle, style and motion all change."""
    brand, product, _style = sample_brands()["skincare"]
    templates = [t["slug"] for t in catalogue.templates() if not t.get("plain_scene")]
    styles = [s["id"] for s in catalogue.styles()]
    prompts = [p["name"] for p in catalogue.animation_prompts()]
    used: set[str] = set()
    concepts = []
    for n in range(offset, offset + count):
        slug, angle = templates[n % len(templates)], catalogue.COPY_ANGLES[n % 6]
        copy = write_copy(brand=brand, product=product, angle=angle, template_slug=slug,
                          avoid_headlines=used, seed=n)
        used.update((copy.headline, copy.body))
        concepts.append(ConceptSpec(
            template_slug=slug, style_id=styles[(n * 5 + 3) % len(styles)],
            animation_prompt=prompts[(n * 7 + 1) % len(prompts)], copy_angle=angle,
            headline=copy.headline, body=copy.body, cta=copy.cta, seed=n))
    return brand, product, concepts


def each_timed(fn, items) -> list[float]:
    samples = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        samples.append(time.perf_counter() - started)
    return samples


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


UGC_SECONDS = 15.0


def bench_ugc(count: int) -> tuple[list[float], list[float]]:
    """``count`` distinct 15 s 1080x1920 UGC videos (brand, presenter, seed and script all
    change from one to the next), each timed from nothing to encoded MP4: wall seconds and
    CPU seconds of the process (composer thread + encoder threads), which a busy machine
    does not inflate."""
    from generations.render.ugc import presenter_for, render_ugc_video

    brands = list(sample_brands().values())[:3]
    avatars = [a["id"] for a in catalogue.avatars()]
    samples, cpu = [], []
    for n in range(count):
        brand, product, style = brands[n % len(brands)]
        concept = ConceptSpec(template_slug="product-hero", style_id=style,
                              animation_prompt="", copy_angle="social proof", headline="",
                              body="", cta="Shop now", seed=300 + n)
        started, cpu_started = time.perf_counter(), time.process_time()
        presenter = presenter_for(avatar_id=avatars[(n * 3) % len(avatars)], photo=None,
                                  aspect="9:16")
        render_ugc_video(brand=brand, product=product, concept=concept, presenter=presenter,
                         duration=UGC_SECONDS, prompt="Natural creator testimonial")
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return samples, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concepts", type=int, default=12)
    parser.add_argument("--full-concepts", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peer-runs", type=int, default=3)
    parser.add_argument("--ugc-videos", type=int, default=3)
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    # What every worker process does at start (generations/warmup.py), then one render.
    warm_up()
    brand, product, concept = make_concept()
    render_concept(brand=brand, product=product, concept=concept)
    print(f"worker warm-up and a first render in a fresh process (imports, fonts, pools): "
          f"{time.perf_counter() - started:.2f} s")

    brand, product, fresh = distinct_concepts(args.concepts, offset=100)
    samples = each_timed(lambda c: render_concept(brand=brand, product=product, concept=c),
                         fresh)
    statics = statistics.median(samples)
    print(f"FRESH statics, {args.concepts} distinct concepts, 9:16 + 4:5, PNG + JPEG: median "
          f"{statics:.3f} s per concept (min {min(samples):.3f}, max {max(samples):.3f})")

    _brand, _product, full_set = distinct_concepts(args.full_concepts, offset=200)
    samples = each_timed(lambda c: render_concept(brand=brand, product=product, concept=c,
                                                  video=True, duration=DURATION), full_set)
    full = statistics.median(samples)
    print(f"FRESH full concept (2 statics + two {DURATION:.0f} s MP4s), {args.full_concepts} "
          f"distinct concepts: median {full:.2f} s")

    brand, product, concept = make_concept()
    cached, _ = timed(lambda: render_concept(brand=brand, product=product, concept=concept),
                      args.runs)
    print(f"cached statics (the same concept {args.runs} times, every layer cache hot): "
          f"median {cached:.3f} s")

    scene, _ = layout_concept(brand=brand, product=product, concept=concept, aspect="9:16")
    prompt = catalogue.animation_prompt_by_name(concept.animation_prompt)
    video, _ = timed(lambda: render_scene_video(scene, prompt, duration=DURATION), args.runs)
    frames = frame_count(DURATION)
    print(f"video path, one 1080x1920 {DURATION:.0f} s MP4: median {video:.2f} s = "
          f"{frames / video:.1f} frames/s (composite + H.264 encode)")

    samples, cpu = bench_ugc(args.ugc_videos)
    print(f"FRESH UGC video, {args.ugc_videos} distinct 15 s 1080x1920 presenter videos: "
          f"median {statistics.median(samples):.2f} s (min {min(samples):.2f}, max "
          f"{max(samples):.2f}; target < 10 s), {statistics.median(cpu):.2f} CPU-s")

    if args.skip_peers:
        return
    chromium = bench_chromium(brand, product, concept, args.peer_runs)
    if chromium is None:
        print("headless Chromium: not available (playwright or /usr/bin/chromium missing)")
    else:
        print(f"headless Chromium, same statics from HTML: median {chromium['median']:.3f} s "
              f"with the browser already running (+ {chromium['launch']:.2f} s launch)")
        print(f"  -> a FRESH statics pair is {chromium['median'] / statics:.1f}x faster than "
              f"warm Chromium (target >= 5x); cached {chromium['median'] / cached:.1f}x")
    moviepy = bench_moviepy(scene, args.peer_runs)
    if moviepy is None:
        print("MoviePy: not available")
    else:
        print(f"MoviePy, same {DURATION:.0f} s 1080x1920 video: median {moviepy:.2f} s")
        print(f"  -> a FRESH full concept is {2 * moviepy / full:.1f}x faster than MoviePy "
              f"making its two videos (target >= 15x); one video path {moviepy / video:.1f}x")


if __name__ == "__main__":
    main()
