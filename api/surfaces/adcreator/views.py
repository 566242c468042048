"""adcreator platform endpoints: each parses, calls one service (or selector) and serialises."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiRequest, extend_schema
from rest_framework import exceptions as drf
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import check_key
from api.models import Scope
from api.schema import IDEMPOTENCY_KEY, errors
from api.surface import SurfaceView
from api.surfaces.adcreator import catalogue as offer
from api.surfaces.adcreator import selectors, shapes
from api.surfaces.adcreator import serializers as s
from api.surfaces.adcreator.errors import exception_handler
from billing.selectors import balance_summary
from generations.models import Surface
from generations.services import (
    job_delete,
    submit_job,
    submit_video_from_job,
    upload_create,
)
from studio.exceptions import InvalidInput, NotFound

E = s.AdcreatorErrorSerializer
GENERATE_EXAMPLE = {
    "prompt": "Luxury perfume bottle on marble surface, soft studio lighting",
    "modelId": "nano-banana-2", "aspectRatio": "1:1", "stylePreset": "studio-product",
}
VIDEO_EXAMPLE = {
    "sourceGenerationId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
    "prompt": "Smooth camera orbit around the product", "modelId": "kling-v3-pro",
    "durationSeconds": 5,
}
ACCEPTED_EXAMPLE = {"id": "recA1b2C3d4E5f6G7", "status": "processing"}


class RawImageParser(BaseParser):
    """The image itself as the body, its type in Content-Type (the type is then judged by the
    content anyway)."""

    media_type = "image/*"

    def parse(self, stream, media_type=None,  # type: ignore[override]  # DRF keeps any value
              parser_context=None) -> bytes:
        return stream.read() if stream is not None else b""


class RawBinaryParser(RawImageParser):
    media_type = "application/octet-stream"


class AdcreatorView(SurfaceView):
    surface = Surface.ADCREATOR
    exception_handler = staticmethod(exception_handler)
    field_error_codes: dict[str, str] = {}

    def respond_once(self, work) -> Response:
        outcome = self.run_once(work)
        return Response(outcome.body, status=outcome.status)


@extend_schema(tags=["adcreator"])
class CreditsView(AdcreatorView):
    required_scope = Scope.CREDITS_READ

    @extend_schema(operation_id="adcreator_credits_get", summary="Credit balance",
                   responses={200: s.AdcreatorCreditsSerializer, **errors(E)})
    def get(self, request):
        summary = balance_summary(self.workspace)
        return Response({"balance": summary["credits_balance"],
                         "lifetimePurchased": summary["credits_lifetime_purchased"],
                         "lifetimeUsed": summary["credits_lifetime_used"],
                         "unlimited": summary["unlimited"]})


@extend_schema(tags=["adcreator"])
class ModelsView(AdcreatorView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="adcreator_models_list",
                   summary="Image models and aspect ratios",
                   responses={200: s.AdcreatorModelsSerializer, **errors(E)})
    def get(self, request):
        return Response({"models": [offer.image_model_entry(m)
                                    for m in offer.image_models(workspace=self.workspace)],
                         "aspectRatios": offer.aspect_ratios()})


@extend_schema(tags=["adcreator"])
class VideoModelsView(AdcreatorView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="adcreator_video_models_list",
                   summary="Video models, durations and credits",
                   responses={200: s.AdcreatorVideoModelsSerializer, **errors(E)})
    def get(self, request):
        return Response({"models": [offer.video_model_entry(m)
                                    for m in offer.video_models(workspace=self.workspace)]})


@extend_schema(tags=["adcreator"])
class StylesView(AdcreatorView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="adcreator_styles_list", summary="Style presets",
                   responses={200: s.AdcreatorStylesSerializer, **errors(E)})
    def get(self, request):
        return Response({"styles": offer.style_entries()})


@extend_schema(tags=["adcreator"])
class UploadView(AdcreatorView):
    required_scope = Scope.UPLOADS_WRITE
    parser_classes = [MultiPartParser, RawImageParser, RawBinaryParser]
    # The multipart envelope around a 10 MB file; the file itself is held to 10 MB.
    max_body_bytes = s.MAX_UPLOAD_BYTES + 64 * 1024

    def initial(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes:
            # The reference answers every refused upload with a 400.
            raise InvalidInput(f"The image must be at most {s.MAX_UPLOAD_BYTES // 1_000_000} "
                               f"MB (this request is {length / 1_000_000:.1f} MB).",
                               code="invalid_image", field="file")
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="adcreator_upload_create", summary="Upload a reference image",
        description="multipart/form-data with a `file` field, or the raw image with its type "
                    "as Content-Type. At most 10 MB; PNG, JPEG or WebP, judged by content.",
        request={"multipart/form-data": {"type": "object", "required": ["file"],
                                         "properties": {"file": {"type": "string",
                                                                 "format": "binary"}}},
                 "image/png": OpenApiRequest(bytes), "image/jpeg": OpenApiRequest(bytes),
                 "image/webp": OpenApiRequest(bytes)},
        responses={201: s.AdcreatorUploadSerializer, **errors(E, 400)},
    )
    def post(self, request):
        try:
            data = request.data
        except drf.UnsupportedMediaType as exc:
            raise InvalidInput("Send multipart/form-data with a file field, or the raw image "
                               "with its type as Content-Type.", code="invalid_upload",
                               field="file") from exc
        if isinstance(data, bytes):
            content, name = data, ""
        else:
            file = request.FILES.get("file")
            if file is None:
                raise InvalidInput("Send the image in a multipart field named file.",
                                   code="invalid_upload", field="file")
            content, name = file.read(s.MAX_UPLOAD_BYTES + 1), file.name or ""
        upload = upload_create(workspace=self.workspace, content=content, original_name=name,
                               max_bytes=s.MAX_UPLOAD_BYTES, field="file",
                               formats=s.UPLOAD_FORMATS)
        return Response(shapes.upload(upload), status=201)


@extend_schema(tags=["adcreator"])
class GenerateView(AdcreatorView):
    required_scope = Scope.GENERATIONS_WRITE
    not_found_code = "upload_not_found"

    @extend_schema(
        operation_id="adcreator_generate", summary="Generate images",
        description="Starts a generation of `batchCount` images; poll "
                    "GET /api/platform/generations/{id}.",
        parameters=[IDEMPOTENCY_KEY], request=s.AdcreatorGenerateRequestSerializer,
        responses={202: s.AdcreatorAcceptedSerializer,
                   **errors(E, 400, 402, 404, 409, 415, 422, 502)},
        examples=[OpenApiExample("Reference example", value=GENERATE_EXAMPLE,
                                 request_only=True),
                  OpenApiExample("Accepted", value=ACCEPTED_EXAMPLE, response_only=True,
                                 status_codes=["202"])],
    )
    def post(self, request):
        parsed = s.AdcreatorGenerateRequestSerializer(data=self.json_object(),
                                                      context={"workspace": self.workspace})
        parsed.is_valid(raise_exception=True)
        path = parsed.validated_data.get("inputImagePath")
        upload = (selectors.upload_get_by_path(workspace=self.workspace, path=path)
                  if path else None)
        brief = parsed.to_brief(upload=upload)
        key = check_key(request.headers.get("Idempotency-Key"))

        def work():
            submission = submit_job(workspace=self.workspace, brief=brief,
                                    surface=self.surface, api_key_id=request.auth.pk,
                                    idempotency_key=key,
                                    request_id=request._request.request_id)
            return 202, shapes.accepted(submission.job)

        return self.respond_once(work)


@extend_schema(tags=["adcreator"])
class GenerationsView(AdcreatorView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="adcreator_generations_list", summary="Your image generations",
                   parameters=[s.AdcreatorListQuerySerializer],
                   responses={200: s.AdcreatorGenerationListSerializer, **errors(E, 400)})
    def get(self, request):
        query = s.AdcreatorListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit, offset = query.validated_data["limit"], query.validated_data["offset"]
        jobs = selectors.generations_list(workspace=self.workspace)
        return Response({"generations": [shapes.generation(job)
                                         for job in jobs[offset:offset + limit]],
                         "limit": limit, "offset": offset, "total": jobs.count()})


@extend_schema(tags=["adcreator"])
class GenerationView(AdcreatorView):
    not_found_code = "generation_not_found"

    @property
    def required_scope(self):
        return (Scope.GENERATIONS_WRITE if self.request.method == "DELETE"
                else Scope.GENERATIONS_READ)

    @extend_schema(operation_id="adcreator_generation_get", summary="One generation",
                   responses={200: s.AdcreatorGenerationEnvelopeSerializer, **errors(E, 404)})
    def get(self, request, generation_id: str):
        job = selectors.generation_get(workspace=self.workspace, public_id=generation_id)
        return Response({"generation": shapes.generation(job)})

    @extend_schema(operation_id="adcreator_generation_delete",
                   summary="Delete a generation and its images",
                   responses={200: s.AdcreatorDeletedSerializer, **errors(E, 404, 409)})
    def delete(self, request, generation_id: str):
        job = selectors.generation_get(workspace=self.workspace, public_id=generation_id)
        job_delete(job=job, by=None)
        return Response({"deleted": True})


@extend_schema(tags=["adcreator"])
class VideosView(AdcreatorView):
    required_scope = Scope.GENERATIONS_WRITE
    not_found_code = "generation_not_found"

    @extend_schema(
        operation_id="adcreator_videos_create", summary="Animate a generated image",
        description="A video of a completed generation's first image: the same ad (copy, "
                    "layout, style) in motion. Poll GET /api/platform/videos/{id}.",
        parameters=[IDEMPOTENCY_KEY], request=s.AdcreatorVideoRequestSerializer,
        responses={202: s.AdcreatorAcceptedSerializer,
                   **errors(E, 400, 402, 404, 409, 415, 422, 502)},
        examples=[OpenApiExample("Reference example", value=VIDEO_EXAMPLE, request_only=True),
                  OpenApiExample("Accepted", value=ACCEPTED_EXAMPLE, response_only=True,
                                 status_codes=["202"])],
    )
    def post(self, request):
        parsed = s.AdcreatorVideoRequestSerializer(data=self.json_object(),
                                                   context={"workspace": self.workspace})
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        source = selectors.generation_get(workspace=self.workspace,
                                          public_id=data["sourceGenerationId"])
        key = check_key(request.headers.get("Idempotency-Key"))
        unused = {name: data[field] for field, name in (
            ("cfgScale", "cfg_scale"), ("movementAmplitude", "movement_amplitude"),
            ("resolution", "resolution")) if data.get(field) is not None}

        def work():
            submission = submit_video_from_job(
                workspace=self.workspace, source=source, model=data["modelId"],
                duration=data["durationSeconds"], prompt=data["prompt"],
                negative_prompt=data.get("negativePrompt") or None,
                bgm=bool(data.get("generateAudio") or data.get("bgm")),
                surface=self.surface, api_key_id=request.auth.pk, idempotency_key=key,
                request_id=request._request.request_id, extra=unused)
            return 202, shapes.accepted(submission.job)

        return self.respond_once(work)


@extend_schema(tags=["adcreator"])
class VideoView(AdcreatorView):
    required_scope = Scope.GENERATIONS_READ
    not_found_code = "video_not_found"

    @extend_schema(operation_id="adcreator_video_get", summary="One video",
                   responses={200: s.AdcreatorVideoEnvelopeSerializer, **errors(E, 404)})
    def get(self, request, video_id: str):
        job = selectors.video_get(workspace=self.workspace, public_id=video_id)
        return Response({"video": shapes.video(job)})


@extend_schema(exclude=True)
class UnknownPathView(APIView):
    """Any other /api/platform/ path: a 404 in adcreator's body, not an HTML page."""

    authentication_classes: list = []
    permission_classes: list = []

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        raise NotFound("No such endpoint. See /api/docs/.", code="not_found")

    def get(self, request, *args, **kwargs):
        return Response(status=404)  # never reached: initial() answers first

    post = put = patch = delete = get
