"""The MCP tools: each parses its arguments, calls the service or selector the Dessert view for
the same operation calls, and returns the Dessert JSON shape.

A tool raises whatever those services raise; ``api.mcp.views`` turns it into a tool error with
the API's code and message (``as_app_error`` with Dessert's field codes), so an agent sees
``invalid_count``, ``brand_onboarding_in_progress`` or ``insufficient_credits`` exactly as a
REST caller would.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.request import Request

from api import idempotency
from api.mcp.schema import JsonSchema, object_schema, serializer_schema
from api.models import ApiKey, Scope
from api.surfaces.dessert import serializers as s
from api.surfaces.dessert import shapes
from billing import pricing
from billing.selectors import balance_summary, ledger_entries
from billing.services import account_for_workspace
from brands.selectors import brand_get_for_workspace, brand_list_for_workspace
from brands.services import brand_import_json, brand_onboard_website
from generations import catalogue
from generations.briefs import DEFAULT_SIZES
from generations.models import AssetKind, Job, Surface
from generations.providers import registry as providers
from generations.search import search_catalogue
from generations.selectors import job_get_for_workspace
from generations.services import cancel_job, submit_job
from generations.storage import STORAGE_ERRORS
from generations.thumbnails import thumbnail_get_or_create
from studio.exceptions import InvalidInput

logger = logging.getLogger(__name__)

# Thumbnails an agent is shown inline (a few hundred pixels of each static); the full-size
# files stay behind their signed URLs.
IMAGE_WIDTH = 480
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 200_000


@dataclass(frozen=True)
class Call:
    """One tools/call: the HTTP request it came in (for absolute URLs and the request id) and
    the key it was authenticated with."""

    request: Request
    api_key: ApiKey

    @property
    def workspace(self):
        return self.api_key.workspace

    @property
    def request_id(self) -> str:
        return self.request._request.request_id  # type: ignore[attr-defined]  # middleware


@dataclass
class Output:
    """A tool's answer: the JSON object (structured content) and any image blocks."""

    data: dict[str, Any]
    images: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    description: str
    required_scope: str  # the name api.auth.HasScope reads
    input_schema: JsonSchema
    run: Callable[[Call, dict[str, Any]], Output]
    read_only: bool = True
    not_found_code: str = "not_found"

    def listing(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "inputSchema": self.input_schema,
                "annotations": {"title": self.title, "readOnlyHint": self.read_only,
                                "destructiveHint": self.name == "cancel_job",
                                "idempotentHint": self.read_only,
                                "openWorldHint": self.name == "create_brand"}}


def _string(arguments: dict[str, Any], name: str, *, code: str) -> str:
    value = arguments.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required and must be a string.", code=code, field=name)
    return value.strip()


def _validated(serializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Deliveries --------------------------------------------------------------------------------
IDEMPOTENCY_KEY_SCHEMA: JsonSchema = {
    "type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH,
    "pattern": idempotency.KEY_PATTERN,
    "description": "Repeat a call with the same key and arguments to get the first answer back "
                   "(for 24 hours) instead of a second job and charge.",
}


def generate_ads(call: Call, arguments: dict[str, Any]) -> Output:
    body = {name: value for name, value in arguments.items() if name != "idempotency_key"}
    key = arguments.get("idempotency_key")
    if key is not None and not isinstance(key, str):
        raise InvalidInput("idempotency_key must be a string.", code="invalid_idempotency_key",
                           field="idempotency_key")
    key = idempotency.check_key(key)
    parsed = s.GenerateRequestSerializer(data=body)
    parsed.is_valid(raise_exception=True)
    brief = parsed.to_brief()

    def work() -> tuple[int, dict]:
        submission = submit_job(
            workspace=call.workspace, brief=brief, surface=Surface.DESSERT,
            api_key_id=call.api_key.pk, idempotency_key=key,
            webhook_url=parsed.validated_data.get("webhook_url", ""),
            request_id=call.request_id)
        return 202, shapes.accepted(request=call.request, job=submission.job,
                                    balance_after=submission.credits_balance_after)

    # The same operation as POST /v1/ads/generate, so the same key namespace and fingerprint: a
    # retry through either door replays the first answer.
    outcome = idempotency.run_once(
        workspace=call.workspace, surface=Surface.DESSERT, key=key,
        fingerprint=idempotency.fingerprint(method="POST", path=reverse("dessert:generate"),
                                            data=body),
        work=work)
    data = dict(outcome.body)
    if outcome.replayed:
        data["replayed_from_idempotency_key"] = True
    return Output(data)


def _still_images(job: Job) -> list[dict[str, str]]:
    """Small WebP thumbnails of the first statics, in the order of the delivery's ads."""
    stills = [asset for concept in job.concepts.all()
              for aspect in job.request.get("sizes", DEFAULT_SIZES)
              for asset in concept.assets.all()
              if asset.kind == AssetKind.STATIC and asset.mime_type == "image/png"
              and asset.aspect == aspect]
    images: list[dict[str, str]] = []
    for asset in stills[:MAX_IMAGES]:
        try:
            name = thumbnail_get_or_create(asset=asset, width=IMAGE_WIDTH)
            if not name.endswith(".webp"):
                continue  # no thumbnail could be made: the URL still serves the file
            with default_storage.open(name, "rb") as fh:
                content = fh.read(MAX_IMAGE_BYTES + 1)
        except STORAGE_ERRORS:
            logger.warning("No inline image for asset %s: storage failed", asset.public_id)
            continue
        if len(content) <= MAX_IMAGE_BYTES:
            images.append({"type": "image", "mimeType": "image/webp",
                           "data": base64.b64encode(content).decode()})
    return images


def get_delivery(call: Call, arguments: dict[str, Any]) -> Output:
    include_images = arguments.get("include_images", True)
    if not isinstance(include_images, bool):
        raise InvalidInput("include_images must be true or false.", code="invalid_request",
                           field="include_images")
    job = job_get_for_workspace(
        workspace=call.workspace,
        public_id=_string(arguments, "delivery_id", code="invalid_delivery_id"))
    return Output(shapes.delivery(job), images=_still_images(job) if include_images else [])


def cancel_delivery(call: Call, arguments: dict[str, Any]) -> Output:
    job = job_get_for_workspace(
        workspace=call.workspace,
        public_id=_string(arguments, "delivery_id", code="invalid_delivery_id"))
    return Output(shapes.delivery(cancel_job(job=job)))


# Brands ------------------------------------------------------------------------------------
def list_brands(call: Call, arguments: dict[str, Any]) -> Output:
    brands = brand_list_for_workspace(workspace=call.workspace)
    return Output({"brands": [
        shapes.brand_summary(brand, product_count=brand.product_count)  # type: ignore[attr-defined]
        for brand in brands]})


def get_brand(call: Call, arguments: dict[str, Any]) -> Output:
    brand = brand_get_for_workspace(
        workspace=call.workspace,
        brand_id=_string(arguments, "brand_id", code="invalid_request"))
    return Output(shapes.brand_detail(brand))


def create_brand(call: Call, arguments: dict[str, Any]) -> Output:
    if "website_url" in arguments:
        if not isinstance(arguments["website_url"], str):
            raise InvalidInput("website_url must be a string.", code="invalid_website_url",
                               field="website_url")
        brand, scrape = brand_onboard_website(workspace=call.workspace,
                                              website_url=arguments["website_url"])
        return Output({"brand": shapes.brand_detail(brand), "scrape_id": str(scrape.pk)})
    if "name" not in arguments:
        raise InvalidInput("Send website_url to onboard from a website, or an inline Brand DNA "
                           "with a name.", code="invalid_request", field="website_url")
    return Output({"brand": shapes.brand_detail(brand_import_json(workspace=call.workspace,
                                                                  data=arguments))})


# Catalogue ---------------------------------------------------------------------------------
def _style(style: dict[str, Any]) -> dict[str, Any]:
    return {"style_id": style["id"], "style_name": style["displayName"],
            "animation_prompt": style.get("animation_prompt"), "category": style["category"],
            "description": style["description"]}


def _animation_prompt(prompt: dict[str, Any]) -> dict[str, Any]:
    return {key: prompt[key] for key in ("name", "slug", "category", "description")}


def list_styles(call: Call, arguments: dict[str, Any]) -> Output:
    return Output({"animation_prompts": [_animation_prompt(p)
                                         for p in catalogue.animation_prompts()],
                   "styles": [_style(style) for style in catalogue.styles()]})


def search_styles(call: Call, arguments: dict[str, Any]) -> Output:
    query = _validated(s.StyleSearchQuerySerializer(data=arguments))
    matches = search_catalogue(query["q"], kinds=("style",), top_n=query["top_n"])
    return Output({"query": query["q"], "results": [
        {"style_id": m.id, "style_name": m.name, "animation_prompt": m.animation_prompt,
         "similarity": m.score} for m in matches]})


def list_generation_catalog(call: Call, arguments: dict[str, Any]) -> Output:
    return Output({
        "templates": [{key: template[key] for key in
                       ("id", "slug", "name", "category", "description", "slots")}
                      for template in catalogue.templates()],
        "styles": [_style(style) for style in catalogue.styles()],
        "animation_prompts": [_animation_prompt(p) for p in catalogue.animation_prompts()],
        "copy_angles": list(catalogue.COPY_ANGLES),
        # What can be asked for now: the local models and what configured providers serve.
        "models": [model for model in providers.available_models(workspace=call.workspace)
                   if model["available"]],
        "sizes": [{"aspect_ratio": aspect, "width": width, "height": height,
                   "rendered_by_generate_ads": aspect in DEFAULT_SIZES}
                  for aspect, (width, height) in catalogue.ASPECT_SIZES.items()],
        "pricing": pricing.public_pricing(),
        "prices": [{**row, "usd": str(row["usd"])} for row in pricing.price_table()],
    })


# Credits -----------------------------------------------------------------------------------
BALANCE_FIELDS = ("credits_balance", "credits_balance_usd_equivalent",
                  "credits_lifetime_purchased", "credits_lifetime_used", "auto_recharge_enabled",
                  "auto_recharge_threshold", "auto_recharge_amount_usd", "pricing")


def get_balance(call: Call, arguments: dict[str, Any]) -> Output:
    summary = balance_summary(call.workspace)
    return Output({key: summary[key] for key in BALANCE_FIELDS})


def get_usage(call: Call, arguments: dict[str, Any]) -> Output:
    query = _validated(s.UsageQuerySerializer(data=arguments))
    limit = query["limit"]
    entries = ledger_entries(account=account_for_workspace(call.workspace))
    cursor = query.get("starting_after")
    if cursor:
        entries = entries.filter(pk__lt=s.parse_id(
            cursor.removeprefix("txn_"), error=InvalidInput(
                "starting_after must be a transaction_id from a previous page.",
                code="invalid_cursor", field="starting_after")))
    page = list(entries[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return Output({"transactions": [shapes.transaction(entry) for entry in page],
                   "has_more": more, "next_cursor": f"txn_{page[-1].pk}" if more else None})


# The catalogue of tools --------------------------------------------------------------------
DELIVERY_ID: JsonSchema = {"type": "string", "minLength": 1, "maxLength": 40,
                           "description": "The delivery_id generate_ads answered with."}

TOOLS: dict[str, Tool] = {tool.name: tool for tool in (
    Tool(
        name="generate_ads", title="Generate ads", required_scope=Scope.GENERATIONS_WRITE,
        read_only=False, not_found_code="brand_not_found",
        description=(
            "Start a batch of ads for a brand (Dessert's POST /v1/ads/generate body). Answers "
            "at once with a delivery_id and the credits charged (5 per static ad, 15 per full "
            "ad with video); poll get_delivery until status is completed or failed. Omit "
            "brand_id to use the default brand. Ids from search_styles go in "
            "creative.featured_styles, names from list_styles in creative.animation_prompts."),
        input_schema=serializer_schema(s.GenerateRequestSerializer(),
                                       extra={"idempotency_key": IDEMPOTENCY_KEY_SCHEMA}),
        run=generate_ads),
    Tool(
        name="get_delivery", title="Get a delivery", required_scope=Scope.GENERATIONS_READ,
        not_found_code="delivery_not_found",
        description=(
            "Status, progress (0-100) and, once completed, the ads of a delivery: per concept "
            "and orientation the headline, body, CTA and signed URLs of the static PNG and the "
            "MP4 video. Small previews of the first statics come back as images."),
        input_schema=object_schema({
            "delivery_id": DELIVERY_ID,
            "include_images": {"type": "boolean", "default": True,
                               "description": "Attach small previews of the statics."}},
            required=("delivery_id",)),
        run=get_delivery),
    Tool(
        name="cancel_job", title="Cancel a delivery", required_scope=Scope.GENERATIONS_WRITE,
        read_only=False, not_found_code="delivery_not_found",
        description=(
            "Stop a delivery that has not finished. Ads already rendered are kept; the credits "
            "of every ad not yet rendered are refunded (all of them for a queued delivery)."),
        input_schema=object_schema({"delivery_id": DELIVERY_ID}, required=("delivery_id",)),
        run=cancel_delivery),
    Tool(
        name="list_brands", title="List brands", required_scope=Scope.BRANDS_READ,
        description="The workspace's brands with their onboarding status and product count.",
        input_schema=object_schema({}), run=list_brands),
    Tool(
        name="get_brand", title="Get a brand", required_scope=Scope.BRANDS_READ,
        not_found_code="brand_not_found",
        description="One brand with its Brand DNA (colours, fonts, tone, value props) and "
                    "products.",
        input_schema=object_schema({"brand_id": {"type": "string", "minLength": 1,
                                                 "maxLength": 40}}, required=("brand_id",)),
        run=get_brand),
    Tool(
        name="create_brand", title="Create a brand", required_scope=Scope.BRANDS_WRITE,
        read_only=False, not_found_code="brand_not_found",
        description=(
            "Either onboard a brand from its website ({\"website_url\": ...}: answers at once "
            "while the site is scanned; generate_ads refuses with "
            "brand_onboarding_in_progress until get_brand shows status Active) or create a "
            "ready brand from inline Brand DNA (name, tagline, tone, colors by role, fonts, "
            "value_props, products)."),
        input_schema=serializer_schema(s.BrandCreateRequestSerializer()), run=create_brand),
    Tool(
        name="list_styles", title="List styles", required_scope=Scope.GENERATIONS_READ,
        description="The 36 animation prompts (motion styles) and the style presets.",
        input_schema=object_schema({}), run=list_styles),
    Tool(
        name="search_styles", title="Search styles", required_scope=Scope.GENERATIONS_READ,
        description="Style presets closest in meaning to a description (\"warm cosy "
                    "morning\"), best first; their style_id values go in "
                    "generate_ads creative.featured_styles.",
        input_schema=serializer_schema(s.StyleSearchQuerySerializer()), run=search_styles),
    Tool(
        name="list_generation_catalog", title="List the generation catalogue",
        required_scope=Scope.GENERATIONS_READ,
        description="Everything a brief can name: templates, styles, animation prompts, copy "
                    "angles, models, sizes and prices in credits.",
        input_schema=object_schema({}), run=list_generation_catalog),
    Tool(
        name="get_balance", title="Get the credit balance", required_scope=Scope.CREDITS_READ,
        description="Credits left, lifetime figures, auto-recharge settings and the price of "
                    "an ad.",
        input_schema=object_schema({}), run=get_balance),
    Tool(
        name="get_usage", title="Get credit usage", required_scope=Scope.CREDITS_READ,
        description="Credit transactions, newest first; pass next_cursor as starting_after "
                    "for the next page.",
        input_schema=serializer_schema(s.UsageQuerySerializer()), run=get_usage),
)}
