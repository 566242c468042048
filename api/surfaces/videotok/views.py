"""videotok endpoints at /api/v1/: each parses, calls one service (or selector) and
serialises."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from api import idempotency
from api.models import ApiKey, Scope
from api.schema import IDEMPOTENCY_KEY, errors
from api.surface import SurfaceView
from api.surfaces.videotok import serializers as s
from api.surfaces.videotok import shapes
from api.surfaces.videotok.errors import exception_handler
from api.surfaces.videotok.selectors import generation_get, slideshow_get
from api.surfaces.videotok.services import create_generations, create_slideshow
from brands.selectors import brand_list_for_workspace
from generations.models import Surface
from generations.ugc import builtin_avatars, workspace_avatars
from studio.exceptions import Forbidden

E = s.VideotokErrorSerializer
READ_OR_WRITE = (Scope.GENERATIONS_READ, Scope.GENERATIONS_WRITE)
STATIC_EXAMPLE = {"type": "static_ad", "template_slug": "product-shoot",
                  "prompt": "Premium ad for a collagen drink.", "aspect_ratio": "1:1",
                  "resolution": "1K", "brand_kit_id": 42, "request_count": 1,
                  "idempotency_key": "static-001"}
UGC_EXAMPLE = {"type": "ugc_ad", "template_slug": "ugc-product-video",
               "prompt": "Natural creator testimonial for a skincare serum.",
               "aspect_ratio": "9:16", "duration": 8, "quality_tier": "high",
               "avatar_id": "avatar_maya",
               "reference_image_urls": ["https://example.com/product.png"],
               "idempotency_key": "ugc-001"}
TRANSITION_EXAMPLE = {"type": "ai_model", "model_slug": "veo",
                      "variant_id": "first-frame-last-frame",
                      "prompt": "A cinematic product reveal from packed box to final table "
                                "setup.", "aspect_ratio": "9:16", "duration": 8,
                      "reference_image_urls": ["https://example.com/first-frame.png",
                                               "https://example.com/last-frame.png"],
                      "idempotency_key": "model-video-001"}


class HasAnyScope(BasePermission):
    """The key needs one of the view's ``any_scopes`` (403 ``forbidden`` naming them)."""

    def has_permission(self, request, view) -> bool:
        wanted = view.scopes_for(request.method)
        if not set(wanted) & set(cast(ApiKey, request.auth).scopes):
            raise Forbidden(f"This API key needs the {' or '.join(wanted)} scope.",
                            code="insufficient_scope", details={"required_scopes": wanted})
        return True


class VideotokView(SurfaceView):
    surface = Surface.VIDEOTOK
    exception_handler = staticmethod(exception_handler)
    permission_classes = [HasAnyScope]

    def scopes_for(self, method: str | None) -> list[str]:
        if method == "POST":
            return [Scope.GENERATIONS_WRITE]
        return list(READ_OR_WRITE)

    def respond_once(self, work) -> Response:
        """Once per idempotency key: the ``Idempotency-Key`` header, else the body's
        ``idempotency_key``. The key itself is left out of the fingerprint, so moving it
        between header and body is the same request; a duplicate of a request still running
        is a 409."""
        request = self.request
        data = self.json_object()
        key = request.headers.get("Idempotency-Key") or data.get("idempotency_key")
        if key is not None and not isinstance(key, str):
            key = str(key)
        assert request.method is not None
        outcome = idempotency.run_once(
            workspace=self.workspace, surface=self.surface, key=key, busy_is_conflict=True,
            fingerprint=idempotency.fingerprint(
                method=request.method, path=request.path,
                data={k: v for k, v in data.items() if k != "idempotency_key"}),
            work=work)
        return Response(outcome.body, status=outcome.status)

    @property
    def reads_all(self) -> bool:
        """A write-only key polls only what it created (videotok documents it so)."""
        return Scope.GENERATIONS_READ in cast(ApiKey, self.request.auth).scopes


@extend_schema(tags=["videotok"])
class GenerationsView(VideotokView):
    @extend_schema(
        operation_id="videotok_generations_create", summary="Queue one or more generations",
        description="`static_ad`, `video_ad`, `ugc_ad` (a presenter video: `avatar_id` from "
                    "GET /assets, `duration` per `quality_tier`, optional `audio_url` voice "
                    "track) or `ai_model`. `request_count` 1-10 "
                    "queues that many generations, each debited on its own; the answer "
                    "lists every id. Idempotency-Key header, or body `idempotency_key`.",
        parameters=[IDEMPOTENCY_KEY], request=s.VideotokGenerationRequestSerializer,
        responses={202: s.VideotokGenerationAcceptedSerializer,
                   **errors(E, 400, 402, 404, 409, 413, 415, 425, 502)},
        examples=[OpenApiExample("Static ad", value=STATIC_EXAMPLE, request_only=True),
                  OpenApiExample("UGC ad", value=UGC_EXAMPLE, request_only=True),
                  OpenApiExample("First frame / last frame", value=TRANSITION_EXAMPLE,
                                 request_only=True)],
    )
    def post(self, request):
        parsed = s.VideotokGenerationRequestSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data

        def work():
            batch = create_generations(workspace=self.workspace, data=data,
                                       api_key_id=request.auth.pk,
                                       request_id=request._request.request_id)
            return 202, shapes.accepted(batch, kind=data["type"])

        return self.respond_once(work)


@extend_schema(tags=["videotok"])
class GenerationView(VideotokView):
    @extend_schema(operation_id="videotok_generation_get", summary="Generation status",
                   responses={200: s.VideotokGenerationSerializer, **errors(E, 404)})
    def get(self, request, generation_id: str):
        job = generation_get(workspace=self.workspace, generation_id=generation_id,
                             api_key_id=None if self.reads_all else request.auth.pk)
        return Response(shapes.generation(job))


@extend_schema(tags=["videotok"])
class ModelsView(VideotokView):
    @extend_schema(operation_id="videotok_models_list",
                   summary="Templates, AI models, presets and prices",
                   responses={200: s.VideotokModelsSerializer, **errors(E)})
    def get(self, request):
        return Response(shapes.models(workspace=self.workspace))


@extend_schema(tags=["videotok"])
class AssetsView(VideotokView):
    @extend_schema(operation_id="videotok_assets_list",
                   summary="Brand kits, avatars and saved reference inspirations",
                   responses={200: s.VideotokAssetsSerializer, **errors(E)})
    def get(self, request):
        return Response(shapes.assets(
            brand_list_for_workspace(workspace=self.workspace),
            [*builtin_avatars(), *workspace_avatars(workspace=self.workspace)]))


@extend_schema(tags=["videotok"])
class SlideshowsView(VideotokView):
    @extend_schema(
        operation_id="videotok_slideshows_create", summary="Queue a slideshow video",
        description="`slide_count` (3, 4, 5, 6, 8, 9 or 10) of the engine's statics joined by "
                    "transitions into one MP4; credits = slide_count × the per-slide price.",
        parameters=[IDEMPOTENCY_KEY], request=s.VideotokSlideshowRequestSerializer,
        responses={202: s.VideotokSlideshowAcceptedSerializer,
                   **errors(E, 400, 402, 404, 409, 413, 415, 425, 502)},
    )
    def post(self, request):
        parsed = s.VideotokSlideshowRequestSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)

        def work():
            submission = create_slideshow(workspace=self.workspace,
                                          data=parsed.validated_data,
                                          api_key_id=request.auth.pk,
                                          request_id=request._request.request_id)
            return 202, shapes.slideshow_accepted(submission)

        return self.respond_once(work)


@extend_schema(tags=["videotok"])
class SlideshowView(VideotokView):
    @extend_schema(operation_id="videotok_slideshow_get", summary="Slideshow status",
                   responses={200: s.VideotokSlideshowSerializer, **errors(E, 404)})
    def get(self, request, slideshow_id: str):
        job = slideshow_get(workspace=self.workspace, slideshow_id=slideshow_id,
                            api_key_id=None if self.reads_all else request.auth.pk)
        return Response(shapes.slideshow(job))
