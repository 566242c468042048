from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from brands.models import hex_color
from brands.services import normalise_website
from studio.exceptions import AppError
from studio.visual.fonts import bundled_family_choices


class WebsiteForm(forms.Form):
    url = forms.CharField(
        label="Website address", max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "yourbrand.com", "autofocus": True,
                                      "inputmode": "url"}),
    )

    def clean_url(self) -> str:
        try:
            return normalise_website(self.cleaned_data["url"])
        except AppError as exc:
            raise ValidationError(exc.message) from exc


class RescrapeForm(WebsiteForm):
    url = forms.CharField(label="Website address", max_length=500,
                          widget=forms.TextInput(attrs={"inputmode": "url"}))
    overwrite = forms.BooleanField(
        required=False, label="Overwrite my edits",
        help_text="Off: fields and products you changed by hand are kept.",
    )


class ManualBrandForm(forms.Form):
    name = forms.CharField(label="Brand name", max_length=120)


class ColorInput(forms.TextInput):
    input_type = "color"


class BrandDNAForm(forms.Form):
    name = forms.CharField(max_length=120)
    tagline = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    color_primary = forms.CharField(label="Primary", validators=[hex_color], widget=ColorInput)
    color_secondary = forms.CharField(label="Secondary", validators=[hex_color],
                                      widget=ColorInput)
    color_accent = forms.CharField(label="Accent", validators=[hex_color], widget=ColorInput)
    color_background = forms.CharField(label="Background", validators=[hex_color],
                                       widget=ColorInput)
    color_text = forms.CharField(label="Text", validators=[hex_color], widget=ColorInput)
    heading_font = forms.ChoiceField(label="Heading font")
    body_font = forms.ChoiceField(label="Body font")
    logo = forms.FileField(required=False, label="Upload a new logo",
                           widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    tone_of_voice = forms.CharField(max_length=300, required=False, label="Tone of voice")
    value_props = forms.CharField(
        required=False, label="Value propositions", help_text="One per line.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    audience = forms.CharField(max_length=300, required=False)
    language = forms.CharField(max_length=10, help_text="ISO code such as en, fr, de.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = bundled_family_choices()
        self.fields["heading_font"].choices = choices
        self.fields["body_font"].choices = choices

    @classmethod
    def initial_for(cls, brand) -> dict:
        initial = {name: getattr(brand, name) for name in cls.base_fields if name != "logo"}
        initial["value_props"] = "\n".join(brand.value_props or [])
        return initial

    def clean_value_props(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["value_props"].splitlines()]
        return [line[:200] for line in lines if line][:12]

    def clean_language(self) -> str:
        return self.cleaned_data["language"].strip().lower()

    def clean(self):
        data = super().clean()
        for key in list(data):
            if key.startswith("color_") and data[key]:
                data[key] = data[key].lower()
        return data


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    currency = forms.CharField(required=False, max_length=3,
                               widget=forms.TextInput(attrs={"placeholder": "EUR", "size": 4}))
    url = forms.URLField(required=False, label="Product page", assume_scheme="https")
    active = forms.BooleanField(required=False, initial=True,
                                help_text="Active products are used in ads.")
    image = forms.FileField(required=False, label="Add a photo",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        if value and (len(value) != 3 or not value.isalpha()):
            raise ValidationError("Use a three-letter currency code such as EUR.")
        return value
