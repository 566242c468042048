"""OpenAPI helpers shared by the surfaces: the bearer security scheme and the error responses
every authenticated endpoint can give."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.idempotency import KEY_PATTERN, MAX_KEY_LENGTH


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An API key from Settings → API keys: `dsrt_live_…` (the "
                               "`sk_live_`, `vt_live_`, `pi_live_` and `inf_` forms of the "
                               "same key work too)."}


ERROR_DESCRIPTIONS = {
    400: "The body or a parameter is invalid (the code names which rule).",
    401: "No valid API key.",
    402: "Not enough credits and auto-recharge could not cover the gap.",
    403: "The key lacks the scope this endpoint needs.",
    404: "Not found, or not visible to this key.",
    409: "Idempotency-Key reused with a different body.",
    413: "The body is larger than the limit.",
    415: "The body is not JSON.",
    425: "The brand is still onboarding.",
    429: "Rate limit reached; see Retry-After.",
    502: "The task queue could not take the job; nothing was charged.",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key", location=OpenApiParameter.HEADER, required=False,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
          "pattern": KEY_PATTERN},
    description="Retry safely: the same key and body within 24 h replays the first answer; "
                "the same key with another body is 409 idempotency_key_mismatch.")


def errors(serializer, *statuses: int) -> dict:
    """Error responses for an operation: always 401, 403, 405 and 429 plus ``statuses``."""
    codes = sorted({401, 403, 429, *statuses})
    return {code: OpenApiResponse(serializer, description=ERROR_DESCRIPTIONS.get(code, ""))
            for code in codes}
