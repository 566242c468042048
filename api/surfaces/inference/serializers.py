"""Request parsing and response shapes of the task API (the OpenAPI schema comes from these).

The body is inference.sh's ``POST /run``; ``input`` is Bria's ``/ads/generate`` body.
"""

from __future__ import annotations

from rest_framework import serializers

FIELD_ERROR_CODES = {
    "app": "invalid_app",
    "input": "invalid_input",
    "input.template_id": "invalid_template_id",
    "input.brand_id": "invalid_brand_id",
    "input.smart_image": "invalid_smart_image",
    "input.elements": "invalid_elements",
    "input.content_moderation": "invalid_content_moderation",
    "webhook": "invalid_webhook_url",
    "infra": "invalid_infra",
    "workers": "invalid_workers",
    "session": "invalid_session",
    "session_timeout": "invalid_session_timeout",
    "setup": "invalid_setup",
    "variant": "invalid_variant",
}
CONTENT_TYPE_PATTERN = r"^(Heading|Body|Image) #[1-5]$"


class SceneSerializer(serializers.Serializer):
    operation = serializers.ChoiceField(choices=["expand_image", "lifestyle_shot_by_text"])
    input = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class SmartImageSerializer(serializers.Serializer):
    input_image_url = serializers.CharField(max_length=2000)
    scene = SceneSerializer(required=False)


class ElementSerializer(serializers.Serializer):
    layer_type = serializers.ChoiceField(choices=["text", "image"])
    content_type = serializers.RegexField(CONTENT_TYPE_PATTERN, max_length=20)
    content = serializers.CharField(allow_blank=True, max_length=2000, trim_whitespace=False)
    id = serializers.JSONField(required=False, allow_null=True)

    def validate(self, attrs):
        wants_image = attrs["content_type"].startswith("Image")
        if wants_image != (attrs["layer_type"] == "image"):
            raise serializers.ValidationError(
                f'{attrs["content_type"]} is a{"n image" if wants_image else " text"} element: '
                f'layer_type must be "{"image" if wants_image else "text"}".')
        return attrs


class AdsGenerateInputSerializer(serializers.Serializer):
    template_id = serializers.CharField(required=False, max_length=20)
    brand_id = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                     max_length=20)
    smart_image = SmartImageSerializer(required=False, allow_null=True)
    elements = serializers.ListField(child=ElementSerializer(), required=False, max_length=50)
    content_moderation = serializers.BooleanField(required=False, default=False)


class RunRequestSerializer(serializers.Serializer):
    app = serializers.CharField(max_length=200)
    input = serializers.DictField()
    webhook = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    setup = serializers.DictField(required=False)
    infra = serializers.ChoiceField(choices=["cloud", "private", "private_first"],
                                    required=False)
    workers = serializers.ListField(child=serializers.CharField(max_length=100),
                                    required=False, max_length=20)
    session = serializers.CharField(required=False, allow_null=True, max_length=100)
    session_timeout = serializers.IntegerField(required=False, min_value=1, max_value=3600)
    variant = serializers.CharField(required=False, allow_blank=True, max_length=60)


class SceneResolutionSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class SceneResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()
    resolution = SceneResolutionSerializer()
    editor_iframe = serializers.URLField()


class OutputSerializer(serializers.Serializer):
    result = SceneResultSerializer(many=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.IntegerField(help_text="2 queued, 7 running, 9 completed, 10 failed, "
                                                "11 cancelled")
    input = serializers.DictField()
    output = OutputSerializer(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    session_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CancelledSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.IntegerField()
    cancelled = serializers.BooleanField()


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    request_id = serializers.CharField()
    field = serializers.CharField(required=False)
