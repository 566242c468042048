"""The OpenAI-compatible ("Pi") endpoints under /api/v1/: each parses, calls one service (or
selector) and serialises into Pi's envelope."""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import check_key
from api.models import Scope
from api.schema import IDEMPOTENCY_KEY, errors
from api.surface import SurfaceView
from api.surfaces.dessert.views import GenerateView as DessertGenerateView
from api.surfaces.pi import serializers as s
from api.surfaces.pi import services, shapes
from api.surfaces.pi.errors import exception_handler
from api.surfaces.pi.waiting import job_wait, wait_until
from brands.selectors import brand_get_for_workspace, brand_list_for_workspace
from generations.models import JobStatus, Surface
from studio.exceptions import AppError, NotFound

E = s.PiErrorSerializer
OPENAI_FIELDS = ("model", "n", "size", "response_format", "quality")
DESSERT_FIELDS = ("count", "format", "creative")
GENERATE_EXAMPLE = {
    "prompt": "Summer launch ad for our vitamin C serum: bright, confident, for women 25-40. "
              "Headline in English, include a clear call to action.",
    "reference_images": ["https://cdn.example.com/products/glow-serum.png"],
    "output": {"aspect_ratio": "4:5", "resolution": "1K", "thinking_intensity": "high"},
    "client_reference_id": "campaign-42/ad-7",
    "metadata": {"campaign": "summer-launch", "agent": "planner-v2"},
}
ACCEPTED_EXAMPLE = {"id": "req_pi_6f1c2d3e4b5a69788796a5b4c3d2e1f0", "object": "job",
                    "status": "queued", "created_at": 1767225600,
                    "data": {"job_id": "recA1b2C3d4E5f6G7"}, "error": None}


def pi_request_id(request) -> str:
    """Pi's ``req_pi_<uuid>``, unless the client sent its own X-Request-Id to trace by."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if incoming and getattr(request, "request_id", None) == incoming:
        return incoming
    return "req_pi_" + uuid.uuid4().hex


class PiView(SurfaceView):
    surface = Surface.OPENAI
    exception_handler = staticmethod(exception_handler)
    field_error_codes = s.FIELD_ERROR_CODES

    def dispatch(self, request, *args, **kwargs):
        request.request_id = pi_request_id(request)
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.has_header("X-RateLimit-Reset"):
            # Pi gives the reset as a unix time; the shared limiter counts seconds to it.
            response["X-RateLimit-Reset"] = str(int(time.time())
                                                + int(response["X-RateLimit-Reset"]))
        return response

    def envelope(self, **kwargs) -> dict:
        return shapes.envelope(self.request, **kwargs)


@extend_schema(tags=["OpenAI-compatible"])
class ImagesGenerationsView(PiView):
    required_scope = Scope.GENERATIONS_WRITE
    # Reference images come inline (base64): the site-wide STUDIO_MAX_REQUEST_BYTES, checked
    # before any view runs, is this endpoint's body limit rather than API_MAX_BODY_BYTES.
    max_body_bytes = 1 << 62

    @extend_schema(
        operation_id="pi_images_generations", summary="Generate an ad image",
        description="Queues one static ad per `n` (default 1) at `output.aspect_ratio` and "
                    "answers 202 with the job. A call that asks for the image now (OpenAI's "
                    "fields `response_format`, `model`, `n`, `size` or `quality`, or the "
                    "official openai SDK) waits up to PI_SYNC_WAIT_SECONDS and answers in "
                    "OpenAI's images shape.",
        parameters=[IDEMPOTENCY_KEY], request=s.PiGenerateRequestSerializer,
        responses={200: s.PiImagesResponseSerializer, 202: s.PiEnvelopeSerializer,
                   **errors(E, 400, 402, 404, 409, 413, 415, 422, 425, 502)},
        examples=[OpenApiExample("Ad intent with a reference image", value=GENERATE_EXAMPLE,
                                 request_only=True),
                  OpenApiExample("Accepted", value=ACCEPTED_EXAMPLE, response_only=True,
                                 status_codes=["202"])],
    )
    def post(self, request):
        parsed = s.PiGenerateRequestSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        key = check_key(request.headers.get("Idempotency-Key"))
        generate = services.GenerateInput(
            prompt=data["prompt"], count=data.get("n", 1), aspect_ratio=parsed.aspect_ratio(),
            reference_images=tuple(data.get("reference_images", [])),
            brand_id=data.get("brand_id") or None,
            brand_identity_json=data.get("brand_identity_json"),
            client_reference_id=data.get("client_reference_id", ""),
            metadata=data.get("metadata") or {},
            extra={"output": dict(data.get("output") or {}),
                   **{name: data[name] for name in ("model", "quality", "size")
                      if name in data}})

        def work():
            submission = services.generate_submit(
                workspace=self.workspace, request=generate, api_key_id=request.auth.pk,
                idempotency_key=key, request_id=request._request.request_id)
            return 202, shapes.accepted(request, job_id=submission.job.public_id,
                                        created_at=submission.job.created_at)

        outcome = self.run_once(work)
        if outcome.status != 202 or not self.wants_image_now(data):
            return Response(outcome.body, status=outcome.status)
        job = job_wait(workspace=self.workspace, public_id=outcome.body["data"]["job_id"],
                       timeout=settings.PI_SYNC_WAIT_SECONDS)
        if job.status == JobStatus.COMPLETED:
            return Response(shapes.images_response(
                job, response_format=data.get("response_format", "url")))
        if job.is_terminal:
            raise AppError(f"The image could not be generated ({job.error_code}: "
                           f"{job.error_message}); its credits were refunded.",
                           code="generation_failed", status=422)
        # Still running at the limit: the job to poll instead of an image.
        return Response(self.envelope(object="job", status=shapes.STATUS[job.status],
                                      data={"job_id": job.public_id},
                                      created_at=int(job.created_at.timestamp())),
                        status=202)

    def wants_image_now(self, data: dict) -> bool:
        """Which way a request goes (docs/api-pi.md): ``Prefer: respond-async`` always
        queues; OpenAI's own fields or an OpenAI SDK (its X-Stainless-Lang header or
        User-Agent) wait for the image; Pi's plain body queues."""
        headers = self.request.headers
        prefer = headers.get("Prefer", "").lower()
        if "respond-async" in prefer:
            return False
        if "wait" in prefer or any(name in data for name in OPENAI_FIELDS):
            return True
        return bool(headers.get("X-Stainless-Lang")) or headers.get(
            "User-Agent", "").startswith("OpenAI/")


@extend_schema(tags=["OpenAI-compatible"])
class AdsGenerateView(ImagesGenerationsView):
    """The alias of images/generations. A Dessert-shaped body (no ``prompt``; ``count``,
    ``format`` or ``creative``) is answered by Dessert's generate, whose docs say this route
    shares its backend."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and _dessert_shaped(request.body):
            return DessertGenerateView.as_view()(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(operation_id="pi_ads_generate", summary="Generate an ad (alias)",
                   parameters=[IDEMPOTENCY_KEY], request=s.PiGenerateRequestSerializer,
                   responses={200: s.PiImagesResponseSerializer, 202: s.PiEnvelopeSerializer,
                              **errors(E, 400, 402, 404, 409, 413, 415, 422, 425, 502)})
    def post(self, request):
        return super().post(request)


def _dessert_shaped(body: bytes) -> bool:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return False
    return (isinstance(data, dict) and "prompt" not in data
            and any(name in data for name in DESSERT_FIELDS))


@extend_schema(tags=["OpenAI-compatible"])
class JobView(PiView):
    required_scope = Scope.GENERATIONS_READ
    not_found_code = "job_not_found"

    @extend_schema(operation_id="pi_job_get", summary="A job, optionally waiting for it",
                   parameters=[s.PiJobQuerySerializer],
                   responses={200: s.PiEnvelopeSerializer, **errors(E, 400, 404, 422)})
    def get(self, request, job_id: str):
        query = s.PiJobQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        wait = query.validated_data["timeout_seconds"] \
            if query.validated_data["wait_for_completion"] else 0
        expand = query.expansions()
        expanded: dict[str, dict | None] = {}
        if services.brand_job_get(workspace=self.workspace, job_id=job_id) is not None:
            found = wait_until(
                lambda: services.brand_job_get(workspace=self.workspace, job_id=job_id),
                lambda job: job is None or job.scrape is None or job.scrape.is_finished,
                timeout=wait)
            assert found is not None  # it existed a moment ago and brands are not deleted
            full = shapes.brand_job_record(job_id=found.job_id, brand=found.brand,
                                           scrape=found.scrape)
            if "brand" in expand:
                expanded["brand"] = shapes.brand_record(found.brand)
            record = shapes.only_fields(full, query.field_names())
        else:
            job = job_wait(workspace=self.workspace, public_id=job_id, timeout=wait)
            full = shapes.job_record(job)
            record = shapes.only_fields(full, query.field_names())
            if "ad" in expand:
                record["ad"] = expanded["ad"] = shapes.ad(job)
            if "brand" in expand and job.brand is not None:
                expanded["brand"] = shapes.brand_record(job.brand)
            if "diagnostics" in expand:
                expanded["diagnostics"] = shapes.diagnostics(job)
        if expanded:
            record["expanded"] = expanded
        status, error = full["status"], full["error_log"]
        return Response(self.envelope(object="job", status=status, data=record, error=error))


@extend_schema(tags=["OpenAI-compatible"])
class BrandExtractView(PiView):
    required_scope = Scope.BRANDS_WRITE
    max_body_bytes = 1 << 62  # logo and images come inline, as for generate

    @extend_schema(operation_id="pi_brands_extract", summary="Extract a brand",
                   description="At least one of `url`, `logoBase64`, `imagesBase64`. Always "
                               "202 with a job; poll GET /api/v1/jobs/{id}?expand=brand.",
                   parameters=[IDEMPOTENCY_KEY], request=s.PiBrandExtractRequestSerializer,
                   responses={202: s.PiEnvelopeSerializer, **errors(E, 400, 409, 413, 415, 422)},
                   examples=[OpenApiExample("From a website", request_only=True,
                                            value={"url": "https://lumenskin.com"})])
    def post(self, request):
        parsed = s.PiBrandExtractRequestSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data

        def work():
            extraction = services.brand_extract(
                workspace=self.workspace, url=data.get("url", ""),
                logo_base64=data.get("logoBase64", ""),
                images_base64=tuple(data.get("imagesBase64", [])))
            started = extraction.scrape.created_at if extraction.scrape is not None \
                else extraction.brand.created_at
            return 202, shapes.accepted(request, job_id=extraction.job_id, created_at=started)

        outcome = self.run_once(work)
        return Response(outcome.body, status=outcome.status)


@extend_schema(tags=["OpenAI-compatible"])
class BrandsView(PiView):
    required_scope = Scope.BRANDS_READ

    @extend_schema(operation_id="pi_brands_list", summary="List brands",
                   parameters=[s.PiBrandsQuerySerializer],
                   responses={200: s.PiEnvelopeSerializer, **errors(E, 400, 422)})
    def get(self, request):
        query = s.PiBrandsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        brands = brand_list_for_workspace(workspace=self.workspace).order_by("name", "id")
        if data.get("query"):
            brands = brands.filter(name__icontains=data["query"])
        limit, offset = data["limit"], data["offset"]
        page = list(brands[offset: offset + limit + 1])
        expand = {name.strip() for name in f"{data.get('expand', '')},"
                  f"{data.get('include', '')}".split(",") if name.strip()}
        fields = [name.strip() for name in data.get("fields", "").split(",") if name.strip()]
        records = []
        for brand in page[:limit]:
            record = shapes.only_fields(shapes.brand_record(brand), fields)
            if "latest_job" in expand:
                scrape = brand.scrapes.order_by("-created_at").first()
                record["expanded"] = {"latest_job": shapes.brand_job_record(
                    job_id=f"{services.SCRAPE_JOB_PREFIX}{scrape.pk}", brand=brand,
                    scrape=scrape) if scrape is not None else None}
            records.append(record)
        return Response(self.envelope(object="list", status="completed", data={
            "object": "list", "data": records, "has_more": len(page) > limit,
            "limit": limit, "offset": offset}))


@extend_schema(tags=["OpenAI-compatible"])
class BrandView(PiView):
    required_scope = Scope.BRANDS_READ
    not_found_code = "brand_not_found"

    @extend_schema(operation_id="pi_brand_get", summary="A brand record",
                   responses={200: s.PiEnvelopeSerializer, **errors(E, 404)})
    def get(self, request, brand_id: str):
        brand = brand_get_for_workspace(workspace=self.workspace, brand_id=brand_id)
        return Response(self.envelope(object="brand", status="completed",
                                      data=shapes.brand_record(brand)))


@extend_schema(tags=["OpenAI-compatible"])
class WebhooksView(PiView):
    @property
    def required_scope(self):
        return Scope.GENERATIONS_WRITE if self.request.method == "POST" \
            else Scope.GENERATIONS_READ

    @extend_schema(operation_id="pi_webhooks_list", summary="Registered webhooks",
                   responses={200: s.PiEnvelopeSerializer, **errors(E)})
    def get(self, request):
        records = [shapes.webhook_record(e)
                   for e in services.webhook_endpoints_for(self.workspace)]
        return Response(self.envelope(object="list", status="completed", data={
            "object": "list", "data": records, "has_more": False}))

    @extend_schema(operation_id="pi_webhooks_create", summary="Register a webhook",
                   request=s.PiWebhookCreateSerializer,
                   responses={201: s.PiEnvelopeSerializer, **errors(E, 400, 415, 422)},
                   examples=[OpenApiExample("Register", request_only=True, value={
                       "endpoint_url": "https://yourapp.com/pi-webhooks",
                       "secret": "whsec_a-long-random-string"})])
    def post(self, request):
        parsed = s.PiWebhookCreateSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(workspace=self.workspace,
                                                    **parsed.validated_data)
        return Response(self.envelope(object="webhook", status="completed",
                                      data=shapes.webhook_record(endpoint)), status=201)


@extend_schema(tags=["OpenAI-compatible"])
class WebhookView(PiView):
    required_scope = Scope.GENERATIONS_WRITE
    not_found_code = "webhook_not_found"

    @extend_schema(operation_id="pi_webhook_update", summary="Pause or resume a webhook",
                   request=s.PiWebhookPatchSerializer,
                   responses={200: s.PiEnvelopeSerializer, **errors(E, 400, 404, 415)})
    def patch(self, request, webhook_id: str):
        parsed = s.PiWebhookPatchSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_get(workspace=self.workspace,
                                                 endpoint_id=webhook_id)
        endpoint = services.webhook_endpoint_set_active(
            endpoint=endpoint, is_active=parsed.validated_data["is_active"])
        return Response(self.envelope(object="webhook", status="completed",
                                      data=shapes.webhook_record(endpoint)))


@extend_schema(exclude=True)
class UnknownPathView(APIView):
    """Any other /api/v1/ path (this surface is mounted last): a 404 in Pi's envelope."""

    authentication_classes: list = []
    permission_classes: list = []

    def get_exception_handler(self):
        return exception_handler

    def dispatch(self, request, *args, **kwargs):
        request.request_id = pi_request_id(request)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        raise NotFound("No such endpoint. See /api/docs/.", code="not_found")

    def get(self, request, *args, **kwargs):
        return Response(status=404)  # never reached: initial() answers first

    post = put = patch = delete = get
