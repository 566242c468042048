"""Frames composited on YUV 4:2:0 planes: the same pictures as the RGB frames, for the encoder."""

import io

import av
import numpy as np
import pytest
from PIL import Image

from generations import catalogue
from generations.render import BrandSpec, ConceptSpec, ProductSpec
from generations.render.engine import layout_concept
from generations.render.motion import (
    FrameOp,
    PasteOp,
    PlanarRenderer,
    SceneAnimator,
    encode_mp4,
)
from generations.render.samples import dropper_bottle
from generations.render.yuv import Planes, blend, paste_sprite, planar_sprite, rgb_to_planes

BRAND = BrandSpec(name="Lumen", colors={"primary": "#C8553D", "background": "#FFF8F0",
                                        "accent": "#588B8B", "text": "#222222"})
PRODUCT = ProductSpec(name="Serum", image=dropper_bottle(size=(280, 400)))


@pytest.fixture(scope="module")
def scene():
    concept = ConceptSpec(template_slug="product-hero", style_id="soft-gradient",
                          animation_prompt="Serum Droplets", copy_angle="sensory",
                          headline="Feel the difference", body="A light serum for every day.",
                          cta="Shop now")
    scene, _ = layout_concept(brand=BRAND, product=PRODUCT, concept=concept, aspect="1:1")
    return scene


def _planes(planes: Planes) -> list[np.ndarray]:
    return [np.asarray(p).astype(int) for p in (planes.y, planes.u, planes.v)]


def _av_planes(frame: av.VideoFrame) -> list[np.ndarray]:
    return [np.frombuffer(memoryview(p), np.uint8).reshape(p.height, p.line_size)[:, :p.width]
            .astype(int) for p in frame.planes]


def test_rgb_to_planes_matches_the_encoders_own_conversion(scene):
    mine = _planes(rgb_to_planes(scene.canvas))
    theirs = _av_planes(av.VideoFrame.from_image(scene.canvas).reformat(
        format="yuv420p", interpolation="BILINEAR"))
    y, u, v = (np.abs(a - b) for a, b in zip(mine, theirs, strict=True))
    assert y.max() <= 1
    assert u.mean() < 0.5 and v.mean() < 0.5 and max(u.max(), v.max()) <= 8


@pytest.mark.parametrize("prompt", [p["name"] for p in catalogue.animation_prompts()])
def test_planar_frames_are_the_rgb_frames_converted(scene, prompt):
    animator = SceneAnimator(scene, catalogue.animation_prompt_by_name(prompt)["recipe"], 2.0, 3)
    renderer = PlanarRenderer()
    for index in range(60):  # every frame, so the renderer's plate is made and reused
        planes = renderer.render(animator.ops(index))
        if index in (0, 9, 31, 59):
            expected = rgb_to_planes(animator.frame(index))
            for got, want in zip(_planes(planes), _planes(expected), strict=True):
                assert np.abs(got - want).mean() < 1.0, (prompt, index)


def test_a_sprite_pasted_at_any_parity_has_the_chroma_of_the_composited_frame():
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (31, 45, 4), dtype=np.uint8)
    pixels[..., 3] = np.where(rng.random((31, 45)) > 0.3, 255, 0)
    sprite = Image.fromarray(pixels)
    for x, y in ((10, 20), (11, 20), (10, 21), (11, 21)):
        backdrop = Image.new("RGB", (96, 96), (40, 120, 200))
        expected = backdrop.copy()
        expected.paste(sprite, (x, y), sprite)
        planes = rgb_to_planes(backdrop)
        paste_sprite(planes, planar_sprite(sprite, x % 2, y % 2), x, y)
        for got, want in zip(_planes(planes), _planes(rgb_to_planes(expected)), strict=True):
            assert np.abs(got - want).max() <= 2, (x, y)


class _Counting(FrameOp):
    """A solid background that counts how often it is drawn."""

    def __init__(self, drawn: list[int]):
        self.drawn = drawn
        self.key = ("counting",)

    def planar(self, frame, sprites):
        self.drawn.append(1)
        return rgb_to_planes(Image.new("RGB", (64, 64), (10, 200, 30)))


def test_unchanged_leading_operations_are_drawn_once_and_reused():
    drawn: list[int] = []
    background = _Counting(drawn)
    dot = Image.new("RGBA", (8, 8), (255, 0, 0, 255))
    renderer = PlanarRenderer()
    frames = [renderer.render([background, PasteOp(dot, x, 10, keep=True)])
              for x in (4, 6, 8, 10)]
    # Frame 0 draws everything; from frame 1 the background is the plate, drawn once more.
    assert len(drawn) == 2
    for x, planes in zip((4, 6, 8, 10), frames, strict=True):
        assert planes.y.getpixel((x + 2, 12)) != planes.y.getpixel((40, 40))
    assert frames[3].y.getpixel((6, 12)) == frames[3].y.getpixel((40, 40))  # the dot moved on


def test_encode_mp4_takes_planes_and_images_alike():
    image = Image.new("RGB", (64, 64), (200, 40, 40))
    frames = [image, rgb_to_planes(image), rgb_to_planes(image).video_frame()]
    content = encode_mp4(frames, size=(64, 64), count=3)
    with av.open(io.BytesIO(content)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(decoded) == 3
    for frame in decoded:
        assert np.abs(frame.astype(int) - (200, 40, 40)).mean() < 4


@pytest.mark.parametrize("amount", [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
def test_blending_two_loop_frames_matches_pillows_blend_and_returns_a_new_frame(amount):
    rng = np.random.default_rng(7)

    def random_planes() -> Planes:
        y, u, v = (Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))
                   for shape in ((48, 64), (24, 32), (24, 32)))
        return Planes(y, u, v)

    a, b = random_planes(), random_planes()
    before = _planes(a)
    out = blend(a, b, amount)
    expected = [np.asarray(Image.blend(p, q, amount)).astype(int)
                for p, q in ((a.y, b.y), (a.u, b.u), (a.v, b.v))]
    for got, want in zip(_planes(out), expected, strict=True):
        assert np.abs(got - want).max() <= 1
    # The renderer draws the frame's sprites on what it gets: never on a loop frame.
    out.y.paste(0, (0, 0, 64, 48))
    for kept, was in zip(_planes(a), before, strict=True):
        assert (kept == was).all()
    assert out.y is not b.y
