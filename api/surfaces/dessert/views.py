"""Dessert endpoints: each parses, calls one service (or selector) and serialises."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import check_key
from api.models import Scope
from api.schema import IDEMPOTENCY_KEY, errors
from api.surface import SurfaceView
from api.surfaces.dessert import serializers as s
from api.surfaces.dessert import shapes
from api.surfaces.dessert.errors import exception_handler
from billing.selectors import balance_summary, ledger_entries
from billing.services import account_for_workspace
from brands.selectors import brand_get_for_workspace, brand_list_for_workspace
from brands.services import brand_import_json, brand_onboard_website
from generations import catalogue
from generations.models import Surface
from generations.search import search_catalogue
from generations.selectors import job_get_for_workspace
from generations.services import submit_job
from studio.exceptions import InvalidInput, NotFound

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import WithAnnotations

    from brands.models import Brand

    class _ProductCount(TypedDict):
        product_count: int  # annotated by brand_list_for_workspace

E = s.ErrorSerializer
GENERATE_EXAMPLE = {
    "count": 3, "format": "full",
    "creative": {"copy_angle": "sensory", "brand_tone": "clinical authority",
                 "animation_prompts": ["Serum Droplets", "Lotion Texture"]},
    "webhook_url": "https://yourapp.com/dessert-callback",
}
ACCEPTED_EXAMPLE = {
    "delivery_id": "recXXXXXXXXXXXXXX", "status": "queued",
    "request_id": "req_a1b2c3d4e5f6789012345abc", "ad_count_expected": 3, "format": "full",
    "credits_charged": 45, "credits_balance_after": 205,
    "status_url": "https://studio.example.com/v1/deliveries/recXXXXXXXXXXXXXX",
    "eta_seconds": 480,
}


def error_example(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message,
                      "doc_url": "https://studio.example.com/api/docs/",
                      "request_id": "req_a1b2c3d4e5f6789012345abc"}}


class DessertView(SurfaceView):
    surface = Surface.DESSERT
    exception_handler = staticmethod(exception_handler)
    field_error_codes = s.FIELD_ERROR_CODES

    def respond_once(self, work) -> Response:
        """``work``'s answer, or the stored one for a repeated Idempotency-Key (marked so)."""
        outcome = self.run_once(work)
        body = dict(outcome.body)
        if outcome.replayed:
            body["replayed_from_idempotency_key"] = True
        return Response(body, status=outcome.status)


@extend_schema(tags=["Dessert"])
class GenerateView(DessertView):
    required_scope = Scope.GENERATIONS_WRITE

    @extend_schema(
        operation_id="dessert_ads_generate", summary="Generate ads",
        description="Submit a creative brief; returns a delivery id at once. Each concept is "
                    "rendered vertical (1080×1920) and square (1080×1350). 15 credits per ad "
                    "for `full`, 5 for `static`.",
        parameters=[IDEMPOTENCY_KEY], request=s.GenerateRequestSerializer,
        responses={202: s.GenerateResponseSerializer,
                   **errors(E, 400, 402, 404, 409, 413, 415, 425, 502)},
        examples=[OpenApiExample("Sensory full ads", value=GENERATE_EXAMPLE, request_only=True),
                  OpenApiExample("Minimal", value={}, request_only=True),
                  OpenApiExample("Accepted", value=ACCEPTED_EXAMPLE, response_only=True,
                                 status_codes=["202"]),
                  OpenApiExample("Out of credits", response_only=True, status_codes=["402"],
                                 value=error_example("insufficient_credits",
                                                     "Balance 12 credits, need 45. Top up at "
                                                     "https://studio.example.com/billing/")),
                  OpenApiExample("Brand onboarding", response_only=True,
                                 status_codes=["425"],
                                 value=error_example("brand_onboarding_in_progress",
                                                     "Brand 'Lumen Skin' is still onboarding."))],
    )
    def post(self, request):
        parsed = s.GenerateRequestSerializer(data=self.json_object())
        parsed.is_valid(raise_exception=True)
        brief = parsed.to_brief()
        key = check_key(request.headers.get("Idempotency-Key"))

        def work():
            submission = submit_job(
                workspace=self.workspace, brief=brief, surface=self.surface,
                api_key_id=request.auth.pk, idempotency_key=key,
                webhook_url=parsed.validated_data.get("webhook_url", ""),
                request_id=request._request.request_id)
            return 202, shapes.accepted(request=request, job=submission.job,
                                        balance_after=submission.credits_balance_after)

        return self.respond_once(work)


@extend_schema(tags=["Dessert"])
class DeliveryView(DessertView):
    required_scope = Scope.GENERATIONS_READ
    not_found_code = "delivery_not_found"

    @extend_schema(operation_id="dessert_delivery_get", summary="Delivery status",
                   responses={200: s.DeliverySerializer, **errors(E, 404)})
    def get(self, request, delivery_id: str):
        job = job_get_for_workspace(workspace=self.workspace, public_id=delivery_id)
        return Response(shapes.delivery(job))


@extend_schema(tags=["Dessert"])
class BrandsView(DessertView):
    not_found_code = "brand_not_found"

    @property
    def required_scope(self):
        return Scope.BRANDS_WRITE if self.request.method == "POST" else Scope.BRANDS_READ

    @extend_schema(operation_id="dessert_brands_list", summary="List brands",
                   responses={200: s.BrandListSerializer, **errors(E)})
    def get(self, request):
        brands = cast("QuerySet[WithAnnotations[Brand, _ProductCount]]",
                      brand_list_for_workspace(workspace=self.workspace))
        return Response({"brands": [shapes.brand_summary(b, product_count=b.product_count)
                                    for b in brands]})

    @extend_schema(
        operation_id="dessert_brands_create", summary="Onboard or import a brand",
        description="`{\"website_url\": …}` starts the website scrape (202; generate answers "
                    "425 until it is ready). An inline Brand JSON (`name`, `colors`, `fonts`, "
                    "`products` …) creates a ready brand at once (201).",
        parameters=[IDEMPOTENCY_KEY], request=s.BrandCreateRequestSerializer,
        responses={201: s.BrandCreateResponseSerializer, 202: s.BrandCreateResponseSerializer,
                   **errors(E, 400, 409, 413, 415)},
        examples=[OpenApiExample("Onboard from a website",
                                 value={"website_url": "https://lumenskin.com"},
                                 request_only=True),
                  OpenApiExample("Inline Brand DNA", request_only=True, value={
                      "name": "Noir Roast", "tagline": "Small batch. Slow roast.",
                      "colors": {"primary": "#C8A165", "background": "#16110E"},
                      "fonts": {"heading": "Playfair Display", "body": "DM Sans"},
                      "products": [{"name": "Ethiopia Guji", "price": "19.50"}]})],
    )
    def post(self, request):
        data = self.json_object()
        if "website_url" not in data and "name" not in data:
            raise InvalidInput("Send {\"website_url\": …} to onboard from a website, or an "
                               "inline Brand JSON with a name.", code="invalid_request",
                               field="website_url")

        def work():
            if "website_url" in data:
                if not isinstance(data["website_url"], str):
                    raise InvalidInput("website_url must be a string.",
                                       code="invalid_website_url", field="website_url")
                brand, scrape = brand_onboard_website(workspace=self.workspace,
                                                      website_url=data["website_url"])
                return 202, {"brand": shapes.brand_detail(brand), "scrape_id": str(scrape.pk)}
            brand = brand_import_json(workspace=self.workspace, data=data)
            return 201, {"brand": shapes.brand_detail(brand)}

        return self.respond_once(work)


@extend_schema(tags=["Dessert"])
class BrandView(DessertView):
    required_scope = Scope.BRANDS_READ
    not_found_code = "brand_not_found"

    @extend_schema(operation_id="dessert_brand_get", summary="One brand with its DNA",
                   responses={200: s.BrandDetailSerializer, **errors(E, 404)})
    def get(self, request, brand_id: str):
        brand = brand_get_for_workspace(workspace=self.workspace, brand_id=brand_id)
        return Response(shapes.brand_detail(brand))


@extend_schema(tags=["Dessert"])
class StylesView(DessertView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="dessert_styles_list",
                   summary="The 36 animation prompts and the style presets",
                   responses={200: s.StylesSerializer, **errors(E)})
    def get(self, request):
        return Response({
            "animation_prompts": [{key: prompt[key] for key in
                                   ("name", "slug", "category", "description")}
                                  for prompt in catalogue.animation_prompts()],
            "styles": [{"style_id": style["id"], "style_name": style["displayName"],
                        "animation_prompt": style.get("animation_prompt"),
                        "category": style["category"], "description": style["description"]}
                       for style in catalogue.styles()],
        })


@extend_schema(tags=["Dessert"])
class StyleSearchView(DessertView):
    required_scope = Scope.GENERATIONS_READ

    @extend_schema(operation_id="dessert_styles_search", summary="Semantic style search",
                   parameters=[s.StyleSearchQuerySerializer],
                   responses={200: s.StyleSearchSerializer, **errors(E, 400)})
    def get(self, request):
        query = s.StyleSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q, top_n = query.validated_data["q"], query.validated_data["top_n"]
        matches = search_catalogue(q, kinds=("style",), top_n=top_n)
        return Response({"query": q, "results": [
            {"style_id": m.id, "style_name": m.name, "animation_prompt": m.animation_prompt,
             "similarity": m.score} for m in matches]})


@extend_schema(tags=["Dessert"])
class BalanceView(DessertView):
    required_scope = Scope.CREDITS_READ
    FIELDS = ("credits_balance", "credits_balance_usd_equivalent", "credits_lifetime_purchased",
              "credits_lifetime_used", "auto_recharge_enabled", "auto_recharge_threshold",
              "auto_recharge_amount_usd", "pricing")

    @extend_schema(operation_id="dessert_balance_get", summary="Credit balance",
                   responses={200: s.BalanceSerializer, **errors(E)})
    def get(self, request):
        summary = balance_summary(self.workspace)
        return Response({key: summary[key] for key in self.FIELDS})


@extend_schema(tags=["Dessert"])
class UsageView(DessertView):
    required_scope = Scope.CREDITS_READ

    @extend_schema(operation_id="dessert_usage_list",
                   summary="Credit transactions, newest first (50 a page)",
                   parameters=[s.UsageQuerySerializer],
                   responses={200: s.UsageSerializer, **errors(E, 400)})
    def get(self, request):
        query = s.UsageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        entries = ledger_entries(account=account_for_workspace(self.workspace))
        cursor = query.validated_data.get("starting_after")
        if cursor:
            entries = entries.filter(pk__lt=s.parse_id(
                cursor.removeprefix("txn_"), error=InvalidInput(
                    "starting_after must be a transaction_id from a previous page.",
                    code="invalid_cursor", field="starting_after")))
        page = list(entries[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        return Response({"transactions": [shapes.transaction(e) for e in page],
                         "has_more": more,
                         "next_cursor": f"txn_{page[-1].pk}" if more else None})


@extend_schema(exclude=True)
class UnknownPathView(APIView):
    """Any other /v1/ path: a 404 in Dessert's envelope, not an HTML page."""

    authentication_classes: list = []
    permission_classes: list = []

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        raise NotFound("No such endpoint. See /api/docs/.", code="not_found")

    def get(self, request, *args, **kwargs):
        return Response(status=404)  # never reached: initial() answers first

    post = put = patch = delete = get


