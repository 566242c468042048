"""What the benchmarks share: their own database on the machine's PostgreSQL, and a funded
workspace with a ready brand (Lumen Skin) and a product with a photo, as a user's would be."""

from __future__ import annotations

import os
import time


def ensure_database() -> None:
    """Create the database ``DATABASE_URL`` names if it is missing (never drops one)."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def funded_workspace(name: str, *, credits: int = 100_000):
    """Set Django up, migrate, and return a new workspace holding ``credits`` whose default
    brand is ready and has one product with a photo."""
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from billing import services as ledger
    from billing.services import account_for_workspace
    from brands.models import Brand, Product, ProductImage
    from generations.render.samples import dropper_bottle
    from studio.services import user_get_or_create, workspace_create

    user, _ = user_get_or_create(email=f"bench-{time.time_ns()}@example.com")
    workspace = workspace_create(name=name, owner=user)
    brand = Brand.objects.create(
        workspace=workspace, name="Lumen Skin", status=Brand.Status.READY, is_default=True,
        color_primary="#C8553D", color_secondary="#F2D0A4", color_accent="#588B8B",
        color_background="#FFF8F0", color_text="#2D1E2F", tagline="Skin that glows",
        value_props=["Dermatologist tested", "Vegan formula"],
    )
    product = Product.objects.create(workspace=workspace, brand=brand, name="Glow Serum",
                                     price="34.00", currency="USD")
    image = ProductImage(product=product)
    image.image.save("serum.png", ContentFile(dropper_bottle()), save=True)
    ledger.grant(account=account_for_workspace(workspace), credits=credits, memo="bench")
    return workspace
