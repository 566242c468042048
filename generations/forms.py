from __future__ import annotations

from django import forms
from django.templatetags.static import static

from brands.models import Brand, Product
from generations import catalogue, ugc
from generations.briefs import DEFAULT_SIZES, MAX_COUNT, SIZES, AdBrief
from generations.files import upload_url
from generations.models import AdFormat


class BriefForm(forms.Form):
    """The Create page's brief. Choices are limited to the workspace's own brands/products."""

    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), empty_label=None)
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: the ads rotate across all of the brand's active products.",
    )
    format = forms.ChoiceField(choices=AdFormat.choices, initial=AdFormat.FULL,
                               widget=forms.RadioSelect)
    count = forms.IntegerField(min_value=1, max_value=MAX_COUNT, initial=3)
    copy_angle = forms.ChoiceField(
        required=False, choices=[("", "Rotate across angles")]
        + [(angle, angle.capitalize()) for angle in catalogue.COPY_ANGLES],
    )
    brand_tone = forms.CharField(required=False, max_length=200,
                                 help_text="Optional tone override, e.g. “clinical authority”.")
    templates = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    animation_prompts = forms.MultipleChoiceField(required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    style_search = forms.CharField(required=False, max_length=500,
                                   help_text="Describe a look; used when no animation prompt "
                                   "is picked.")
    sizes = forms.MultipleChoiceField(choices=[(s, s) for s in SIZES], initial=DEFAULT_SIZES,
                                      widget=forms.CheckboxSelectMultiple)
    in_situ = forms.BooleanField(required=False, label="Place the product in a lifestyle scene")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        # Only ready brands can be briefed; the default brand comes first and is preselected.
        brands = Brand.objects.filter(workspace=workspace, status=Brand.Status.READY).order_by(
            "-is_default", "name")
        self.fields["brand"].queryset = brands
        self.selected_brand = self._selected_brand(brands)
        if not self.is_bound and self.selected_brand is not None:
            self.initial["brand"] = self.selected_brand.pk
        self.fields["products"].queryset = Product.objects.filter(
            brand=self.selected_brand, active=True).order_by("position", "name")
        self.fields["templates"].choices = [(t["slug"], t["name"]) for t in catalogue.templates()]
        self.fields["animation_prompts"].choices = [
            (p["name"], p["name"]) for p in catalogue.animation_prompts()
        ]

    def _selected_brand(self, brands) -> Brand | None:
        """The brand the form is about: the posted or requested one if it is a ready brand of
        the workspace, else the default brand, else the first ready one."""
        wanted = self.data.get("brand") if self.is_bound else self.initial.get("brand")
        if wanted:
            try:
                brand = brands.filter(pk=int(wanted)).first()
            except (TypeError, ValueError):
                brand = None
            if brand is not None:
                return brand
        return brands.first()

    def clean(self):
        cleaned = super().clean()
        brand, products = cleaned.get("brand"), cleaned.get("products") or []
        if brand and any(product.brand_id != brand.pk for product in products):
            self.add_error("products", "Pick products of the selected brand.")
        return cleaned

    def to_brief(self) -> AdBrief:
        data = self.cleaned_data
        return AdBrief(
            count=data["count"], format=data["format"], brand_id=data["brand"].pk,
            product_ids=tuple(p.pk for p in data["products"]),
            copy_angle=data["copy_angle"] or None, brand_tone=data["brand_tone"] or None,
            templates=tuple(data["templates"]), animation_prompts=tuple(data["animation_prompts"]),
            style_search=data["style_search"] or None, sizes=tuple(dict.fromkeys(data["sizes"])),
            in_situ=data["in_situ"],
        )


class UgcForm(forms.Form):
    """The Create page's presenter video: a presenter (built-in or uploaded), a UGC template,
    tier and duration, an optional product and direction."""

    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), empty_label=None)
    avatar = forms.ChoiceField(label="Presenter")
    template = forms.ChoiceField(choices=[(t.slug, t.name) for t in ugc.TEMPLATES])
    quality_tier = forms.ChoiceField(choices=[("high", "High (1080 px)"),
                                              ("low", "Low (720 px)")], initial="high")
    duration = forms.TypedChoiceField(
        coerce=int, initial=ugc.DEFAULT_DURATION,
        choices=[(d, f"{d} s") for d in sorted({d for ds in ugc.TIER_DURATIONS.values()
                                                for d in ds})])
    aspect = forms.ChoiceField(choices=[(a, a) for a in ugc.ASPECT_RATIOS], initial="9:16")
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False,
                                     empty_label="The brand's first product")
    prompt = forms.CharField(required=False, max_length=500, label="Direction",
                             help_text="e.g. “Natural creator testimonial, morning routine”.")

    def __init__(self, *args, workspace, brand: Brand | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        brands = Brand.objects.filter(workspace=workspace, status=Brand.Status.READY)
        self.fields["brand"].queryset = brands
        if brand is not None and not self.is_bound:
            self.initial["brand"] = brand.pk
        self.fields["product"].queryset = Product.objects.filter(
            brand__in=brands, active=True).order_by("position", "name")
        self.presenters = [{"id": a["id"], "name": a["name"], "description": a["description"],
                            "image_url": static(f"avatars/{a['id']}.png")}
                           for a in ugc.builtin_avatars()]
        self.presenters += [{"id": a.public_id, "name": a.name, "description": "Your upload",
                             "image_url": upload_url(a.upload)}
                            for a in ugc.workspace_avatars(workspace=workspace)]
        self.fields["avatar"].choices = [(p["id"], p["name"]) for p in self.presenters]
        self.initial.setdefault("avatar", self.presenters[0]["id"])

    def clean(self):
        cleaned = super().clean()
        brand, product = cleaned.get("brand"), cleaned.get("product")
        if brand and product and product.brand_id != brand.pk:
            self.add_error("product", "Pick a product of the selected brand.")
        return cleaned

    def to_brief(self) -> AdBrief:
        data = self.cleaned_data
        presenter = ugc.presenter_resolve(workspace=self.workspace, avatar_id=data["avatar"],
                                          field="avatar")
        return ugc.ugc_brief(presenter=presenter, template=data["template"],
                             tier=data["quality_tier"], duration=data["duration"],
                             aspect=data["aspect"], prompt=data["prompt"] or None,
                             brand_id=data["brand"].pk,
                             product_ids=(data["product"].pk,) if data["product"] else (),
                             workspace=self.workspace)


class AvatarUploadForm(forms.Form):
    name = forms.CharField(max_length=80, label="Presenter name")
    photo = forms.FileField(help_text="A portrait photo (PNG, JPEG or WebP, face visible, at "
                            "least 256 × 256).")
