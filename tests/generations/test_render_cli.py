import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "products"


def _brand_json(tmp_path: Path, **extra) -> Path:
    data = {"name": "Noir Roast", "tagline": "Small batch. Slow roast.", "tone": "premium",
            "language": "en",
            "colors": {"primary": "#C8A165", "secondary": "#3A2A20", "accent": "#E8D3B0",
                       "background": "#16110E", "text": "#F5EDE3"},
            "fonts": {"heading": "Playfair Display", "body": "DM Sans"},
            "value_props": ["Single origin", "Roasted to order"],
            "product": {"name": "Ethiopia Guji", "description": "Roasted the day we ship.",
                        "price": "19.50", "currency": "USD"}}
    data.update(extra)
    path = tmp_path / "brand.json"
    path.write_text(json.dumps(data))
    return path


def test_renderad_writes_both_dessert_sizes_and_prints_paths(tmp_path):
    out = StringIO()
    call_command("renderad", "--brand-json", str(_brand_json(tmp_path)), "--product-image",
                 str(FIXTURES / "coffee_bag.png"), "--template", "spotlight", "--out",
                 str(tmp_path / "out"), stdout=out)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["spotlight_4x5.jpg", "spotlight_4x5.png", "spotlight_9x16.jpg",
                       "spotlight_9x16.png"]
    printed = out.getvalue()
    assert str(tmp_path / "out" / "spotlight_9x16.png") in printed
    assert "layout_s=" in printed and "rendered 4 files" in printed


def test_renderad_full_format_adds_mp4s(tmp_path):
    call_command("renderad", "--brand-json", str(_brand_json(tmp_path)), "--format", "full",
                 "--sizes", "1:1", "--duration", "2", "--out", str(tmp_path / "out"),
                 stdout=StringIO())
    assert (tmp_path / "out" / "product-hero_1x1.mp4").stat().st_size > 10_000


def test_renderad_reads_a_logo_relative_to_the_json(tmp_path):
    (tmp_path / "logo.png").write_bytes((FIXTURES / "serum.png").read_bytes())
    call_command("renderad", "--brand-json", str(_brand_json(tmp_path, logo="logo.png")),
                 "--sizes", "1:1", "--out", str(tmp_path / "out"), stdout=StringIO())
    assert (tmp_path / "out" / "product-hero_1x1.png").exists()


def test_renderad_refuses_an_unreadable_brand_file(tmp_path):
    bad = tmp_path / "brand.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("renderad", "--brand-json", str(bad), "--out", str(tmp_path / "out"),
                     stdout=StringIO())
    assert not (tmp_path / "out").exists()
