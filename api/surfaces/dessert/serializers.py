"""Dessert request parsing and response shapes (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from rest_framework import serializers

from generations.briefs import MAX_COUNT, AdBrief
from generations.catalogue import COPY_ANGLES
from generations.errors import BrandNotFound, ProductNotFound

# Error codes for fields that fail to parse, as Dessert names them.
FIELD_ERROR_CODES = {
    "count": "invalid_count",
    "format": "invalid_format",
    "creative.copy_angle": "invalid_copy_angle",
    "creative.brand_tone": "invalid_brand_tone",
    "creative.style_search": "invalid_style_search",
    "creative.animation_prompts": "invalid_animation_prompt",
    "creative.featured_styles": "invalid_featured_style",
    "webhook_url": "invalid_webhook_url",
    "website_url": "invalid_website_url",
    "q": "invalid_query",
    "top_n": "invalid_top_n",
    "limit": "invalid_limit",
}


def parse_id(value, *, error) -> int:
    """Our ids are integers; Dessert sends them as strings. Anything else is not found."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise error
    return int(text)


class CreativeSerializer(serializers.Serializer):
    copy_angle = serializers.ChoiceField(choices=COPY_ANGLES, required=False, allow_null=True)
    brand_tone = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                       max_length=200)
    animation_prompts = serializers.ListField(child=serializers.CharField(max_length=80),
                                              required=False, max_length=36)
    style_search = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                         max_length=500)
    featured_styles = serializers.ListField(child=serializers.CharField(max_length=60),
                                            required=False, max_length=50)


class GenerateRequestSerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_COUNT)
    format = serializers.ChoiceField(choices=["full", "static"], required=False, default="full")
    brand_id = serializers.CharField(required=False, allow_null=True, max_length=40)
    product_ids = serializers.ListField(child=serializers.CharField(max_length=40),
                                        required=False, max_length=50)
    creative = CreativeSerializer(required=False)
    in_situ = serializers.BooleanField(required=False, default=False)
    webhook_url = serializers.URLField(required=False, allow_blank=True, max_length=2000)

    def to_brief(self) -> AdBrief:
        data = self.validated_data
        creative = data.get("creative") or {}
        brand_id = data.get("brand_id")
        return AdBrief(
            count=data["count"], format=data["format"],
            brand_id=(None if brand_id in (None, "") else parse_id(
                brand_id, error=BrandNotFound(f"Brand {brand_id} does not exist in this "
                                              "account."))),
            product_ids=tuple(parse_id(pid, error=ProductNotFound(
                f"Product {pid} does not belong to this brand.")) for pid in
                data.get("product_ids", [])),
            copy_angle=creative.get("copy_angle"),
            brand_tone=creative.get("brand_tone") or None,
            animation_prompts=tuple(creative.get("animation_prompts", [])),
            featured_styles=tuple(creative.get("featured_styles", [])),
            style_search=creative.get("style_search") or None,
            in_situ=data["in_situ"],
        )


class GenerateResponseSerializer(serializers.Serializer):
    delivery_id = serializers.CharField()
    status = serializers.CharField()
    request_id = serializers.CharField()
    ad_count_expected = serializers.IntegerField()
    format = serializers.CharField()
    credits_charged = serializers.IntegerField()
    credits_balance_after = serializers.IntegerField()
    status_url = serializers.URLField()
    eta_seconds = serializers.IntegerField()
    replayed_from_idempotency_key = serializers.BooleanField(required=False)


class AdSerializer(serializers.Serializer):
    ad_id = serializers.CharField()
    concept_id = serializers.CharField()
    orientation = serializers.CharField()
    aspect_ratio = serializers.CharField()
    headline = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    cta = serializers.CharField(allow_blank=True)
    static_url = serializers.URLField(allow_null=True)
    video_url = serializers.URLField(allow_null=True)


class DeliveryErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(allow_blank=True)


class DeliverySerializer(serializers.Serializer):
    delivery_id = serializers.CharField()
    request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "processing", "rendering", "completed",
                                              "failed", "cancelled"])
    stage = serializers.CharField(allow_blank=True)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    format = serializers.CharField()
    ad_count_expected = serializers.IntegerField()
    ad_count = serializers.IntegerField()
    ads = AdSerializer(many=True)
    credits_charged = serializers.IntegerField()
    credits_refunded = serializers.IntegerField()
    viewer_url = serializers.URLField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    correlation_id = serializers.CharField(required=False)
    metadata = serializers.DictField(required=False)
    error = DeliveryErrorSerializer(required=False)


class BrandSummarySerializer(serializers.Serializer):
    brand_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["Active", "Pending Onboarding", "Failed"])
    onboarding_status = serializers.CharField()
    product_count = serializers.IntegerField()
    onboarded_at = serializers.DateTimeField(allow_null=True)
    website_url = serializers.CharField(allow_blank=True)
    is_default = serializers.BooleanField()


class BrandListSerializer(serializers.Serializer):
    brands = BrandSummarySerializer(many=True)


class ProductSerializer(serializers.Serializer):
    product_id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    price = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_blank=True)
    active = serializers.BooleanField()


class BrandDetailSerializer(BrandSummarySerializer):
    tagline = serializers.CharField(allow_blank=True)
    tone = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    colors = serializers.DictField(child=serializers.CharField())
    fonts = serializers.DictField(child=serializers.CharField())
    value_props = serializers.ListField(child=serializers.CharField())
    products = ProductSerializer(many=True)


class BrandCreateRequestSerializer(serializers.Serializer):
    """Either ``website_url`` (onboard by scraping) or an inline Brand JSON (``name`` ...)."""

    website_url = serializers.CharField(required=False, max_length=500)
    name = serializers.CharField(required=False, max_length=120)
    tagline = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tone = serializers.CharField(required=False, allow_blank=True, max_length=300)
    language = serializers.CharField(required=False, max_length=10)
    colors = serializers.DictField(child=serializers.CharField(), required=False)
    fonts = serializers.DictField(child=serializers.CharField(), required=False)
    value_props = serializers.ListField(child=serializers.CharField(), required=False)
    products = serializers.ListField(child=serializers.DictField(), required=False)


class BrandCreateResponseSerializer(serializers.Serializer):
    brand = BrandDetailSerializer()
    scrape_id = serializers.CharField(required=False)
    replayed_from_idempotency_key = serializers.BooleanField(required=False)


class AnimationPromptSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()


class StyleSerializer(serializers.Serializer):
    style_id = serializers.CharField()
    style_name = serializers.CharField()
    animation_prompt = serializers.CharField(allow_null=True)
    category = serializers.CharField()
    description = serializers.CharField()


class StylesSerializer(serializers.Serializer):
    animation_prompts = AnimationPromptSerializer(many=True)
    styles = StyleSerializer(many=True)


class StyleSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=500)
    top_n = serializers.IntegerField(required=False, default=20, min_value=1, max_value=50)


class StyleMatchSerializer(serializers.Serializer):
    style_id = serializers.CharField()
    style_name = serializers.CharField()
    animation_prompt = serializers.CharField(allow_null=True)
    similarity = serializers.FloatField()


class StyleSearchSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = StyleMatchSerializer(many=True)


class PricingSerializer(serializers.Serializer):
    credit_usd = serializers.FloatField()
    static_ad_credits = serializers.IntegerField()
    full_ad_credits = serializers.IntegerField()


class BalanceSerializer(serializers.Serializer):
    credits_balance = serializers.IntegerField()
    credits_balance_usd_equivalent = serializers.FloatField()
    credits_lifetime_purchased = serializers.IntegerField()
    credits_lifetime_used = serializers.IntegerField()
    auto_recharge_enabled = serializers.BooleanField()
    auto_recharge_threshold = serializers.IntegerField()
    auto_recharge_amount_usd = serializers.FloatField(allow_null=True)
    pricing = PricingSerializer()


class UsageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=50)
    starting_after = serializers.CharField(required=False, allow_blank=True, max_length=40)


class TransactionSerializer(serializers.Serializer):
    transaction_id = serializers.CharField()
    type = serializers.CharField()
    credits = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    delivery_id = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class UsageSerializer(serializers.Serializer):
    transactions = TransactionSerializer(many=True)
    has_more = serializers.BooleanField()
    next_cursor = serializers.CharField(allow_null=True)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    doc_url = serializers.URLField(required=False)
    request_id = serializers.CharField(required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
