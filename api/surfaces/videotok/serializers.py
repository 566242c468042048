"""videotok request parsing and response shapes (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from api.idempotency import MAX_KEY_LENGTH
from api.surfaces.videotok.catalogue import ASPECT_RATIOS
from generations.briefs import MAX_COUNT, MAX_PROMPT_CHARS, MAX_REFERENCE_IMAGES
from generations.render.slideshow import SLIDE_COUNTS

TYPES = ("static_ad", "video_ad", "ugc_ad", "ai_model")
SLIDESHOW_ASPECT_RATIOS = ("9:16", "1:1", "4:5")
MAX_PRODUCT_IMAGES = 10


class _UrlList(serializers.ListField):
    child = serializers.CharField(max_length=2000)


class VideotokGenerationRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TYPES)
    prompt = serializers.CharField(required=False, allow_blank=True, max_length=MAX_PROMPT_CHARS)
    aspect_ratio = serializers.ChoiceField(choices=(*ASPECT_RATIOS, "auto"), required=False,
                                           default="auto")
    reference_image_urls = _UrlList(required=False, max_length=MAX_REFERENCE_IMAGES)
    brand_kit_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    avatar_id = serializers.CharField(required=False, allow_null=True, max_length=100)
    preset_id = serializers.CharField(required=False, allow_null=True, max_length=100)
    custom_reference_inspiration_id = serializers.UUIDField(required=False, allow_null=True)
    request_count = serializers.IntegerField(required=False, default=1, min_value=1,
                                             max_value=MAX_COUNT)
    idempotency_key = serializers.CharField(required=False, max_length=MAX_KEY_LENGTH)
    # static_ad, video_ad and ugc_ad
    template_slug = serializers.CharField(required=False, max_length=100)
    resolution = serializers.CharField(required=False, max_length=10)
    duration = serializers.IntegerField(required=False, min_value=1, max_value=60)
    quality_tier = serializers.CharField(required=False, max_length=20)
    source_video_url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    motion_video_url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    audio_url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    # ai_model
    model_slug = serializers.CharField(required=False, max_length=100)
    variant_id = serializers.CharField(required=False, max_length=100)
    generate_audio = serializers.BooleanField(required=False, default=False)


class VideotokGenerationAcceptedSerializer(serializers.Serializer):
    object = serializers.CharField()
    status = serializers.CharField()
    type = serializers.CharField()
    generation_id = serializers.UUIDField()
    generation_ids = serializers.ListField(child=serializers.UUIDField())
    request_count = serializers.IntegerField()
    credits_deducted = serializers.IntegerField()
    remaining_credits = serializers.IntegerField()
    aspect_ratio = serializers.CharField()


class VideotokAssetSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["image", "video"])
    url = serializers.URLField()
    mime_type = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    duration = serializers.FloatField(allow_null=True)
    size_bytes = serializers.IntegerField()
    poster_url = serializers.URLField(allow_null=True)


class VideotokGenerationErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class VideotokGenerationSerializer(serializers.Serializer):
    object = serializers.CharField()
    id = serializers.UUIDField()
    type = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "processing", "completed", "failed",
                                              "cancelled"])
    progress = serializers.IntegerField(min_value=0, max_value=100)
    template_slug = serializers.CharField(allow_null=True)
    model_slug = serializers.CharField(allow_null=True)
    variant_id = serializers.CharField(allow_null=True)
    avatar_id = serializers.CharField(allow_null=True)
    quality_tier = serializers.CharField(allow_null=True)
    aspect_ratio = serializers.CharField()
    duration = serializers.FloatField(allow_null=True)
    brand_kit_id = serializers.IntegerField(allow_null=True)
    batch_id = serializers.UUIDField()
    batch_index = serializers.IntegerField()
    request_count = serializers.IntegerField()
    asset_url = serializers.URLField(allow_null=True)
    thumbnail_url = serializers.URLField(allow_null=True)
    assets = VideotokAssetSerializer(many=True)
    credits_deducted = serializers.IntegerField()
    credits_refunded = serializers.IntegerField()
    error = VideotokGenerationErrorSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class VideotokTierSerializer(serializers.Serializer):
    id = serializers.CharField()
    durations = serializers.ListField(child=serializers.IntegerField())
    estimated_credits = serializers.DictField(child=serializers.IntegerField())


class VideotokCatalogueTemplateSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    default_aspect_ratio = serializers.CharField()
    aspect_ratios = serializers.ListField(child=serializers.CharField())
    resolutions = serializers.ListField(child=serializers.CharField(), required=False)
    quality_tiers = VideotokTierSerializer(many=True, required=False)
    estimated_credits = serializers.IntegerField(required=False)


class VideotokVariantSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    output = serializers.CharField()
    inputs = serializers.ListField(child=serializers.CharField())
    reference_images = serializers.DictField(child=serializers.IntegerField())
    durations = serializers.ListField(child=serializers.IntegerField())
    aspect_ratios = serializers.ListField(child=serializers.CharField())
    estimated_credits = serializers.DictField(child=serializers.IntegerField())


class VideotokAiModelSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    variants = VideotokVariantSerializer(many=True)


class VideotokPresetSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    animation_prompt = serializers.CharField(allow_null=True)


class VideotokUgcTemplateSerializer(VideotokCatalogueTemplateSerializer):
    voice = serializers.DictField()


class VideotokModelsSerializer(serializers.Serializer):
    static_ads = VideotokCatalogueTemplateSerializer(many=True)
    video_ads = VideotokCatalogueTemplateSerializer(many=True)
    ugc_ads = VideotokUgcTemplateSerializer(many=True)
    ai_models = VideotokAiModelSerializer(many=True)
    presets = VideotokPresetSerializer(many=True)
    slideshows = serializers.DictField()


class VideotokBrandKitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    is_default = serializers.BooleanField()
    website = serializers.CharField(allow_blank=True)
    colors = serializers.DictField(child=serializers.CharField())
    fonts = serializers.DictField(child=serializers.CharField())
    logo_url = serializers.URLField(allow_null=True)
    language = serializers.CharField()


class VideotokAvatarSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["built_in", "uploaded"])
    description = serializers.CharField(allow_blank=True)
    image_url = serializers.URLField()
    voice = serializers.CharField(allow_null=True)


class VideotokAssetsSerializer(serializers.Serializer):
    brand_kits = VideotokBrandKitSerializer(many=True)
    avatars = VideotokAvatarSerializer(many=True)
    reference_inspirations = serializers.ListField(child=serializers.DictField())


class VideotokSlideshowRequestSerializer(serializers.Serializer):
    prompt = serializers.CharField(required=False, allow_blank=True, max_length=MAX_PROMPT_CHARS)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    slide_count = serializers.ChoiceField(choices=SLIDE_COUNTS)
    aspect_ratio = serializers.ChoiceField(choices=SLIDESHOW_ASPECT_RATIOS, required=False,
                                           default="9:16")
    product_image_urls = _UrlList(required=False, max_length=MAX_PRODUCT_IMAGES)
    avatar_id = serializers.CharField(required=False, allow_null=True, max_length=100)
    avatar_image_url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    brand_kit_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    custom_reference_inspiration_id = serializers.UUIDField(required=False, allow_null=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=40)
    product_context = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    generate_text_overlays = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.CharField(required=False, max_length=MAX_KEY_LENGTH)


class VideotokSlideshowAcceptedSerializer(serializers.Serializer):
    object = serializers.CharField()
    status = serializers.CharField()
    slideshow_id = serializers.UUIDField()
    video_id = serializers.IntegerField()
    title = serializers.CharField()
    slide_count = serializers.IntegerField()
    credits_deducted = serializers.IntegerField()
    remaining_credits = serializers.IntegerField()


class VideotokSlideshowSerializer(serializers.Serializer):
    object = serializers.CharField()
    status = serializers.CharField()
    slideshow_id = serializers.UUIDField()
    video_id = serializers.IntegerField()
    title = serializers.CharField()
    slide_count = serializers.IntegerField()
    credits_deducted = serializers.IntegerField()
    progress = serializers.IntegerField()
    aspect_ratio = serializers.CharField()
    video_url = serializers.URLField(allow_null=True)
    thumbnail_url = serializers.URLField(allow_null=True)
    duration = serializers.FloatField(allow_null=True)
    size_bytes = serializers.IntegerField(allow_null=True)
    credits_refunded = serializers.IntegerField()
    error = VideotokGenerationErrorSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


ERROR_CODES = ["unauthorized", "invalid_api_key", "forbidden", "payment_required",
               "insufficient_credits", "bad_request", "idempotency_conflict", "rate_limited",
               "not_found", "server_error"]
# ``context`` is also a Serializer attribute, so this body is declared from a field dict.
ErrorBodySerializer = inline_serializer(name="VideotokErrorBody", fields={
    "code": serializers.ChoiceField(choices=ERROR_CODES),
    "message": serializers.CharField(),
    "retryable": serializers.BooleanField(),
    "context": serializers.DictField(),
})


class VideotokErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer
