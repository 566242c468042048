"""UGC presenter videos, engine level: script timing per language, the rendered MP4 (frames,
size, presenter in frame 0, captions inside the 9:16 safe zones, the end card) and a supplied
voice track (AAC muxed, the video as long as the track, captions ending with its speech)."""

from __future__ import annotations

import io
import itertools

import av
import numpy as np
import pytest

from generations import catalogue
from generations.render.samples import sample_brands
from generations.render.specs import BrandSpec, ConceptSpec, ProductSpec
from generations.render.ugc import presenter_for, render_ugc_video, write_script
from generations.render.ugc.captions import SAFE_BOTTOM, SAFE_TOP
from generations.render.ugc.presenter import face_centre, portrait_preview
from generations.render.ugc.script import WORDS_PER_SECOND, timed_words
from generations.render.ugc.voice import AudioRefused, decode_audio

SERUM = ProductSpec(name="Glow Serum", description="A light vitamin C serum.")


def _brand(language: str) -> BrandSpec:
    props = {"en": ("Hydrates for 24 hours", "Fragrance-free", "Vegan formula"),
             "es": ("Hidrata durante 24 horas", "Sin perfume", "Fórmula vegana"),
             "fr": ("Hydrate pendant 24 heures", "Sans parfum", "Formule vegan"),
             "de": ("Spendet 24 Stunden Feuchtigkeit", "Ohne Duftstoffe", "Vegane Formel"),
             }[language]
    return BrandSpec(name="Lumen Skin", language=language, tagline="Skin that glows",
                     value_props=props, colors={"primary": "#C8553D"})


@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
@pytest.mark.parametrize("duration", [8, 15, 20, 30])
def test_the_script_fills_the_duration_at_the_languages_pace(language, duration):
    script = write_script(brand=_brand(language), product=SERUM, duration=duration,
                          prompt="Natural creator testimonial for a skincare serum.", seed=3)

    spoken = len(script.words) / WORDS_PER_SECOND[language]
    assert abs(spoken - duration) <= 0.1 * duration
    assert script.spoken_seconds == spoken
    sections = [line.section for line in script.lines]
    assert sections[0] == "hook" and sections[-1] == "cta"
    assert "Glow Serum" in script.text
    assert sections == sorted(sections, key=["hook", "problem", "product", "proof",
                                             "cta"].index)


def test_timed_words_cover_the_speech_in_order():
    script = write_script(brand=_brand("en"), product=SERUM, duration=15, seed=1)

    words = timed_words(script, start=0.15, end=14.65)

    assert len(words) == len(script.words)
    assert words[0].start == 0.15
    assert words[-1].end == pytest.approx(14.65)
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(words))


def _concept(style: str, seed: int = 4) -> ConceptSpec:
    return ConceptSpec(template_slug="product-hero", style_id=style, animation_prompt="",
                       copy_angle="social proof", headline="", body="", cta="Shop now",
                       seed=seed)


def _frames(content: bytes) -> tuple[list, dict]:
    with av.open(io.BytesIO(content)) as container:
        video = container.streams.video[0]
        info = {"codec": video.codec_context.name, "pix_fmt": video.codec_context.pix_fmt,
                "rate": float(video.average_rate),
                "audio": [s.codec_context.name for s in container.streams.audio]}
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    return frames, info


@pytest.fixture(scope="module")
def skincare_video():
    brand, product, style = sample_brands()["skincare"]
    presenter = presenter_for(avatar_id="avatar_maya", photo=None, aspect="9:16")
    rendered = render_ugc_video(brand=brand, product=product, concept=_concept(style),
                                presenter=presenter, duration=8)
    return rendered, brand, presenter


def test_a_ugc_video_is_h264_at_30_fps_with_every_frame(skincare_video):
    rendered, _brand_spec, _presenter = skincare_video

    frames, info = _frames(rendered.content)

    assert len(frames) == rendered.gate_report["video"]["frames"] == 240
    assert frames[0].shape == (1920, 1080, 3)
    assert info == {"codec": "h264", "pix_fmt": "yuv420p", "rate": 30.0, "audio": []}
    assert rendered.content[4:8] == b"ftyp" and rendered.content.find(b"moov") < \
        rendered.content.find(b"mdat")  # faststart
    assert rendered.duration == 8.0


def test_the_presenter_is_in_frame_zero(skincare_video):
    rendered, _brand_spec, presenter = skincare_video
    frames, _ = _frames(rendered.content)
    x0, y0, x1, y1 = presenter.face_box
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    # The cheek below the eye: the presenter's skin, not the room behind.
    cheek = frames[0][cy + 60:cy + 100, cx + 60:cx + 100].reshape(-1, 3).mean(axis=0)

    assert np.abs(cheek - np.array(presenter.skin)).max() < 40
    assert rendered.gate_report["video"]["shots"][0]["kind"] == "close"


def test_captions_are_drawn_inside_the_safe_zones(skincare_video):
    rendered, _brand_spec, _presenter = skincare_video
    frames, _ = _frames(rendered.content)
    report = rendered.gate_report
    boxes = report["gates"]["safe_zones"]["captions"]

    assert report["gates"]["safe_zones"]["ok"] is True
    assert boxes
    for _x0, y0, _x1, y1 in boxes:
        assert y0 >= 1920 * SAFE_TOP and y1 <= 1920 * (1 - SAFE_BOTTOM)
    # Frames of the first pages show their ink in the box: the spoken word on its highlight,
    # and letters (white with a dark outline, or dark on the highlight).
    highlight = np.array(report["video"]["caption_highlight"])
    pages = report["video"]["captions"]["pages"]
    assert pages == len(boxes)
    frame = frames[int(report["video"]["captions"]["start"] * 30) + 6]
    x0, y0, x1, y1 = boxes[0]
    region = frame[y0:y1, x0:x1].reshape(-1, 3).astype(int)
    on_highlight = (np.abs(region - highlight).max(axis=1) < 25).mean()
    letters = ((region.min(axis=1) > 235) | (region.max(axis=1) < 40)).mean()
    assert on_highlight > 0.2 and letters > 0.1
    assert report["video"]["captions"]["end"] <= 8.0


def test_the_end_card_shows_the_cta_button_for_the_last_second_and_a_half(skincare_video):
    rendered, brand, _presenter = skincare_video
    frames, _ = _frames(rendered.content)
    video = rendered.gate_report["video"]
    x0, y0, _x1, y1 = video["cta_button"]
    primary = np.array([int(brand.colors["primary"][i:i + 2], 16) for i in (1, 3, 5)])

    assert video["end_card_start"] <= 8.0 - 1.5
    assert video["shots"][-1]["kind"] == "end"
    last = frames[-1]
    # The button's left cap (clear of its label) is the brand's primary colour...
    cap = last[(y0 + y1) // 2 - 4:(y0 + y1) // 2 + 4, x0 + 12:x0 + 24].reshape(-1, 3)
    assert np.abs(cap.mean(axis=0) - primary).max() < 30
    # ... and the background the brand's background colour.
    background = np.array([int(brand.colors["background"][i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(last[5, 5].astype(int) - background).max() < 20


def test_every_shape_renders_with_the_presenter_and_a_caption():
    brand, product, style = sample_brands()["coffee"]
    for aspect, size in (("1:1", (1080, 1080)), ("16:9", (1920, 1080))):
        presenter = presenter_for(avatar_id="avatar_kenji", photo=None, aspect=aspect)
        rendered = render_ugc_video(brand=brand, product=product, concept=_concept(style),
                                    presenter=presenter, duration=8, aspect=aspect)
        frames, _ = _frames(rendered.content)
        assert (rendered.width, rendered.height) == size
        assert frames[0].shape == (size[1], size[0], 3)
        assert rendered.gate_report["gates"]["safe_zones"]["ok"] is True


def test_the_low_tier_renders_720_wide():
    brand, product, style = sample_brands()["streetwear"]
    presenter = presenter_for(avatar_id="avatar_sofia", photo=None, aspect="9:16",
                              scale=2 / 3)
    rendered = render_ugc_video(brand=brand, product=product, concept=_concept(style),
                                presenter=presenter, duration=8, scale=2 / 3)

    frames, _ = _frames(rendered.content)

    assert frames[0].shape == (1280, 720, 3)
    assert len(frames) == 240


def voice_track(seconds: float, *, lead: float = 0.3, tail: float = 0.2,
                container: str = "wav") -> bytes:
    """A speech-like track: a voiced tone pulsing at syllable rate between silences."""
    rate = 44100
    t = np.arange(int(seconds * rate)) / rate
    syllables = 0.5 + 0.5 * np.sin(2 * np.pi * 4.2 * t)
    tone = 0.4 * np.sin(2 * np.pi * 180 * t) * syllables
    tone[(t < lead) | (t > seconds - tail)] = 0
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container) as out:
        stream = out.add_stream("pcm_s16le" if container == "wav" else "aac", rate=rate)
        stream.layout = "mono"
        samples = (tone * 32767).astype(np.int16)[None, :]
        for offset in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(
                samples[:, offset:offset + 1024]), format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = offset
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buffer.getvalue()


def test_a_supplied_track_is_muxed_as_aac_and_the_captions_follow_it():
    brand, product, style = sample_brands()["skincare"]
    voice = decode_audio(voice_track(9.4), max_seconds=15)
    presenter = presenter_for(avatar_id="avatar_layla", photo=None, aspect="9:16")

    rendered = render_ugc_video(brand=brand, product=product, concept=_concept(style),
                                presenter=presenter, duration=15, voice=voice)

    frames, info = _frames(rendered.content)
    assert info["audio"] == ["aac"]
    assert len(frames) == round(9.4 * 30)
    with av.open(io.BytesIO(rendered.content)) as container:
        audio = container.streams.audio[0]
        seconds = float(audio.duration * audio.time_base)
    assert seconds == pytest.approx(9.4, abs=0.1)
    assert rendered.duration == pytest.approx(9.4, abs=1 / 30)
    captions = rendered.gate_report["video"]["captions"]
    assert abs(captions["end"] - voice.duration) <= 0.5
    assert captions["start"] == pytest.approx(0.3, abs=0.05)
    assert rendered.gate_report["video"]["audio"] == "supplied"


def test_a_file_without_sound_or_too_long_is_refused():
    with pytest.raises(AudioRefused):
        decode_audio(b"not audio at all", max_seconds=15)
    with pytest.raises(AudioRefused, match="longer than 8"):
        decode_audio(voice_track(9.0), max_seconds=8)
    with pytest.raises(AudioRefused, match="at least"):
        decode_audio(voice_track(1.0, lead=0, tail=0), max_seconds=8)


def test_an_uploaded_portrait_is_cropped_around_its_face():
    params = catalogue.avatar_by_id("avatar_priya")
    still = portrait_preview(params, width=600)
    # The portrait off-centre on a wide photo: the crop must find the face, not the middle.
    from PIL import Image

    photo = Image.new("RGB", (1600, still.height), (40, 60, 90))
    photo.paste(still, (950, 0))
    buffer = io.BytesIO()
    photo.save(buffer, "PNG")

    fx, fy, _size = face_centre(photo)
    presenter = presenter_for(avatar_id=None, photo=buffer.getvalue(), aspect="9:16")

    assert 0.70 < fx < 0.80 and 0.2 < fy < 0.5
    assert presenter.drawn is False and presenter.head is None
    x0, _y0, x1, _y1 = presenter.face_box
    assert 200 < (x0 + x1) / 2 < 880  # the face landed inside the vertical frame


def test_the_providers_script_writer_writes_the_script_and_the_engine_times_it(settings):
    from generations.providers import registry
    from generations.render.ugc.script import Script, ScriptLine

    class ChatWriter:
        def write(self, *, brand, product, prompt, duration, template, seed):
            return Script(lines=(ScriptLine("hook", f"{prompt} starts here."),
                                 ScriptLine("product", f"Meet {product.name}."),
                                 ScriptLine("cta", "Tap the link.")), language="en",
                          source="chat:fake-chat-model")

    script = write_script(brand=_brand("en"), product=SERUM, prompt="Chat", duration=8,
                          writer=ChatWriter())

    assert script.text == "Chat starts here. Meet Glow Serum. Tap the link."
    words = timed_words(script, start=0.15, end=7.65)
    assert [w.section for w in words][:3] == ["hook"] * 3
    # With no chat provider configured the registry has no writer: the local one writes.
    assert settings.PROVIDERS["chat"]["enabled"] is False
    assert registry.script_writer() is None
    local = write_script(brand=_brand("en"), product=SERUM, duration=8,
                         writer=registry.script_writer())
    assert local.text != script.text and (local.source, local.fallback) == ("local", "")
