"""Brand DNA: brands, their products and the website scrapes that filled them in."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from studio.models import Workspace, WorkspaceQuerySet

hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a2b3c.")

# Brand fields the DNA editor and the scrape both write; a user edit is remembered in
# ``Brand.edited_fields`` so a re-scrape leaves it alone unless asked to overwrite.
DNA_FIELDS = (
    "name", "tagline", "description", "tone_of_voice", "value_props", "audience", "language",
    "color_primary", "color_secondary", "color_accent", "color_background", "color_text",
    "heading_font", "body_font", "logo", "social_links",
)


def _logo_path(instance: Brand, filename: str) -> str:
    return f"brands/{instance.workspace_id}/logos/{filename}"


def _product_image_path(instance: ProductImage, filename: str) -> str:
    return f"brands/{instance.product.workspace_id}/products/{instance.product_id}/{filename}"


class Brand(models.Model):
    class Status(models.TextChoices):
        ONBOARDING = "onboarding", "Onboarding"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="brands")
    name = models.CharField(max_length=120)
    website = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ONBOARDING)
    is_default = models.BooleanField(default=False)

    color_primary = models.CharField(max_length=7, default="#111111", validators=[hex_color])
    color_secondary = models.CharField(max_length=7, default="#444444", validators=[hex_color])
    color_accent = models.CharField(max_length=7, default="#888888", validators=[hex_color])
    color_background = models.CharField(max_length=7, default="#ffffff", validators=[hex_color])
    color_text = models.CharField(max_length=7, default="#111111", validators=[hex_color])
    # Bundled family names (see studio.visual.fonts); the *_source fields keep what the site used.
    heading_font = models.CharField(max_length=80, default="Inter")
    body_font = models.CharField(max_length=80, default="Inter")
    heading_font_source = models.CharField(max_length=120, blank=True)
    body_font_source = models.CharField(max_length=120, blank=True)

    logo = models.ImageField(upload_to=_logo_path, blank=True, max_length=300)
    # Where the logo came from; kept when its download failed (``logo_error`` says why).
    logo_url = models.CharField(max_length=1000, blank=True)
    logo_error = models.CharField(max_length=300, blank=True)
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    tone_of_voice = models.CharField(max_length=300, blank=True)
    value_props = models.JSONField(default=list, blank=True)
    audience = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, default="en")
    social_links = models.JSONField(default=dict, blank=True)
    edited_fields = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(is_default=True),
                name="brand_one_default_per_workspace",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["onboarding", "ready", "failed"]),
                name="brand_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def palette(self) -> dict[str, str]:
        return {
            "primary": self.color_primary, "secondary": self.color_secondary,
            "accent": self.color_accent, "background": self.color_background,
            "text": self.color_text,
        }


class Product(models.Model):
    class Source(models.TextChoices):
        SCRAPED = "scraped", "Found on the website"
        MANUAL = "manual", "Added by hand"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="products")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The price before a sale, when the site shows one (``price`` is what it sells for now).
    regular_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    url = models.URLField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    # Stable identity on the website (Shopify id, SKU, page URL) so a re-scrape updates in place.
    external_id = models.CharField(max_length=300, blank=True)
    edited = models.BooleanField(default=False, help_text="Changed by a person since scraped.")
    # Set when a re-scrape no longer finds the product on the site; it is kept, inactive.
    removed_at = models.DateTimeField(null=True, blank=True)
    # Photos found on the site that could not be downloaded yet: [{"url", "error", "attempts"}].
    pending_images = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "external_id"], condition=~models.Q(external_id=""),
                name="product_unique_external_id_per_brand",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0) | models.Q(price__isnull=True),
                                   name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=_product_image_path, max_length=300,
                              width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name


class BrandScrape(models.Model):
    """One onboarding run over a website: progress, pages fetched, what was found where."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE,
                                  related_name="brand_scrapes")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="scrapes")
    url = models.URLField(max_length=500)
    overwrite = models.BooleanField(default=False)
    ready_on_success = models.BooleanField(
        default=False, help_text="Mark the brand ready when the scrape succeeds (API onboarding, "
        "where no one reviews the result in the wizard).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    pages = models.JSONField(default=list, blank=True)  # [{"url", "status", "ms", "kind"}]
    found = models.JSONField(default=dict, blank=True)  # {"name": {"value", "source"}, ...}
    # Every candidate per field, best first: {"logo": [{"value", "source", "evidence",
    # "score"}, ...], ...}; the review page offers the runner-ups.
    candidates = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A running scrape's worker holds it until then (its "
        "heartbeat renews the lease); a queued one is not re-published before then.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="brandscrape_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
