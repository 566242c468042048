"""Template previews drawn for one brand (its colours, fonts, logo and first product) instead of
the catalogue's sample serum. Each is rendered on first request and kept in storage under a
fingerprint of everything it shows, so a Brand DNA edit or a new product photo draws fresh ones
and unchanged brands are served from the cache."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from brands.models import Brand
from generations import catalogue
from generations.inputs import brand_spec_for, product_spec_for, products_for_generation
from generations.render import ConceptSpec, RenderFailed, write_copy
from generations.render.engine import FALLBACK_STYLE, layout_concept

PREVIEW_SIZE = (270, 480)
_ANGLE_FOR_CATEGORY = {"social proof": "social proof", "transformation": "transformation",
                       "routine": "ritual", "sensory": "sensory",
                       "comparison": "pain + solution"}


def brand_preview_fingerprint(brand: Brand) -> str:
    """Changes whenever something a preview shows changes."""
    product = products_for_generation(brand).first()
    image = product.images.order_by("position", "id").first() if product else None
    parts = [brand.pk, brand.updated_at.isoformat(), brand.logo.name if brand.logo else "",
             product.pk if product else "", product.updated_at.isoformat() if product else "",
             image.image.name if image else "", catalogue.catalogue_fingerprint()]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def brand_preview_get_or_create(*, brand: Brand, template_slug: str) -> str:
    """The storage name of ``template_slug`` drawn for ``brand`` (rendered when missing).

    Raises ``catalogue.CatalogueError`` for an unknown template and ``RenderFailed`` when the
    layout cannot pass its gates for this brand.
    """
    template = catalogue.template_by_slug(template_slug)
    name = (f"brand-previews/{brand.workspace_id}/{brand.pk}/"
            f"{brand_preview_fingerprint(brand)}/{template_slug}.webp")
    if default_storage.exists(name):
        return name
    product = products_for_generation(brand).first()
    brand_spec = brand_spec_for(brand, include_logo=True)
    product_spec = (product_spec_for(product, include_image=True) if product is not None
                    else product_spec_for(None, include_image=False, fallback_name=brand.name))
    angle = _ANGLE_FOR_CATEGORY.get(template["category"], "benefit outcome")
    copy = write_copy(brand=brand_spec, product=product_spec, angle=angle,
                      template_slug=template_slug, avoid_headlines=set(), seed=template["id"])
    concept = ConceptSpec(template_slug=template_slug, style_id=FALLBACK_STYLE,
                          animation_prompt="", copy_angle=angle, headline=copy.headline,
                          body=copy.body, cta=copy.cta, badge=None, seed=template["id"])
    scene, _ = layout_concept(brand=brand_spec, product=product_spec, concept=concept,
                              aspect="9:16")
    preview = scene.canvas.convert("RGB").resize(PREVIEW_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    preview.save(buffer, format="WEBP", quality=80, method=4)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


__all__ = ["RenderFailed", "brand_preview_fingerprint", "brand_preview_get_or_create"]
