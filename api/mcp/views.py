"""``/mcp``: the Model Context Protocol over Streamable HTTP, spoken by a DRF view.

JSON-RPC 2.0 over POST, each request answered with one ``application/json`` response (the spec
allows that instead of an SSE stream; every tool answers at once, long work is polled with
``get_delivery``). GET and DELETE answer 405, as the spec allows a server without a
server-to-client stream or session teardown. The view is a ``SurfaceView``, so the bearer key,
the per-key rate limit, the body limit and the request id are the REST surfaces' own; what they
refuse is rendered as a JSON-RPC error at the same HTTP status (401, 429, 413 ...).

Sessions are stateless: ``Mcp-Session-Id`` is a signed token naming the key and the protocol
version agreed at ``initialize``. A token that fails the signature or belongs to another key is
a 404 (the spec's "start a new session"); requests without one are served too, so a plain
``curl`` can call a tool.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any, cast

from django.core import signing
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.auth import HasScope
from api.errors import as_app_error
from api.mcp.schema import check_known
from api.mcp.tools import TOOLS, Call, Output, Tool
from api.models import ApiKey
from api.surface import SurfaceView, error_response
from api.surfaces.dessert.errors import envelope
from api.surfaces.dessert.serializers import FIELD_ERROR_CODES
from studio.exceptions import AppError

# Oldest to newest; all use the initialize handshake.
PROTOCOL_VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
LATEST_VERSION = PROTOCOL_VERSIONS[-1]
# What a request without a version header or session speaks (the transport spec's rule).
ASSUMED_VERSION = "2025-03-26"
STRUCTURED_CONTENT_SINCE = "2025-06-18"

SESSION_HEADER = "Mcp-Session-Id"
VERSION_HEADER = "MCP-Protocol-Version"
_SESSION_SALT = "api.mcp.session"

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

INSTRUCTIONS = (
    "Creative Studio makes ad creatives (static images and MP4 videos with copy) from a brand. "
    "Typical flow: list_brands (or create_brand), optionally search_styles or list_styles, "
    "generate_ads, then call get_delivery with the delivery_id every 10-20 seconds until its "
    "status is completed or failed. generate_ads spends credits (get_balance shows them); pass "
    "an idempotency_key so a retried call cannot charge twice."
)


class SessionNotFound(AppError):
    code = "session_not_found"
    status = 404


class RpcError(Exception):
    """A JSON-RPC error answering one request (the request itself was well-formed HTTP)."""

    def __init__(self, code: int, message: str, *, status: int = 200) -> None:
        self.code, self.message, self.status = code, message, status
        super().__init__(message)


def _rpc_code(error: AppError) -> int:
    if error.code == "invalid_json":
        return PARSE_ERROR
    return INTERNAL_ERROR if error.status >= 500 else INVALID_REQUEST


def exception_handler(exc: Exception, context: dict) -> Response:
    """What the machinery refused (key, scope, rate limit, body, JSON, method), as a JSON-RPC
    error at the HTTP status the REST surfaces use; ``data`` is Dessert's error object."""
    error = as_app_error(exc)
    request = context.get("request")
    request_id = getattr(getattr(request, "_request", request), "request_id", "")
    body = {"jsonrpc": "2.0", "id": None,
            "error": {"code": _rpc_code(error), "message": error.message,
                      "data": envelope(error, request_id=request_id)["error"]}}
    return error_response(error, body)


def _server_version() -> str:
    try:
        return metadata.version("creative-studio")
    except metadata.PackageNotFoundError:  # a source checkout run without installing it
        return "0+source"


def session_token(*, api_key: ApiKey, version: str) -> str:
    return signing.dumps({"k": api_key.pk, "v": version}, salt=_SESSION_SALT, compress=False)


def session_version(token: str, *, api_key: ApiKey) -> str:
    """The protocol version of a session this key started, or SessionNotFound."""
    try:
        data = signing.loads(token, salt=_SESSION_SALT)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("k") != api_key.pk \
            or data.get("v") not in PROTOCOL_VERSIONS:
        raise SessionNotFound("This Mcp-Session-Id is unknown to this API key; send "
                              "initialize again to start a new session.")
    return data["v"]


def tool_result(output: Output, *, version: str) -> dict[str, Any]:
    """Structured content plus the same JSON as text (for clients that read only text)."""
    text = json.dumps(output.data, cls=JSONEncoder, ensure_ascii=False)
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}, *output.images],
                              "isError": False}
    if version >= STRUCTURED_CONTENT_SINCE:
        result["structuredContent"] = json.loads(text)
    return result


def tool_error(error: AppError, *, request_id: str, version: str) -> dict[str, Any]:
    body = envelope(error, request_id=request_id)
    result: dict[str, Any] = {
        "content": [{"type": "text", "text": f"{error.code}: {body['error']['message']}"}],
        "isError": True}
    if version >= STRUCTURED_CONTENT_SINCE:
        result["structuredContent"] = body
    return result


# JSON-RPC over one path is not a REST operation; the tools are described by tools/list.
@extend_schema(exclude=True)
class McpView(SurfaceView):
    exception_handler = staticmethod(exception_handler)
    http_method_names = ["post"]  # GET (no server stream) and DELETE answer 405

    @property
    def api_key(self) -> ApiKey:
        return cast(ApiKey, self.request.auth)

    def post(self, request: Request) -> Response:
        message = request.data
        if isinstance(message, list):
            return self._error(None, INVALID_REQUEST, "JSON-RPC batches are not supported; send "
                               "one message per request.", status=400)
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return self._error(None, INVALID_REQUEST, "The body must be a JSON-RPC 2.0 message.",
                               status=400)
        if "method" not in message:
            if "result" in message or "error" in message:
                # A response to a server request: this server sends none, so there is nothing
                # to match it to; the spec's answer to anything that is not a request is 202.
                return Response(status=202)
            return self._error(message.get("id"), INVALID_REQUEST, "The message has no method.",
                               status=400)
        method = message["method"]
        if not isinstance(method, str):
            return self._error(message.get("id"), INVALID_REQUEST, "method must be a string.",
                               status=400)
        version = self._version(method)
        if "id" not in message:
            return Response(status=202)  # notifications (initialized, cancelled) need no reply
        request_id = message["id"]
        if request_id is None or isinstance(request_id, bool) or \
                not isinstance(request_id, str | int):
            return self._error(None, INVALID_REQUEST, "id must be a string or an integer.",
                               status=400)
        params = message.get("params") or {}
        try:
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, "params must be an object.")
            if method == "initialize":
                return self._initialize(request_id, params)
            result = self._dispatch(method, params, version=version)
        except RpcError as exc:
            return self._error(request_id, exc.code, exc.message, status=exc.status)
        return Response({"jsonrpc": "2.0", "id": request_id, "result": result})

    # Protocol ---------------------------------------------------------------------------
    def _version(self, method: str) -> str:
        if method == "initialize":
            return LATEST_VERSION
        token = self.request.headers.get(SESSION_HEADER)
        header = self.request.headers.get(VERSION_HEADER)
        if header is not None and header not in PROTOCOL_VERSIONS:
            raise AppError(f"Unsupported {VERSION_HEADER} {header!r}; this server speaks "
                           f"{', '.join(PROTOCOL_VERSIONS)}.", code="unsupported_protocol_version",
                           status=400)
        if token is not None:
            return session_version(token, api_key=self.api_key)
        return header or ASSUMED_VERSION

    def _initialize(self, request_id, params: dict) -> Response:
        requested = params.get("protocolVersion")
        version = requested if requested in PROTOCOL_VERSIONS else LATEST_VERSION
        response = Response({"jsonrpc": "2.0", "id": request_id, "result": {
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": "creative-studio", "title": "Creative Studio",
                           "version": _server_version()},
            "instructions": INSTRUCTIONS,
        }})
        response[SESSION_HEADER] = session_token(api_key=self.api_key, version=version)
        return response

    def _dispatch(self, method: str, params: dict, *, version: str) -> dict[str, Any]:
        if method == "ping":
            return {}
        if method == "tools/list":
            return {"tools": [tool.listing() for tool in TOOLS.values()]}
        if method == "tools/call":
            name = params.get("name")
            tool = TOOLS.get(name) if isinstance(name, str) else None
            if tool is None:
                raise RpcError(INVALID_PARAMS, f"Unknown tool: {name!r}. Known: "
                               f"{', '.join(TOOLS)}.")
            return self._call(tool, params.get("arguments"), version=version)
        raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")

    def _call(self, tool: Tool, arguments, *, version: str) -> dict[str, Any]:
        """Run one tool; whatever it raises is a tool error (never a JSON-RPC or HTTP error),
        so the agent reads the API's code and message and can correct itself."""
        request_id = self.request._request.request_id  # type: ignore[attr-defined]
        try:
            HasScope().has_permission(self.request, tool)
            if arguments is None:
                arguments = {}
            if not isinstance(arguments, dict):
                raise AppError("arguments must be an object.", code="invalid_request")
            check_known(tool.input_schema, arguments)
            output = tool.run(Call(request=self.request, api_key=self.api_key), arguments)
        except Exception as exc:  # noqa: BLE001 - as_app_error logs what it does not know
            error = as_app_error(exc, field_codes=FIELD_ERROR_CODES,
                                 not_found_code=tool.not_found_code)
            return tool_error(error, request_id=request_id, version=version)
        return tool_result(output, version=version)

    def _error(self, request_id, code: int, message: str, *, status: int) -> Response:
        return Response({"jsonrpc": "2.0", "id": request_id,
                         "error": {"code": code, "message": message}}, status=status)
