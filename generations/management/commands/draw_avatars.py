"""Draw the built-in presenters' preview stills into static/avatars/ (run after changing
generations/catalogue/avatars.json; the PNGs are committed)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from generations import catalogue
from generations.render.ugc.presenter import portrait_preview


class Command(BaseCommand):
    help = "Draw the built-in presenters' preview images into static/avatars/."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "static" / "avatars"
        folder.mkdir(parents=True, exist_ok=True)
        for avatar in catalogue.avatars():
            path = folder / f"{avatar['id']}.png"
            portrait_preview(avatar, width=360).save(path, "PNG", optimize=True)
            self.stdout.write(f"{path.relative_to(settings.BASE_DIR)}")
