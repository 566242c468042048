"""adcreator request parsing and response shapes (the OpenAPI schema is generated from these).
Request fields are camelCase as the reference names them; generation and video records are
snake_case (``image_url``, ``model_id``), as it documents them too."""

from __future__ import annotations

from rest_framework import serializers

from api.surfaces.adcreator import catalogue as offer
from generations import catalogue
from generations.briefs import AdBrief
from generations.models import AdFormat, Upload
from generations.providers import registry as providers

MIN_PROMPT, MAX_PROMPT = 3, 1000
MAX_NEGATIVE_PROMPT = 500
MAX_VIDEO_NEGATIVE_PROMPT = 2500
MAX_BATCH = 4
MIN_VIDEO_SECONDS, MAX_VIDEO_SECONDS = 2, 15
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
MAX_OFFSET = 1_000_000_000  # far past any list, and inside PostgreSQL's OFFSET range
MAX_UPLOAD_BYTES = 10_000_000
UPLOAD_FORMATS = ("PNG", "JPEG", "WEBP")


def _choice_error(label: str, options: list[str]) -> str:
    return f"Unknown {label}. Use one of: {', '.join(options)}."


class AdcreatorGenerateRequestSerializer(serializers.Serializer):
    prompt = serializers.CharField(min_length=MIN_PROMPT, max_length=MAX_PROMPT)
    modelId = serializers.CharField(max_length=100)
    aspectRatio = serializers.ChoiceField(choices=list(catalogue.ASPECT_SIZES),
                                          required=False, default=offer.DEFAULT_ASPECT_RATIO)
    stylePreset = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                        max_length=100)
    negativePrompt = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                           max_length=MAX_NEGATIVE_PROMPT)
    inputImagePath = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                           max_length=300)
    batchCount = serializers.IntegerField(required=False, default=1, min_value=1,
                                          max_value=MAX_BATCH)

    def validate_modelId(self, value: str) -> str:
        models = offer.image_models()
        model = offer.resolve(value, models=models, aliases=offer.MODEL_ALIASES)
        if model is None:
            refusal = providers.unavailable(value, workspace=self.context.get("workspace"))
            if refusal is not None:
                refusal.field = "modelId"
                raise refusal
            raise serializers.ValidationError(_choice_error(
                "modelId", [m["id"] for m in models]) + " GET /api/platform/models lists them.")
        return model

    def validate_stylePreset(self, value: str | None) -> str | None:
        if not value:
            return None
        style = offer.resolve_style(value)
        if style is None:
            raise serializers.ValidationError(
                f"Unknown stylePreset {value!r}. GET /api/platform/styles lists them.")
        return style

    def to_brief(self, *, upload: Upload | None) -> AdBrief:
        """The brief: one size, a static image per batch item, priced by the model; the style
        preset is also pinned as the featured style so the look is the one asked for."""
        data = self.validated_data
        style = data.get("stylePreset")
        return AdBrief(
            count=data["batchCount"], format=AdFormat.STATIC, sizes=(data["aspectRatio"],),
            prompt=data["prompt"], negative_prompt=data.get("negativePrompt") or None,
            style_preset=style, featured_styles=(style,) if style else (),
            reference_uploads=(upload.public_id,) if upload else (), model=data["modelId"],
            extra={"input_image_path": upload.file.name} if upload else {},
        )


class AdcreatorVideoRequestSerializer(serializers.Serializer):
    sourceGenerationId = serializers.CharField(max_length=40)
    prompt = serializers.CharField(min_length=MIN_PROMPT, max_length=MAX_PROMPT)
    modelId = serializers.CharField(max_length=100)
    durationSeconds = serializers.FloatField(min_value=MIN_VIDEO_SECONDS,
                                             max_value=MAX_VIDEO_SECONDS)
    generateAudio = serializers.BooleanField(required=False, allow_null=True)
    negativePrompt = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                           max_length=MAX_VIDEO_NEGATIVE_PROMPT)
    cfgScale = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)
    movementAmplitude = serializers.ChoiceField(choices=["auto", "small", "medium", "large"],
                                                required=False, allow_null=True)
    resolution = serializers.ChoiceField(choices=["720p", "1080p"], required=False,
                                         allow_null=True)
    bgm = serializers.BooleanField(required=False, allow_null=True)

    def validate_modelId(self, value: str) -> str:
        models = offer.video_models()
        model = offer.resolve(value, models=models, aliases=offer.VIDEO_MODEL_ALIASES)
        if model is None:
            refusal = providers.unavailable(value, workspace=self.context.get("workspace"))
            if refusal is not None:
                refusal.field = "modelId"
                raise refusal
            raise serializers.ValidationError(_choice_error(
                "modelId", [m["id"] for m in models])
                + " GET /api/platform/video-models lists them.")
        return model


class AdcreatorListQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=DEFAULT_LIMIT, min_value=1,
                                     max_value=MAX_LIMIT)
    offset = serializers.IntegerField(required=False, default=0, min_value=0,
                                      max_value=MAX_OFFSET)


# Responses --------------------------------------------------------------------------------
class AdcreatorCreditsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    lifetimePurchased = serializers.IntegerField()
    lifetimeUsed = serializers.IntegerField()
    unlimited = serializers.BooleanField()


class AdcreatorImageModelSerializer(serializers.Serializer):
    id = serializers.CharField()
    displayName = serializers.CharField()
    creditsCost = serializers.IntegerField()
    estimatedSeconds = serializers.IntegerField()
    supportsImageInput = serializers.BooleanField()
    maxWidth = serializers.IntegerField()
    maxHeight = serializers.IntegerField()


class AdcreatorAspectRatioSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class AdcreatorModelsSerializer(serializers.Serializer):
    models = AdcreatorImageModelSerializer(many=True)
    aspectRatios = AdcreatorAspectRatioSerializer(many=True)


class AdcreatorVideoModelSerializer(serializers.Serializer):
    id = serializers.CharField()
    displayName = serializers.CharField()
    durations = serializers.ListField(child=serializers.IntegerField())
    credits = serializers.DictField(child=serializers.IntegerField())
    creditsPerSecond = serializers.IntegerField()
    estimatedSeconds = serializers.IntegerField()
    supportsAudio = serializers.BooleanField()
    supportsNegativePrompt = serializers.BooleanField()
    supportsCfgScale = serializers.BooleanField()


class AdcreatorVideoModelsSerializer(serializers.Serializer):
    models = AdcreatorVideoModelSerializer(many=True)


class AdcreatorStyleSerializer(serializers.Serializer):
    id = serializers.CharField()
    displayName = serializers.CharField()
    category = serializers.CharField()
    promptSuffix = serializers.CharField()


class AdcreatorStylesSerializer(serializers.Serializer):
    styles = AdcreatorStyleSerializer(many=True)


class AdcreatorUploadSerializer(serializers.Serializer):
    path = serializers.CharField()
    publicUrl = serializers.URLField()


class AdcreatorAcceptedSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["processing"])


class AdcreatorGenerationSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["processing", "completed", "failed"])
    prompt = serializers.CharField(allow_blank=True)
    image_url = serializers.URLField(allow_null=True)
    images = serializers.ListField(child=serializers.URLField())
    model_id = serializers.CharField()
    aspect_ratio = serializers.CharField()
    style_preset = serializers.CharField(allow_null=True)
    negative_prompt = serializers.CharField(allow_null=True)
    input_image_path = serializers.CharField(allow_null=True)
    batch_count = serializers.IntegerField()
    credits_used = serializers.IntegerField()
    error = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class AdcreatorGenerationEnvelopeSerializer(serializers.Serializer):
    generation = AdcreatorGenerationSerializer()


class AdcreatorGenerationListSerializer(serializers.Serializer):
    generations = AdcreatorGenerationSerializer(many=True)
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    total = serializers.IntegerField()


class AdcreatorDeletedSerializer(serializers.Serializer):
    deleted = serializers.BooleanField()


class AdcreatorVideoSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["processing", "completed", "failed"])
    prompt = serializers.CharField(allow_blank=True)
    video_url = serializers.URLField(allow_null=True)
    thumbnail_url = serializers.URLField(allow_null=True)
    model_id = serializers.CharField()
    duration_seconds = serializers.FloatField()
    source_generation_id = serializers.CharField()
    animation_prompt = serializers.CharField()
    generate_audio = serializers.BooleanField()
    credits_used = serializers.IntegerField()
    error = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class AdcreatorVideoEnvelopeSerializer(serializers.Serializer):
    video = AdcreatorVideoSerializer()


class AdcreatorErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)
    requestId = serializers.CharField()
