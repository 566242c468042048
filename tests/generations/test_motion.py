import io
import threading

import av
import numpy as np
import pytest
from PIL import Image

from generations import catalogue
from generations.render import (
    BrandSpec,
    ConceptSpec,
    ProductSpec,
    render_concept,
    render_transition,
)
from generations.render.engine import layout_concept
from generations.render.motion import (
    FPS,
    PARTICLE_KINDS,
    CameraBackground,
    LightSweep,
    ParticleField,
    SceneAnimator,
    camera_state,
    encode_mp4,
    entrance_state,
    frame_count,
    music_bed,
    prefetched,
    render_scene_video,
)
from generations.render.samples import dropper_bottle

BRAND = BrandSpec(name="Lumen", colors={"primary": "#C8553D", "background": "#FFF8F0",
                                        "accent": "#588B8B", "text": "#222222"})
PRODUCT = ProductSpec(name="Serum", image=dropper_bottle(size=(280, 400)))
PALETTE = {"primary": (200, 85, 61), "secondary": (240, 220, 200), "accent": (88, 139, 139),
           "background": (255, 248, 240), "text": (34, 34, 34)}


def concept(prompt="Serum Droplets", template="product-hero"):
    return ConceptSpec(template_slug=template, style_id="soft-gradient", animation_prompt=prompt,
                       copy_angle="sensory", headline="Feel the difference",
                       body="A light serum that calms redness.", cta="Shop now")


def probe(content: bytes) -> dict:
    with av.open(io.BytesIO(content)) as container:
        video = container.streams.video[0]
        frames = list(container.decode(video=0))
        return {"codec": video.codec_context.name, "pix_fmt": video.codec_context.pix_fmt,
                "width": video.codec_context.width, "height": video.codec_context.height,
                "rate": video.average_rate, "frames": len(frames),
                "audio": [s.codec_context.name for s in container.streams.audio],
                "first": frames[0].to_ndarray(format="rgb24"),
                "last": frames[-1].to_ndarray(format="rgb24")}


@pytest.fixture(scope="module")
def small_scene():
    scene, _ = layout_concept(brand=BRAND, product=PRODUCT, concept=concept(), aspect="1:1")
    return scene


@pytest.mark.parametrize("kind", ["fade", "slide_up", "rise", "slide_left", "scale", "pop",
                                  "words", "mask"])
def test_every_entrance_starts_hidden_or_offset_and_ends_settled(kind):
    start, end = entrance_state(kind, 0.0, 1000), entrance_state(kind, 1.0, 1000)
    assert (start.opacity < 0.05 or start.reveal == 0.0 or start.dx or start.dy
            or start.scale < 1)
    assert (end.dx, end.dy, round(end.scale, 3), end.opacity, end.reveal) == (0, 0, 1.0, 1.0, 1.0)


def test_camera_moves_start_and_end_where_they_should():
    assert camera_state({"move": "push_in", "amount": 0.06}, 0, 6) == (1.0, 0.0, 0.0)
    assert camera_state({"move": "push_in", "amount": 0.06}, 6, 6)[0] == pytest.approx(1.06)
    assert camera_state({"move": "pull_out", "amount": 0.04}, 6, 6)[0] == pytest.approx(1.0)
    zoom, pan_x, _ = camera_state({"move": "pan", "amount": 0.04}, 0, 6)
    assert zoom == pytest.approx(1.04) and pan_x == pytest.approx(-0.02)


def test_camera_background_keeps_the_frame_size():
    background = Image.new("RGB", (320, 180), (10, 20, 30))
    camera = CameraBackground(background, 1.08)
    assert camera.frame(1.04, 0.01, 0.0).size == (320, 180)


@pytest.mark.parametrize("kind", PARTICLE_KINDS)
def test_each_particle_kind_draws_something_and_moves(kind):
    field = ParticleField({"kind": kind, "count": 30, "color": "accent"}, PALETTE, (320, 320),
                          seed=1, centre=(160, 160))
    blank = Image.new("RGB", (320, 320), (255, 255, 255))
    first, later = blank.copy(), blank.copy()
    field.draw(first, 0.5)
    field.draw(later, 1.5)
    assert np.asarray(first).min() < 255
    assert not np.array_equal(np.asarray(first), np.asarray(later))


def test_light_sweep_only_draws_inside_its_window():
    sweep = LightSweep((200, 300), start=1.0, length=1.0)
    before, during = Image.new("RGB", (200, 300)), Image.new("RGB", (200, 300))
    sweep.draw(before, 0.5)
    sweep.draw(during, 1.5)
    assert np.asarray(before).max() == 0 and np.asarray(during).max() > 0


def test_every_animation_prompt_recipe_renders_frames(small_scene):
    for prompt in catalogue.animation_prompts():
        animator = SceneAnimator(small_scene, prompt["recipe"], 2.0, seed=3)
        for index in (0, 15, 59):
            assert animator.frame(index).size == (1080, 1080), prompt["name"]


def test_first_half_second_moves(small_scene):
    animator = SceneAnimator(small_scene, catalogue.animation_prompt_by_name(
        "Serum Droplets")["recipe"], 6.0, seed=0)
    a, b = np.asarray(animator.frame(0)), np.asarray(animator.frame(12))
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 1


def test_mp4_is_h264_yuv420p_30fps_with_the_expected_frame_count(small_scene):
    prompt = catalogue.animation_prompt_by_name("Light Sweep")
    video = render_scene_video(small_scene, prompt, duration=2.0)
    info = probe(video.content)
    assert (info["codec"], info["pix_fmt"], info["width"], info["height"]) == (
        "h264", "yuv420p", 1080, 1080)
    assert info["rate"] == FPS and info["frames"] == frame_count(2.0) == 60
    assert video.duration == 2.0 and video.mime == "video/mp4" and info["audio"] == []
    assert video.content[4:8] == b"ftyp" and video.content.find(b"moov") < video.content.find(
        b"mdat")  # faststart


def test_last_frame_is_the_static_ad(small_scene):
    prompt = catalogue.animation_prompt_by_name("Lotion Texture")
    info = probe(render_scene_video(small_scene, prompt, duration=2.0).content)
    static = np.asarray(small_scene.canvas).astype(int)
    assert np.abs(info["last"].astype(int) - static).mean() < 12


def test_music_bed_is_stereo_and_fades_out():
    audio = music_bed(2.0, seed=1)
    assert audio.shape == (2, 88200)
    assert np.abs(audio[:, -100:]).max() < 0.01 and np.abs(audio).max() <= 0.51


def test_full_concept_renders_two_dessert_size_mp4s_with_a_music_bed():
    files = render_concept(brand=BRAND, product=PRODUCT, concept=concept("Fizz Bubbles"),
                           video=True, duration=2.0, bgm=True, image_formats=("jpeg",))
    videos = [f for f in files if f.kind == "video"]
    assert [(v.aspect, v.width, v.height) for v in videos] == [("9:16", 1080, 1920),
                                                               ("4:5", 1080, 1350)]
    info = probe(videos[0].content)
    assert (info["codec"], info["pix_fmt"], info["frames"], info["audio"]) == (
        "h264", "yuv420p", 60, ["aac"])
    assert videos[0].gate_report["ok"] and videos[0].gate_report["video"]["frames"] == 60


def test_duration_is_clamped_to_two_to_fifteen_seconds():
    files = render_concept(brand=BRAND, product=PRODUCT, concept=concept(), sizes=("1:1",),
                           video=True, duration=0.5, image_formats=("jpeg",))
    assert files[-1].duration == 2.0


def test_transition_starts_on_the_first_image_and_ends_on_the_last():
    def png(colour):
        buffer = io.BytesIO()
        Image.new("RGB", (400, 400), colour).save(buffer, "PNG")
        return buffer.getvalue()

    video = render_transition(first=png((255, 0, 0)), last=png((0, 0, 255)), size="1:1",
                              duration=2.0)
    info = probe(video.content)
    assert info["frames"] == 60 and (info["width"], info["height"]) == (1080, 1080)
    assert info["first"][540, 540, 0] > 200 and info["first"][540, 540, 2] < 50
    assert info["last"][540, 540, 2] > 200 and info["last"][540, 540, 0] < 50


def test_encode_mp4_writes_exactly_the_frames_given():
    frames = [Image.new("RGB", (64, 64), (i * 8, 0, 0)) for i in range(10)]
    assert probe(encode_mp4(frames, size=(64, 64), count=10))["frames"] == 10


@pytest.mark.parametrize("threads", [0, 1, 2])
def test_encode_mp4_gives_the_same_frames_whatever_threads_x264_runs(threads):
    # render_concept encodes its two sizes at once with one x264 thread each.
    frames = [Image.new("RGB", (64, 64), (i * 8, 0, 0)) for i in range(10)]
    info = probe(encode_mp4(frames, size=(64, 64), count=10, encoder_threads=threads))
    assert info["frames"] == 10
    assert abs(int(info["last"][32, 32, 0]) - 72) <= 4


def test_prefetched_frames_arrive_complete_and_in_order():
    assert list(prefetched(iter(range(50)), name="test-compose", depth=3)) == list(range(50))


def test_an_error_making_a_prefetched_frame_reaches_the_encoders_loop():
    def frames():
        yield from range(3)
        raise RuntimeError("job cancelled")

    got = []
    with pytest.raises(RuntimeError, match="job cancelled"):
        for item in prefetched(frames(), name="test-compose", depth=2):
            got.append(item)
    assert got == [0, 1, 2]


def test_leaving_a_prefetched_loop_early_stops_the_maker():
    made = []

    def frames():
        for n in range(10_000):
            made.append(n)
            yield n

    stream = prefetched(frames(), name="test-compose-early", depth=2)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()
    assert not any(t.name == "test-compose-early" for t in threading.enumerate())
    assert len(made) < 10


def test_a_checkpoint_that_raises_stops_the_video_and_its_compositing_thread(small_scene):
    calls = []

    def step():
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("stop")

    prompt = catalogue.animation_prompt_by_name("Serum Droplets")
    with pytest.raises(RuntimeError, match="stop"):
        render_scene_video(small_scene, prompt, duration=2.0, step=step)
    assert len(calls) == 5
    assert not any(t.name == "scene-compose" for t in threading.enumerate())
