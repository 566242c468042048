"""The extraction functions, each on a small document of its own."""

from decimal import Decimal

import pytest

from brands.scrape import extract
from brands.scrape.colors import parse_css_color
from brands.scrape.dna import font_candidates
from brands.scrape.evidence import Candidates
from studio.visual.fonts import classify, match_font

BASE = "https://shop.example/"


def tree(html):
    return extract.parse_html(html)


def test_palette_from_custom_properties_resolves_nested_vars():
    css = extract.parse_css(":root{--brand-hue: #ff6600; --color-primary: var(--brand-hue);"
                            "--surface: #fafafa; --ink: rgb(20 20 20)}")
    result = extract.extract_palette(css)
    assert result.colors["primary"] == "#ff6600"
    assert result.colors["background"] == "#fafafa"
    assert result.colors["text"] == "#141414"
    assert result.sources["primary"] == "css variable --color-primary"


def test_palette_weighs_buttons_over_borders_and_uses_theme_color():
    css = extract.parse_css(
        ".card{border:1px solid #00aa00} .card2{border-color:#00aa00}"
        ".btn{background:#cc0000;color:#fff} body{background:#fff;color:#222}")
    assert extract.extract_palette(css).colors["primary"] == "#cc0000"
    themed = extract.extract_palette(css, theme_color="#0055ff")
    assert themed.colors["primary"] == "#0055ff"
    assert themed.colors["secondary"] == "#cc0000"


def test_palette_falls_back_to_logo_colours_and_defaults():
    result = extract.extract_palette(extract.parse_css(""),
                                     logo_colors=[((192, 57, 43), 0.9), ((255, 255, 255), 0.1)])
    assert result.colors["primary"] == "#c0392b"
    assert result.colors["background"] == "#ffffff"
    assert result.colors["text"] == "#111111"
    assert set(result.colors) == {"primary", "secondary", "accent", "background", "text"}


def test_css_inside_media_queries_and_font_faces():
    css = extract.parse_css("""
      @font-face { font-family: 'Brandon'; src: url(b.woff2); }
      @media (min-width: 600px) { h1 { font-family: 'Brandon', serif; font-weight: 800 } }
      body { font-family: -apple-system, 'Helvetica Neue', sans-serif }
    """)
    candidates = Candidates()
    generics = font_candidates(candidates, css, tree(""))
    assert css.font_faces == ["Brandon"]
    assert candidates.value("heading_font") == "Brandon"
    assert generics["Brandon"] == "serif"
    assert candidates.value("body_font") == "Helvetica Neue"


def test_google_fonts_links():
    html = ('<link href="https://fonts.googleapis.com/css2?family=Playfair+Display:wght@700'
            '&amp;family=Lato&display=swap" rel="stylesheet">'
            '<link href="https://fonts.googleapis.com/css?family=Oswald:400|Roboto+Mono">')
    assert extract.google_font_families(tree(html)) == ["Playfair Display", "Lato", "Oswald",
                                                        "Roboto Mono"]


@pytest.mark.parametrize("family, generic, expected", [
    ("Playfair Display", "", "Playfair Display"),   # bundled: same family
    ("inter", "", "Inter"),                          # case-insensitive
    ("Helvetica Neue", "sans-serif", "Inter"),       # known look-alike
    ("Georgia", "serif", "Lora"),
    ("Brandon Grotesque", "", "Inter"),              # name says sans
    ("Tiempos Headline", "serif", "Playfair Display"),  # generic says serif
    ("Operator Mono", "", "JetBrains Mono"),
    ("Sweet Script Pro", "", "Dancing Script"),
    ("", "monospace", "JetBrains Mono"),
])
def test_font_matching(family, generic, expected):
    assert match_font(family, generic=generic) == expected


def test_font_classification():
    assert classify("Garamond Premier") == "serif"
    assert classify("Unknown Face", generic="cursive") == "script"


def test_tagline_and_description():
    html = ('<meta name="description" content="We make shoes.">'
            '<header><h1>Acme</h1></header><section class="hero"><h1>Walk further, '
            "feel lighter</h1></section>")
    assert extract.extract_tagline(tree(html), name="Acme") == ("Walk further, feel lighter",
                                                               "We make shoes.")


def test_woocommerce_minor_units_and_shopify_min_variant_price():
    woo = extract.products_from_woocommerce([{"id": 1, "name": "Candle", "prices": {
        "price": "1999", "currency_code": "USD", "currency_minor_unit": 2}}], BASE)
    assert (woo[0].price, woo[0].currency, woo[0].external_id) == (Decimal("19.99"), "USD",
                                                                   "woocommerce:1")
    shop = extract.products_from_shopify({"products": [{"id": 5, "title": "Tea", "handle": "tea",
        "variants": [{"price": "9.00"}, {"price": "5.50"}], "images": []}]}, BASE, currency="GBP")
    assert (shop[0].price, shop[0].url) == (Decimal("5.50"), BASE + "products/tea")


def test_sitemap_and_candidate_links():
    pages, nested = extract.sitemap_urls(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
        "https://shop.example/products/a</loc></url></urlset>")
    assert pages == ["https://shop.example/products/a"] and nested == []
    html = ('<a href="/about-us">About</a><a href="/products/a">A</a><a href="/cart">Cart</a>'
            '<a href="https://other.example/about">x</a><a href="/blog/post">blog</a>')
    assert extract.candidate_links(tree(html), BASE) == [
        (BASE + "about-us", "about"), (BASE + "products/a", "product")]


def test_value_props_and_tone():
    html = """<section class="features"><h2>Why us?</h2><li>Free returns for 60 days</li>
      <li>Made in Portugal</li><li>Shop</li></section>"""
    assert extract.extract_value_props(tree(html)) == ["Free returns for 60 days",
                                                       "Made in Portugal"]
    tone = extract.describe_tone(["You will love it!", "Your skin, happy!", "Feel great."])
    assert tone.startswith("Energetic, warm")


@pytest.mark.parametrize("value, expected", [
    ("#abc", (170, 187, 204)), ("rgba(0, 0, 0, 0.2)", None), ("transparent", None),
    ("hsl(0 100% 50%)", (255, 0, 0)), ("tomato", (255, 99, 71)), ("var(--x)", None),
])
def test_parse_css_color(value, expected):
    assert parse_css_color(value) == expected


def test_svg_logos_are_rasterised_without_external_references(tmp_path):
    from PIL import Image

    from brands.scrape.crawl import validate_image
    from studio.images import rasterise_svg

    secret = tmp_path / "secret.png"
    Image.new("RGB", (50, 50), (0, 255, 0)).save(secret)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
           f' width="100" height="50"><rect width="50" height="50" fill="#ff0000"/>'
           f'<image x="50" width="50" height="50" xlink:href="file://{secret}"/>'
           f'<script>alert(1)</script></svg>').encode()
    png = rasterise_svg(svg)
    with Image.open(__import__("io").BytesIO(png)) as img:
        img = img.convert("RGBA")
        assert img.size == (1024, 512)
        assert img.getpixel((102, 102))[:3] == (255, 0, 0)
        assert img.getpixel((768, 256))[3] == 0  # the local file was not drawn
    image = validate_image(svg, source_url="x")
    assert (image.extension, image.width, image.height) == ("png", 1024, 512)
    assert validate_image(b"<svg", source_url="x") is None
    assert validate_image(b"GIF89a-not-really", source_url="x") is None
