"""JSON Schema for tool inputs, read off the DRF serializers the REST surfaces parse with.

A tool's ``inputSchema`` is generated from the very serializer that validates its arguments, so
the limits an agent is shown (``count`` 1..MAX_COUNT, ``top_n`` 1..50, string lengths, the copy
angles) are the API's own and cannot drift from them.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from studio.exceptions import InvalidInput

JsonSchema = dict[str, Any]


def field_schema(field: serializers.Field) -> JsonSchema:
    """The JSON Schema of one DRF field (the field types the surfaces' serializers use)."""
    schema: JsonSchema
    if isinstance(field, serializers.BaseSerializer) and not isinstance(
            field, serializers.ListSerializer):
        schema = serializer_schema(field)
    elif isinstance(field, serializers.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, serializers.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, serializers.FloatField):
        schema = {"type": "number"}
    elif isinstance(field, serializers.ChoiceField):
        schema = {"type": "string", "enum": [str(choice) for choice in field.choices]}
    elif isinstance(field, serializers.CharField):  # URLField is one
        schema = {"type": "string"}
        if isinstance(field, serializers.URLField):
            schema["format"] = "uri"
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if not field.allow_blank:
            schema["minLength"] = 1
    elif isinstance(field, serializers.ListField):
        schema = {"type": "array", "items": field_schema(field.child)}
        if field.max_length is not None:
            schema["maxItems"] = field.max_length
        if field.min_length is not None:
            schema["minItems"] = field.min_length
    elif isinstance(field, serializers.DictField):
        schema = {"type": "object", "additionalProperties": field_schema(field.child)}
    else:
        schema = {}
    if getattr(field, "allow_null", False) and "type" in schema:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    if field.default is not empty and not callable(field.default):
        schema["default"] = field.default
    if field.help_text:
        schema["description"] = str(field.help_text)
    return schema


def serializer_schema(serializer: serializers.BaseSerializer, *,
                      extra: dict[str, JsonSchema] | None = None,
                      required: tuple[str, ...] = ()) -> JsonSchema:
    """An object schema with the serializer's fields, plus ``extra`` properties the tool adds
    (an ``idempotency_key``); unknown properties are refused (see ``check_known``)."""
    fields = serializer.fields  # type: ignore[attr-defined]  # every Serializer has fields
    properties = {name: field_schema(field) for name, field in fields.items()
                  if not field.read_only}
    properties.update(extra or {})
    names = [name for name, field in fields.items() if field.required and not field.read_only]
    schema: JsonSchema = {"type": "object", "properties": properties,
                          "additionalProperties": False}
    if names or required:
        schema["required"] = [*names, *required]
    return schema


def object_schema(properties: dict[str, JsonSchema], *, required: tuple[str, ...] = ()
                  ) -> JsonSchema:
    schema: JsonSchema = {"type": "object", "properties": properties,
                          "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def check_known(schema: JsonSchema, data: Any, *, path: str = "") -> None:
    """Refuse properties the schema does not name, at every level it describes.

    The REST surfaces ignore unknown body fields (their vendors do); an agent that invents an
    argument is better told so than silently served something else.
    """
    if not isinstance(data, dict) or schema.get("type") != "object":
        return
    properties: dict[str, JsonSchema] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        unknown = sorted(set(data) - set(properties))
        if unknown:
            where = f"{path}." if path else ""
            raise InvalidInput(
                f"Unknown argument(s): {', '.join(where + name for name in unknown)}. Known: "
                f"{', '.join(sorted(properties)) or 'none'}.", code="invalid_request",
                field=where + unknown[0])
    for name, sub in properties.items():
        check_known(sub, data.get(name), path=f"{path}.{name}" if path else name)
