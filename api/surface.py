"""The base every API surface view builds on: authentication, scope, rate limit, body limit,
JSON only, the request id, and the surface's own exception handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.conf import settings
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import (
    idempotency,
    schema,  # noqa: F401 - registers the OpenAPI security scheme
)
from api.auth import ApiKeyAuthentication, HasScope, KeyRateThrottle, rate_limit_headers
from api.errors import PayloadTooLarge
from api.models import ApiKey
from studio.exceptions import AppError

ExceptionHandler = Callable[[Exception, dict], Response]


class SurfaceView(APIView):
    """Subclasses set ``surface``, ``required_scope`` and ``exception_handler``; optional
    ``field_error_codes`` map a serializer field to the surface's error code and
    ``not_found_code`` names a 404."""

    surface: str = ""
    exception_handler: ExceptionHandler
    field_error_codes: dict[str, str] = {}
    not_found_code: str = "not_found"
    max_body_bytes: int | None = None

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [KeyRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return type(self).exception_handler

    def initial(self, request: Request, *args, **kwargs) -> None:
        limit = self.max_body_bytes or settings.API_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}.")
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request._request if isinstance(
                request, Request) else request).items():
            response[name] = value
        return response

    @property
    def required_scope(self) -> str | None:
        """None: any key may call. Subclasses set a class attribute or override the property
        (HasScope reads it off the view)."""
        return None

    # Helpers for subclasses ---------------------------------------------------------------
    @property
    def workspace(self):
        # ApiKeyAuthentication (the only authentication class) sets ``auth`` to the ApiKey.
        return cast(ApiKey, self.request.auth).workspace

    def json_object(self) -> dict:
        """The body, which must be a JSON object (a list or a scalar is a 400)."""
        data = self.request.data
        if not isinstance(data, dict):
            raise AppError("The request body must be a JSON object.", code="invalid_request",
                           status=400)
        return data

    def run_once(self, work: Callable[[], tuple[int, dict]]) -> idempotency.Outcome:
        """``work`` once per Idempotency-Key (header), replaying the stored answer after."""
        request = self.request
        assert request.method is not None  # always set on a request being dispatched
        return idempotency.run_once(
            workspace=self.workspace, surface=self.surface,
            key=request.headers.get("Idempotency-Key"),
            fingerprint=idempotency.fingerprint(method=request.method, path=request.path,
                                                data=request.data),
            work=work)


def error_response(error: AppError, body: dict) -> Response:
    """The HTTP side every surface's errors share: status, Retry-After, WWW-Authenticate."""
    response = Response(body, status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is None and error.status == 503:
        retry_after = 30
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
