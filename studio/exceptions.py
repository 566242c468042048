"""The one application error. Services raise it (or a subclass); each surface renders it.

A service never builds a response: it raises ``AppError`` with a stable ``code`` (the string the
API surfaces document, e.g. ``insufficient_credits``), a human ``message``, the HTTP ``status``
the error means, the input ``field`` it is about, whether a retry may succeed (``retryable``)
and machine-readable ``details``. The HTML views map it in ``studio.errors`` (a message and a
status); each API surface maps it to its own envelope in its exception handler.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A refusal or failure a caller can be told about. Subclasses set class-level defaults."""

    code: str = "error"
    status: int = 400
    retryable: bool = False
    default_message: str = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        retryable: bool | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if retryable is not None:
            self.retryable = retryable
        self.field = field
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        """The error as plain data, for logs, webhooks and envelopes that want every part."""
        data: dict[str, Any] = {"code": self.code, "message": self.message,
                                "status": self.status, "retryable": self.retryable}
        if self.field:
            data["field"] = self.field
        if self.details:
            data["details"] = self.details
        return data


class InvalidInput(AppError):
    """Input breaks a rule; ``code`` names which, ``field`` names where."""

    code = "invalid_request"
    status = 400


class NotFound(AppError):
    """The object does not exist for this caller (another workspace's object included)."""

    code = "not_found"
    status = 404
    default_message = "Not found."


class Forbidden(AppError):
    """The caller may see the object but their role may not do this to it."""

    code = "forbidden"
    status = 403
    default_message = "Your role in this workspace does not allow this."


class Conflict(AppError):
    code = "conflict"
    status = 409


class ServiceUnavailable(AppError):
    """A dependency (broker, storage, a provider) could not be reached; nothing was changed."""

    code = "service_unavailable"
    status = 503
    retryable = True
