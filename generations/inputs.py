"""Brand DNA and products as the engine's plain inputs (BrandSpec, ProductSpec)."""

from __future__ import annotations

from django.db.models import QuerySet

from brands.models import Brand, Product
from brands.selectors import brand_products
from brands.services import image_bytes
from generations.models import Upload
from generations.render import BrandSpec, ProductSpec


def brand_spec_for(brand: Brand, *, include_logo: bool) -> BrandSpec:
    """The engine's view of a brand; the logo bytes are read only when a render needs them."""
    return BrandSpec(
        name=brand.name, tagline=brand.tagline, tone=brand.tone_of_voice,
        language=brand.language or "en", colors=dict(brand.palette),
        fonts={"heading": brand.heading_font, "body": brand.body_font},
        value_props=tuple(brand.value_props or ()),
        logo=image_bytes(brand.logo) if include_logo and brand.logo else None,
    )


def product_spec_for(product: Product | None, *, include_image: bool,
                     fallback_name: str = "") -> ProductSpec:
    """The engine's view of a product (its first image when a render needs it)."""
    if product is None:
        return ProductSpec(name=fallback_name)
    image = None
    if include_image:
        first = product.images.order_by("position", "id").first()
        image = image_bytes(first.image) if first else None
    return ProductSpec(
        name=product.name, description=product.description,
        price=str(product.price) if product.price is not None else None,
        currency=product.currency or "USD", image=image,
    )


def products_for_generation(brand: Brand, *, product_ids: tuple[int, ...] = ()
                            ) -> QuerySet[Product]:
    """The products a job rotates across: the ones it names, else every active one."""
    products = brand_products(brand=brand, active_only=not product_ids)
    if product_ids:
        products = products.filter(pk__in=product_ids)
    return products.order_by("position", "id")


def upload_bytes(*, workspace_id: int, public_id: str | None) -> bytes | None:
    """The file of one of the workspace's uploads, or None when there is none by that id."""
    if not public_id:
        return None
    upload = Upload.objects.filter(workspace_id=workspace_id, public_id=public_id).first()
    return image_bytes(upload.file) if upload is not None else None


def reference_image_for(*, workspace_id: int, upload_ids: list[str] | tuple[str, ...],
                        index: int) -> bytes | None:
    """The reference upload a concept uses as its product photo (they rotate across the
    job's concepts), or None when the brief sent none."""
    if not upload_ids:
        return None
    return upload_bytes(workspace_id=workspace_id,
                        public_id=upload_ids[index % len(upload_ids)])
