"""Pi request parsing and response shapes (the OpenAPI schema is generated from these)."""

from __future__ import annotations

import re

from rest_framework import serializers

from generations import catalogue
from generations.briefs import MAX_COUNT, MAX_PROMPT_CHARS, MAX_REFERENCE_IMAGES

MAX_CLIENT_REFERENCE_CHARS = 200
MAX_METADATA_KEYS = 16
MAX_METADATA_VALUE_CHARS = 500
ASPECT_RATIOS = tuple(catalogue.ASPECT_SIZES)
DEFAULT_ASPECT_RATIO = "1:1"
OPENAI_SIZE = re.compile(r"^(\d{2,5})x(\d{2,5})$")
MAX_WAIT_SECONDS, DEFAULT_WAIT_SECONDS = 30, 20
MAX_BRANDS_LIMIT, DEFAULT_BRANDS_LIMIT = 100, 20
MIN_SECRET_CHARS, MAX_SECRET_CHARS = 8, 500

# Error codes for fields, by path (``name.*``: any key or item under it).
FIELD_ERROR_CODES = {
    "prompt": "prompt_too_long",
    "reference_images": "too_many_reference_images",
    "client_reference_id": "client_reference_id_too_long",
    "metadata": "too_many_metadata_keys",
    "metadata.*": "metadata_value_too_long",
    "output.aspect_ratio": "unsupported_aspect_ratio",
    "size": "unsupported_size",
    "n": "invalid_n",
    "timeout_seconds": "invalid_timeout_seconds",
    "limit": "invalid_limit",
    "offset": "invalid_offset",
    "endpoint_url": "invalid_endpoint_url",
    "secret": "invalid_secret",
}


class PiOutputSerializer(serializers.Serializer):
    """``output``: every sub-field optional; unknown ones are ignored."""

    aspect_ratio = serializers.ChoiceField(choices=ASPECT_RATIOS, required=False)
    resolution = serializers.CharField(required=False, max_length=20)
    thinking_intensity = serializers.CharField(required=False, max_length=20)


class PiGenerateRequestSerializer(serializers.Serializer):
    prompt = serializers.CharField(max_length=MAX_PROMPT_CHARS)
    reference_images = serializers.ListField(child=serializers.CharField(trim_whitespace=False),
                                             required=False, max_length=MAX_REFERENCE_IMAGES)
    brand_id = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                     max_length=40)
    brand_identity_json = serializers.DictField(required=False, allow_null=True)
    output = PiOutputSerializer(required=False)
    client_reference_id = serializers.CharField(required=False, allow_blank=True,
                                                max_length=MAX_CLIENT_REFERENCE_CHARS)
    metadata = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False,
                                    max_length=MAX_METADATA_VALUE_CHARS),
        required=False)
    # OpenAI's own image fields, so the official SDK's images.generate() works.
    model = serializers.CharField(required=False, max_length=100)
    n = serializers.IntegerField(required=False, min_value=1, max_value=MAX_COUNT)
    size = serializers.CharField(required=False, max_length=20)
    response_format = serializers.ChoiceField(choices=["url", "b64_json"], required=False)
    quality = serializers.ChoiceField(choices=["auto", "standard", "hd", "low", "medium",
                                               "high"], required=False)

    def validate_metadata(self, value: dict) -> dict:
        if len(value) > MAX_METADATA_KEYS:
            raise serializers.ValidationError(
                f"metadata holds at most {MAX_METADATA_KEYS} keys (this one has {len(value)}).",
                code="max_length")
        return value

    def validate_size(self, value: str) -> str:
        if value != "auto" and not OPENAI_SIZE.match(value):
            raise serializers.ValidationError(
                'size must be "auto" or WIDTHxHEIGHT, e.g. "1024x1024".', code="invalid_choice")
        return value

    def aspect_ratio(self) -> str:
        """``output.aspect_ratio``, else the aspect nearest OpenAI's ``size``, else 1:1."""
        data = self.validated_data
        chosen = (data.get("output") or {}).get("aspect_ratio")
        if chosen:
            return chosen
        match = OPENAI_SIZE.match(data.get("size") or "")
        if not match:
            return DEFAULT_ASPECT_RATIO
        ratio = int(match.group(1)) / max(int(match.group(2)), 1)
        return min(ASPECT_RATIOS, key=lambda aspect: abs(
            catalogue.ASPECT_SIZES[aspect][0] / catalogue.ASPECT_SIZES[aspect][1] - ratio))


class PiJobQuerySerializer(serializers.Serializer):
    expand = serializers.CharField(required=False, allow_blank=True, max_length=200)
    include = serializers.CharField(required=False, allow_blank=True, max_length=200)
    fields = serializers.CharField(  # type: ignore[assignment]  # DRF pops declared fields
        required=False, allow_blank=True, max_length=500)
    wait_for_completion = serializers.BooleanField(required=False, default=False)
    timeout_seconds = serializers.IntegerField(required=False, default=DEFAULT_WAIT_SECONDS,
                                               min_value=1, max_value=MAX_WAIT_SECONDS)

    def expansions(self) -> set[str]:
        data = self.validated_data
        names = f"{data.get('expand', '')},{data.get('include', '')}"
        return {name.strip() for name in names.split(",") if name.strip()}

    def field_names(self) -> list[str]:
        return [name.strip() for name in self.validated_data.get("fields", "").split(",")
                if name.strip()]


class PiBrandExtractRequestSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    logoBase64 = serializers.CharField(required=False, allow_blank=True,
                                       trim_whitespace=False)
    imagesBase64 = serializers.ListField(
        child=serializers.CharField(trim_whitespace=False), required=False,
        max_length=MAX_REFERENCE_IMAGES)
    location = serializers.DictField(required=False)


class PiBrandsQuerySerializer(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, max_length=200)
    limit = serializers.IntegerField(required=False, default=DEFAULT_BRANDS_LIMIT, min_value=1,
                                     max_value=MAX_BRANDS_LIMIT)
    offset = serializers.IntegerField(required=False, default=0, min_value=0,
                                      max_value=1_000_000)
    expand = serializers.CharField(required=False, allow_blank=True, max_length=200)
    include = serializers.CharField(required=False, allow_blank=True, max_length=200)
    fields = serializers.CharField(  # type: ignore[assignment]  # DRF pops declared fields
        required=False, allow_blank=True, max_length=500)


class PiWebhookCreateSerializer(serializers.Serializer):
    endpoint_url = serializers.CharField(max_length=2000)
    secret = serializers.CharField(min_length=MIN_SECRET_CHARS, max_length=MAX_SECRET_CHARS,
                                   trim_whitespace=False)


class PiWebhookPatchSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()


# -- response shapes (schema only) ------------------------------------------------------------
class PiEnvelopeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The request id, req_pi_…")
    object = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.IntegerField(help_text="Unix seconds")
    data = serializers.JSONField()  # type: ignore[assignment]  # DRF pops declared fields
    error = serializers.JSONField(allow_null=True)


class PiImageDataSerializer(serializers.Serializer):
    url = serializers.URLField(required=False)
    b64_json = serializers.CharField(required=False)
    revised_prompt = serializers.CharField()


class PiImagesResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    data = PiImageDataSerializer(many=True)  # type: ignore[assignment]


class PiErrorBodySerializer(serializers.Serializer):
    # ``type`` and ``request_id`` are on every error this surface renders; the site-wide
    # request guard's 400/413 (a NUL in the address, a body over STUDIO_MAX_REQUEST_BYTES)
    # answers before any view with ``code`` and ``message`` only.
    type = serializers.CharField(required=False)
    code = serializers.CharField()
    message = serializers.CharField()
    request_id = serializers.CharField(required=False)
    param = serializers.CharField(required=False)


class PiErrorSerializer(serializers.Serializer):
    error = PiErrorBodySerializer()
