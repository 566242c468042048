"""Brand DNA candidates on small pages, one per miss the issue found on real sites."""

from decimal import Decimal

import pytest

from brands.scrape.evidence import Candidates
from brands.scrape.page import analyse_page, dna_json, found_fields, logo_urls
from brands.scrape.structured import merge_products, parse_price, products, read_structured

BASE = "https://shop.example/"


def analyse(html, url=BASE, css=""):
    return analyse_page(html=html, url=url, stylesheets=[css] if css else [])


def product_list(html, url=BASE + "p/x"):
    return merge_products(products(read_structured(html, url), url)[0])


# --- evidence -------------------------------------------------------------------------------
def test_higher_tier_beats_heavier_lower_tier_and_repeats_add_up():
    c = Candidates()
    c.add("name", "Title Co", source="title", evidence="frequency", weight=900)
    c.add("name", "Acme", source="og:site_name", evidence="declared", weight=1)
    c.add("logo", "/a.png", source="header", evidence="layout", weight=2)
    c.add("logo", "/b.png", source="header", evidence="layout", weight=3)
    c.add("logo", "/a.png", source="nav", evidence="layout", weight=2)
    assert c.value("name") == "Acme"
    assert [x.value for x in c.ranked("logo")] == ["/a.png", "/b.png"]
    assert c.as_json()["logo"][0] == {"value": "/a.png", "source": "header",
                                      "evidence": "layout", "score": 2004.0}


# --- products -------------------------------------------------------------------------------
def test_microdata_only_product_with_comma_decimal():
    html = """<div itemscope itemtype="http://schema.org/Product"><h1 itemprop="name">Jam</h1>
      <img itemprop="image" src="/jam.jpg"><div itemprop="offers" itemscope
      itemtype="http://schema.org/Offer"><span itemprop="price">6,90</span>
      <span itemprop="priceCurrency" content="EUR">€</span></div></div>"""
    (product,) = product_list(html)
    assert (product.name, product.price, product.currency, product.image_urls) == \
        ("Jam", Decimal("6.90"), "EUR", [BASE + "jam.jpg"])


def test_price_specification_and_strikethrough_regular_price():
    html = """<script type="application/ld+json">{"@type":"Product","name":"Candle",
      "offers":{"@type":"Offer","priceSpecification":[
        {"@type":"UnitPriceSpecification","price":"59.00","priceCurrency":"PLN"},
        {"@type":"UnitPriceSpecification","price":"79.00","priceCurrency":"PLN",
         "priceType":"https://schema.org/StrikethroughPrice"}]}}</script>"""
    (product,) = product_list(html)
    assert (product.price, product.regular_price, product.currency) == \
        (Decimal("59.00"), Decimal("79.00"), "PLN")


def test_open_graph_price_without_amount_suffix_and_comma():
    html = """<meta property="og:type" content="product"><meta property="og:title" content="Bag">
      <meta property="product:price" content="185,00"><meta property="product:currency"
      content="EUR"><meta property="og:image" content="/bag.jpg?a=1&amp;amp;b=2">"""
    (product,) = product_list(html)
    assert (product.price, product.currency, product.image_urls) == \
        (Decimal("185.00"), "EUR", [BASE + "bag.jpg?a=1&b=2"])


def test_json_ld_and_open_graph_of_one_product_are_merged():
    html = """<meta property="og:type" content="product"><meta property="og:title"
      content="Mug – Acme"><meta property="product:price:amount" content="12">
      <meta property="product:sale_price:amount" content="9"><meta
      property="product:original_price:amount" content="12">
      <script type="application/ld+json">{"@type":"Product","name":"Mug","sku":"M1",
      "image":"/mug.jpg?w=1&amp;h=2"}</script>"""
    (product,) = product_list(html)
    assert (product.name, product.price, product.regular_price, product.sources) == \
        ("Mug", Decimal("9.00"), Decimal("12.00"), ["json-ld", "open graph"])
    assert product.image_urls[0] == BASE + "mug.jpg?w=1&h=2"


def test_prices_in_other_locales():
    assert parse_price("1.299,00 €") == (Decimal("1299.00"), "EUR")
    assert parse_price("49,99 zł") == (Decimal("49.99"), "PLN")
    assert parse_price("NT$1,280") == (Decimal("1280.00"), "TWD")
    assert parse_price("¥268.00", locale="zh-cn") == (Decimal("268.00"), "CNY")
    assert parse_price("$20", locale="en-ca") == (Decimal("20.00"), "CAD")
    assert parse_price("Price on request") == (None, "")


# --- logo -----------------------------------------------------------------------------------
def test_logo_ignores_product_brand_logos_promo_banners_and_footer_badges():
    html = """<meta property="og:site_name" content="Tide">
      <div class="promo-bar"><img class="promo-logo" src="/promo-logo.png"></div>
      <div class="product-card"><img class="brand-logo" src="/partner-logo.png"></div>
      <header><a href="/"><img src="/brand/wordmark.svg" alt="Tide"></a></header>
      <footer><img class="logo" src="/trust-logo.png" alt="Secure logo"></footer>"""
    assert logo_urls(analyse(html))[0][0] == BASE + "brand/wordmark.svg"


def test_logo_declared_and_structured_beat_layout():
    og = '<meta property="og:logo" content="/og-logo.png"><header><a href="/"><img src="/h.png" ' \
         'class="logo"></a></header>'
    assert logo_urls(analyse(og))[0] == (BASE + "og-logo.png", "og:logo")
    itemprop = '<div itemscope itemtype="https://schema.org/Organization"><img itemprop="logo" ' \
               'src="/org.png"></div><header><a href="/"><img src="/h.png" class="logo"></a>' \
               '</header>'
    assert logo_urls(analyse(itemprop))[0][0] == BASE + "org.png"


def test_srcset_only_and_data_svg_logos():
    srcset = '<header><a href="/"><img class="logo" srcset="/l-1x.png 1x, /l-2x.png 2x"></a>' \
             '</header>'
    assert logo_urls(analyse(srcset))[0][0] == BASE + "l-2x.png"
    data = '<header><a href="/"><img class="logo" src="data:image/svg+xml;base64,PHN2Zz4="></a>' \
           '</header>'
    assert logo_urls(analyse(data))[0][0] == "data:image/svg+xml;base64,PHN2Zz4="


def test_addressed_logo_beats_an_inline_svg_with_the_same_evidence():
    html = """<header><a href="/" class="logo"><svg viewBox="0 0 4 4"><rect width="4"/></svg>
      </a><a href="/" class="logo"><img src="/logo.png"></a></header>"""
    urls = [u for u, _ in logo_urls(analyse(html))]
    assert urls[0] == BASE + "logo.png"
    assert urls[1].startswith("data:image/svg+xml")


# --- theme colour, name, language -----------------------------------------------------------
def test_declared_grey_theme_colour_is_kept_and_tile_colour_read():
    grey = analyse('<meta name="theme-color" content="#f7f7f7">')
    assert grey.found["theme_color"]["value"] == "#f7f7f7"
    assert grey.found["color_primary"]["value"] != "#f7f7f7"
    tile = analyse('<meta name="msapplication-TileColor" content="#2b5797">')
    assert tile.found["theme_color"] == {"value": "#2b5797", "source": "msapplication-tilecolor"}


def test_name_from_a_product_title_with_a_price_is_the_brand():
    html = "<title>Linen Shirt – $49.00 – Acme Goods</title>"
    assert analyse(html, url="https://acmegoods.example/p/shirt").found["name"]["value"] == \
        "Acme Goods"
    assert analyse("<title>Rusty Bikes | Repairs in Hackney</title>").found["name"][
        "value"] == "Rusty Bikes"


def test_language_from_text_og_locale_and_rtl():
    arabic = '<html dir="rtl"><body><p>عطر عود ملكي بتركيز عالٍ وثبات يدوم طويلاً مستخلص ' \
             'من أجود أنواع العود مع لمسات من الورد والعنبر</p></body></html>'
    assert analyse(arabic).found["language"]["value"] == "ar"
    locale = '<meta property="og:locale" content="pt_BR"><p>Hello there friends</p>'
    assert analyse(locale).found["language"] == {"value": "pt", "source": "og:locale"}


# --- fonts ----------------------------------------------------------------------------------
def test_fonts_skip_inherit_generic_and_cookie_banner_rules():
    html = """<link href="https://fonts.googleapis.com/css?family=Lora:700|Karla" rel="stylesheet">
      <style>html{font-family:sans-serif} button,input{font-family:inherit}
      #cookie-banner p{font-family:Arial,sans-serif} body{font-family:Karla,sans-serif}
      h1,h2{font-family:Lora,serif}</style>"""
    found = analyse(html).found
    assert (found["heading_font_source"]["value"], found["body_font_source"]["value"]) == \
        ("Lora", "Karla")


def test_css_in_js_classes_and_style_attributes_are_counted():
    rules = "".join(f".css-{i}{{font-family:'Space Grotesk',sans-serif}}" for i in range(6))
    html = (f"<style>{rules}.css-x{{font-family:'Space Grotesk';font-weight:700;"
            "font-size:48px}</style><p style=\"font-family: 'IBM Plex Sans'\">a</p>")
    found = analyse(html).found
    assert found["heading_font_source"]["value"] == "Space Grotesk"


# --- social ---------------------------------------------------------------------------------
def test_social_profiles_not_share_links_posts_or_testimonials():
    html = """<meta property="og:site_name" content="Acme">
      <a href="https://www.facebook.com/sharer/sharer.php?u=x">share</a>
      <a href="https://twitter.com/intent/tweet?text=x">tweet</a>
      <a href="https://www.youtube.com/watch?v=abc">video</a>
      <blockquote class="testimonial"><a href="https://instagram.com/happycustomer">@c</a>
      </blockquote>
      <footer><a href="https://de-de.facebook.com/acme">fb</a>
      <a href="https://twitter.com/#!/acme">tw</a><a href="https://instagram.com/acme/">ig</a>
      <a href="https://uk.pinterest.com/acme/">pin</a></footer>"""
    assert found_fields(analyse(html))["social_links"]["value"] == {
        "facebook": "https://www.facebook.com/acme", "x": "https://twitter.com/acme",
        "instagram": "https://www.instagram.com/acme",
        "pinterest": "https://www.pinterest.com/acme"}


def test_dna_json_has_exactly_the_documented_shape():
    page = analyse('<meta property="og:site_name" content="Acme"><title>Acme</title>')
    out = dna_json(found=page.found, products=page.products, logo=None)
    assert list(out) == ["name", "tagline", "description", "language", "logo", "colors",
                         "fonts", "social", "products"]
    assert list(out["colors"]) == ["primary", "secondary", "accent", "background", "text",
                                   "theme"]
    assert out["logo"] is None and out["products"] == [] and out["name"] == "Acme"


# --- XML safety -----------------------------------------------------------------------------
BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')


def test_entity_bombs_in_sitemaps_and_svg_logos_are_refused():
    from brands.scrape.extract import sitemap_urls
    from studio.images import ImageRefused, rasterise_svg

    sitemap = BOMB + b"<urlset><url><loc>&lol2;</loc></url></urlset>"
    assert sitemap_urls(sitemap.decode()) == ([], [])
    svg = BOMB + b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>'
    with pytest.raises(ImageRefused, match="not a valid SVG"):
        rasterise_svg(svg)


def test_loaded_but_unused_web_fonts_fall_back_by_their_order():
    html = ('<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Playfair+'
            'Display:wght@700&family=Lato:wght@400&display=swap">')
    found = analyse(html).found
    assert (found["heading_font_source"]["value"], found["body_font_source"]["value"]) == \
        ("Playfair Display", "Lato")
