from generations.render.fonts import detect_script, font_path, is_rtl
from generations.render.text import TextStyle, draw_text_block, fit_text, line_width

INTER = TextStyle(family="Inter", weight=700)


def test_fit_picks_the_largest_size_that_fits():
    fit = fit_text("Calm skin in seven days", INTER, 600, 300, 20, 200, 2)
    assert fit.fits
    bigger = fit_text("Calm skin in seven days", INTER, 600, 300, fit.size + 1, fit.size + 1, 2)
    assert not bigger.fits
    assert len(fit.lines) <= 2
    assert all(line_width(line, fit.path, fit.size) <= 600 for line in fit.lines)


def test_a_word_wider_than_the_box_is_never_hyphenated():
    fit = fit_text("Supercalifragilistic", INTER, 200, 400, 60, 60, 3)
    assert not fit.fits
    assert fit.reason == "word wider than box"
    assert fit.lines == []


def test_too_much_copy_reports_too_many_lines_at_the_minimum_size():
    fit = fit_text("word " * 60, INTER, 300, 100, 40, 60, 2)
    assert not fit.fits


def test_balanced_wrapping_leaves_no_orphan_word():
    fit = fit_text("Your new daily ritual starts right here today", INTER, 700, 600, 70, 70, 4)
    assert fit.fits and len(fit.lines) >= 2
    assert len(fit.lines[-1].split()) >= 2


def test_upper_case_style_applies_to_latin_text():
    fit = fit_text("limited drop", TextStyle("Anton", 400, upper=True), 800, 300, 40, 80, 2)
    assert fit.text == "LIMITED DROP"


def test_arabic_uses_the_arabic_font_and_right_aligns():
    text = "عطر يدوم طوال الليل"
    assert detect_script(text) == "arabic" and is_rtl(text)
    fit = fit_text(text, INTER, 900, 300, 40, 80, 2)
    assert fit.rtl and fit.fits
    assert fit.path.name.startswith("NotoSansArabic")
    sprite, ink = draw_text_block(fit, 900, 300, (0, 0, 0, 255), align="left")
    assert ink[2] >= 895  # "left" becomes right-aligned for RTL
    assert sprite.getchannel("A").getbbox() is not None


def test_hebrew_uses_the_hebrew_font():
    assert font_path("Inter", 400, "שלום עולם").name.startswith("NotoSansHebrew")


def test_emoji_are_drawn_with_the_emoji_font_or_dropped_never_tofu():
    fit = fit_text("Glow up \u2728 today \U0001F9FF\uFE0F", INTER, 900, 200, 40, 60, 2)
    assert "\u2728" in fit.text  # Noto Emoji has sparkles
    assert "\uFE0F" not in fit.text
    sprite, _ = draw_text_block(fit, 900, 200, (0, 0, 0, 255))
    assert sprite.getchannel("A").getbbox() is not None


def test_characters_no_font_can_draw_are_dropped_cleanly():
    fit = fit_text("Hello \U0001D11E world", INTER, 900, 200, 40, 60, 2)
    assert fit.text == "Hello world"


def test_cjk_is_tokenised_per_character_for_wrapping():
    from generations.render.text import _tokens

    tokens, joiner = _tokens("今日から始める")
    assert tokens == list("今日から始める") and joiner == ""
