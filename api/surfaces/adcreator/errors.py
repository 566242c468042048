"""adcreator's error body: ``{"error": "<message>", "code", "field"?, "requestId"}``.

The reference documents only the statuses (400 validation, 401, 404, 422 generation failed);
the body keeps ``error`` a readable string, as clients of that API display it, with a stable
``code`` beside it. A brief that cannot be rendered for a reason of the workspace (no brand, a
brand still onboarding) is the documented 422 "Generation Failed"."""

from __future__ import annotations

from api.errors import as_app_error
from api.surface import error_response
from studio.exceptions import AppError

# What the reference calls "Generation Failed": the request was valid, nothing can render it.
UNRENDERABLE = {"no_brand_selected", "brand_onboarding_in_progress"}
# Brief fields named as this surface's request names them.
BRIEF_FIELDS = {"prompt": "prompt", "negative_prompt": "negativePrompt",
                "style_preset": "stylePreset", "model": "modelId", "count": "batchCount",
                "sizes": "aspectRatio", "reference_images": "inputImagePath",
                "duration": "durationSeconds"}


def envelope(error: AppError, *, request_id: str) -> dict:
    body: dict = {"error": error.message, "code": error.code}
    if error.field:
        body["field"] = BRIEF_FIELDS.get(error.field, error.field)
    body["requestId"] = request_id
    return body


def exception_handler(exc: Exception, context: dict):
    view = context.get("view")
    error = as_app_error(exc, field_codes=getattr(view, "field_error_codes", {}),
                         not_found_code=getattr(view, "not_found_code", "not_found"))
    if error.code in UNRENDERABLE:
        error = AppError(error.message, code=error.code, status=422, field=error.field)
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "request_id", "")
    return error_response(error, envelope(error, request_id=request_id))
