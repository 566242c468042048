"""Task endpoints: each parses, calls one service (or selector) and serialises."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.errors import validation_error
from api.idempotency import check_key
from api.models import Scope
from api.schema import ERROR_DESCRIPTIONS, IDEMPOTENCY_KEY
from api.surface import SurfaceView
from api.surfaces.inference import serializers as s
from api.surfaces.inference import shapes
from api.surfaces.inference.errors import CONTENT_TYPE, exception_handler
from api.surfaces.inference.services import TaskRequest, task_cancel, task_get, task_submit
from generations.models import Surface
from studio.exceptions import InvalidInput


def errors(*statuses: int) -> dict:
    """Error responses in the problem+json media type: always 401, 403 and 429 plus
    ``statuses``."""
    descriptions = {**ERROR_DESCRIPTIONS, 422: "An image URL is not a usable image."}
    return {(code, CONTENT_TYPE): OpenApiResponse(s.ProblemSerializer,
                                                  description=descriptions.get(code, ""))
            for code in sorted({401, 403, 429, *statuses})}

RUN_EXAMPLE = {"app": "bria/ads-generate", "input": {}}
BRANDED_EXAMPLE = {
    "app": "bria/ads-generate@59rhfgqz",
    "input": {
        "template_id": "1062", "brand_id": "167",
        "smart_image": {"input_image_url": "https://example.com/serum.png",
                        "scene": {"operation": "lifestyle_shot_by_text",
                                  "input": "on a marble bathroom shelf, morning light"}},
        "elements": [{"layer_type": "text", "content_type": "Heading #1",
                      "content": "Glow in 7 days"},
                     {"layer_type": "text", "content_type": "Body #1", "content": ""}],
    },
    "webhook": "https://your-server.com/webhook",
}
TASK_EXAMPLE = {
    "id": "task_recAbC123dEf456gH", "status": 9, "input": {"template_id": "1061"},
    "output": {"result": [{
        "id": "recQwErTy123456789", "name": "scene_1",
        "url": "https://studio.example.com/media/a/recQwErTy123456789/-/m/",
        "resolution": {"width": 1080, "height": 1080},
        "editor_iframe": "https://studio.example.com/jobs/recAbC123dEf456gH/#concept-recZ"}]},
    "error": "", "session_id": None, "created_at": "2024-01-15T10:30:00Z",
    "updated_at": "2024-01-15T10:30:05Z",
}


class InferenceView(SurfaceView):
    surface = Surface.INFERENCE
    exception_handler = staticmethod(exception_handler)
    field_error_codes = s.FIELD_ERROR_CODES
    not_found_code = "task_not_found"


@extend_schema(tags=["Inference tasks"])
class RunView(InferenceView):
    required_scope = Scope.GENERATIONS_WRITE

    @extend_schema(
        operation_id="inference_run", summary="Run bria/ads-generate as a task",
        description="Accepts the task at once (status 2, queued). The template renders one "
                    "scene per size (1:1, 16:9, 9:16, 4:5), each charged as one static ad "
                    "(plus the in-situ scene price for `lifestyle_shot_by_text`). Poll "
                    "`GET /tasks/{id}`, stream `GET /tasks/{id}/stream` or give a `webhook`.",
        parameters=[IDEMPOTENCY_KEY], request=s.RunRequestSerializer,
        responses={200: s.TaskSerializer, **errors(400, 402, 404, 409, 413, 415, 422, 425,
                                                   502)},
        examples=[OpenApiExample("The reference's minimal run", value=RUN_EXAMPLE,
                                 request_only=True),
                  OpenApiExample("Branded, smart image, elements", value=BRANDED_EXAMPLE,
                                 request_only=True)],
    )
    def post(self, request):
        parsed = s.RunRequestSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        task_input = s.AdsGenerateInputSerializer(data=data["input"])
        if not task_input.is_valid():
            raise _nested(task_input)
        task = TaskRequest(app=data["app"], input=task_input.validated_data,
                           raw_input=request.data["input"], webhook=data.get("webhook", ""),
                           session=data.get("session"),
                           session_timeout=data.get("session_timeout"),
                           variant=data.get("variant", ""))
        key = check_key(request.headers.get("Idempotency-Key"))

        def work():
            submission = task_submit(workspace=self.workspace, request=task,
                                     api_key_id=request.auth.pk, idempotency_key=key,
                                     request_id=request._request.request_id)
            return 200, shapes.task(submission.job)

        outcome = self.run_once(work)
        return Response(outcome.body, status=outcome.status)


def _nested(serializer) -> InvalidInput:
    """The input's first error, its field the nested path (``input.elements[0]...``) and its
    code that of the input field it is under (``invalid_elements``)."""
    error = validation_error(ValidationError({"input": serializer.errors}), field_codes={})
    field = error.field or "input"
    top = ".".join(re.split(r"[.\[]", field)[:2])
    return InvalidInput(error.message, code=s.FIELD_ERROR_CODES.get(top, "invalid_input"),
                        field=field)


@extend_schema(tags=["Inference tasks"])
class TaskView(InferenceView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="inference_task_get", summary="A task",
                   responses={200: s.TaskSerializer, **errors(404)},
                   examples=[OpenApiExample("Completed", value=TASK_EXAMPLE,
                                            response_only=True)])
    def get(self, request, task_id: str):
        return Response(shapes.task(task_get(workspace=self.workspace, task_id=task_id)))


@extend_schema(tags=["Inference tasks"])
class CancelView(InferenceView):
    required_scope = Scope.GENERATIONS_WRITE

    @extend_schema(operation_id="inference_task_cancel", summary="Cancel a task",
                   description="A queued task is refunded in full; a running one stops at its "
                               "next frame boundary, keeps the scenes already stored and is "
                               "refunded every scene not yet stored.", request=None,
                   responses={200: s.CancelledSerializer, **errors(404, 409)})
    def post(self, request, task_id: str):
        job = task_cancel(workspace=self.workspace, task_id=task_id)
        return Response(shapes.cancelled(job))
