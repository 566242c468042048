"""One request id per request: taken from a sane incoming ``X-Request-Id`` or drawn fresh,
echoed on every response and put in every API error body."""

from __future__ import annotations

import re

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from generations.models import new_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,40}$")


def request_id_for(request) -> str:
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    return incoming if _SAFE_ID.match(incoming) else new_request_id()


class RequestIdMiddleware:
    """Sync and async capable, so async views (streams, long-polls) stay on the event loop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request.request_id = request_id_for(request)
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response

    async def __acall__(self, request):
        request.request_id = request_id_for(request)
        response = await self.get_response(request)
        response["X-Request-Id"] = request.request_id
        return response
