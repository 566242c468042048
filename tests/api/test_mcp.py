"""/mcp on the wire: the JSON-RPC transport, and every tool's answers and refusals (tool errors
with the API's codes, leaving balance, jobs and ledger as they were)."""

from __future__ import annotations

import json

import pytest

from api.keys import api_key_create
from api.models import Scope
from brands.models import Brand
from generations.models import Job, JobStatus, Surface
from tests.api.conftest import ApiClient, state
from tests.api.test_dessert_reads import _completed_job

VERSION = "2025-11-25"
TOOL_NAMES = ["generate_ads", "get_delivery", "cancel_job", "list_brands", "get_brand",
              "create_brand", "list_styles", "search_styles", "list_generation_catalog",
              "get_balance", "get_usage"]


def rpc(api: ApiClient, method: str, params: dict | None = None, *, message_id=1,
        headers: dict | None = None):
    message = {"jsonrpc": "2.0", "id": message_id, "method": method}
    if params is not None:
        message["params"] = params
    return api.post("/mcp", message, headers={"MCP-Protocol-Version": VERSION,
                                               **(headers or {})})


def call(api: ApiClient, name: str, arguments: dict | None = None) -> dict:
    response = rpc(api, "tools/call", {"name": name, "arguments": arguments or {}})
    assert response.status_code == 200, response.content
    return response.json()["result"]


def error_code(result: dict) -> str:
    assert result["isError"] is True, result
    return result["structuredContent"]["error"]["code"]


# Transport ---------------------------------------------------------------------------------
def test_initialize_agrees_the_clients_version_and_issues_a_session(api):
    response = rpc(api, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                       "clientInfo": {"name": "t", "version": "1"}})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == 1
    assert body["result"]["protocolVersion"] == "2025-06-18"
    assert body["result"]["capabilities"] == {"tools": {"listChanged": False}}
    assert body["result"]["serverInfo"]["name"] == "creative-studio"
    session = response["Mcp-Session-Id"]
    assert session

    ping = rpc(api, "ping", {}, message_id="p", headers={"Mcp-Session-Id": session})
    assert ping.json() == {"jsonrpc": "2.0", "id": "p", "result": {}}


def test_initialize_with_a_version_it_does_not_speak_answers_with_its_latest(api):
    body = rpc(api, "initialize", {"protocolVersion": "1999-01-01", "capabilities": {},
                                   "clientInfo": {"name": "t", "version": "1"}}).json()

    assert body["result"]["protocolVersion"] == "2025-11-25"


def test_another_keys_session_id_is_not_found(api, other_api):
    session = rpc(other_api, "initialize", {"protocolVersion": VERSION})["Mcp-Session-Id"]

    response = rpc(api, "tools/list", {}, headers={"Mcp-Session-Id": session})
    forged = rpc(api, "tools/list", {}, headers={"Mcp-Session-Id": "not-a-session"})

    assert response.status_code == 404
    assert response.json()["error"]["data"]["code"] == "session_not_found"
    assert forged.status_code == 404


def test_notifications_are_accepted_without_a_body(api):
    response = api.post("/mcp", {"jsonrpc": "2.0", "method": "notifications/initialized"})

    assert response.status_code == 202
    assert response.content == b""


def test_get_and_delete_answer_405(api):
    assert api.get("/mcp").status_code == 405
    response = api.client.delete("/mcp", headers={"Authorization": f"Bearer {api.key}"})
    assert response.status_code == 405
    assert response.json()["error"]["data"]["code"] == "method_not_allowed"


def test_without_a_key_it_is_401_with_a_json_rpc_error(db):
    response = rpc(ApiClient(None), "tools/list", {})

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["jsonrpc"] == "2.0"
    assert body["id"] is None
    assert body["error"]["code"] == -32600
    assert body["error"]["data"]["code"] == "missing_authorization"
    assert body["error"]["data"]["request_id"] == response["X-Request-Id"]


def test_a_revoked_or_malformed_key_is_401_naming_why(db):
    assert rpc(ApiClient("dsrt_live_" + "0" * 40), "ping").json()[
        "error"]["data"]["code"] == "invalid_api_key"
    assert rpc(ApiClient("hello"), "ping").json()["error"]["data"]["code"] == "invalid_key_format"


def test_the_per_key_rate_limit_applies(workspace):
    api = ApiClient(api_key_create(workspace=workspace, name="slow",
                                   rate_limit_per_minute=1).plaintext)

    assert rpc(api, "ping").status_code == 200
    limited = rpc(api, "ping")

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["error"]["data"]["code"] == "rate_limited"


def test_parse_errors_batches_and_unknown_methods_are_json_rpc_errors(api):
    parse = api.post("/mcp", raw=b'{"jsonrpc": "2.0", "id": 1, "method": ')
    batch = api.post("/mcp", [{"jsonrpc": "2.0", "id": 1, "method": "ping"}])
    not_rpc = api.post("/mcp", {"id": 1, "method": "ping"})
    no_method = api.post("/mcp", {"jsonrpc": "2.0", "id": 1})
    unknown = rpc(api, "resources/list", {})
    unknown_tool = rpc(api, "tools/call", {"name": "make_coffee", "arguments": {}})
    bad_params = rpc(api, "tools/call", ["generate_ads"])

    assert parse.status_code == 400
    assert parse.json()["error"]["code"] == -32700
    assert batch.status_code == 400
    assert batch.json()["error"]["code"] == -32600
    assert not_rpc.json()["error"]["code"] == -32600
    assert no_method.status_code == 400
    assert no_method.json()["error"]["code"] == -32600
    assert unknown.status_code == 200
    assert unknown.json()["error"]["code"] == -32601
    assert unknown_tool.json()["error"]["code"] == -32602
    assert "make_coffee" in unknown_tool.json()["error"]["message"]
    assert bad_params.json()["error"]["code"] == -32602


def test_bodies_the_machinery_refuses_are_json_rpc_errors_at_its_status(api, settings):
    settings.API_MAX_BODY_BYTES = 100
    too_large = rpc(api, "tools/call", {"name": "list_styles", "arguments": {"pad": "x" * 200}})
    not_json = api.post("/mcp", raw=b"ping", content_type="text/plain")

    assert too_large.status_code == 413
    assert too_large.json()["error"]["data"]["code"] == "payload_too_large"
    assert not_json.status_code == 415
    assert not_json.json()["error"]["data"]["code"] == "unsupported_media_type"


def test_the_api_docs_page_lists_every_tool(api):
    description = api.get("/api/schema/", {"format": "json"}).json()["info"]["description"]

    assert "`/mcp`" in description
    assert all(f"`{name}`" in description for name in TOOL_NAMES)
    assert "/mcp" not in api.get("/api/schema/", {"format": "json"}).json()["paths"]


def test_an_unsupported_protocol_version_header_is_400(api):
    response = rpc(api, "tools/list", {}, headers={"MCP-Protocol-Version": "2030-01-01"})

    assert response.status_code == 400
    assert response.json()["error"]["data"]["code"] == "unsupported_protocol_version"


def test_tools_list_describes_every_tool_with_the_api_limits(api):
    tools = {tool["name"]: tool for tool in rpc(api, "tools/list").json()["result"]["tools"]}

    assert sorted(tools) == sorted(TOOL_NAMES)
    generate = tools["generate_ads"]["inputSchema"]
    assert generate["type"] == "object"
    assert generate["additionalProperties"] is False
    assert generate["properties"]["count"] == {"type": "integer", "minimum": 1, "maximum": 10,
                                               "default": 1}
    assert generate["properties"]["format"]["enum"] == ["full", "static"]
    assert generate["properties"]["creative"]["properties"]["copy_angle"]["enum"][:2] == [
        "pain + solution", "benefit outcome"]
    assert generate["properties"]["idempotency_key"]["maxLength"] == 255
    search = tools["search_styles"]["inputSchema"]
    assert search["required"] == ["q"]
    assert search["properties"]["top_n"] == {"type": "integer", "minimum": 1, "maximum": 50,
                                             "default": 20}
    assert tools["get_delivery"]["inputSchema"]["required"] == ["delivery_id"]
    assert tools["generate_ads"]["annotations"]["readOnlyHint"] is False
    assert tools["list_brands"]["annotations"]["readOnlyHint"] is True


# generate_ads --------------------------------------------------------------------------------
def test_generate_ads_answers_with_the_dessert_202_body(api, workspace, ready_brand, funded):
    result = call(api, "generate_ads", {"count": 2, "format": "static"})

    assert result["isError"] is False
    job = Job.objects.get(workspace=workspace)
    assert result["structuredContent"] == {
        "delivery_id": job.public_id, "status": "queued", "request_id": job.request_id,
        "ad_count_expected": 2, "format": "static", "credits_charged": 10,
        "credits_balance_after": 240,
        "status_url": f"http://testserver/v1/deliveries/{job.public_id}", "eta_seconds": 180}
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    assert job.surface == Surface.DESSERT
    assert job.brand == ready_brand


@pytest.mark.parametrize(("arguments", "code"), [
    ({"count": 0}, "invalid_count"),
    ({"count": "lots"}, "invalid_count"),
    ({"format": "gif"}, "invalid_format"),
    ({"creative": {"copy_angle": "shouting"}}, "invalid_copy_angle"),
    ({"brand_id": "999999"}, "brand_not_found"),
    ({"colour": "red"}, "invalid_request"),
    ({"creative": {"mood": "calm"}}, "invalid_request"),
    ({"idempotency_key": 42}, "invalid_idempotency_key"),
    ({"webhook_url": "ftp://example.com/hook"}, "invalid_webhook_url"),
])
def test_bad_generate_arguments_are_tool_errors_that_change_nothing(api, workspace, ready_brand,
                                                                    funded, arguments, code):
    before = state(workspace)

    result = call(api, "generate_ads", arguments)

    assert error_code(result) == code
    assert result["content"][0]["text"].startswith(f"{code}: ")
    assert state(workspace) == before


def test_arguments_that_are_not_an_object_are_a_tool_error(api, workspace, ready_brand, funded):
    response = rpc(api, "tools/call", {"name": "generate_ads", "arguments": [1, 2]})

    assert error_code(response.json()["result"]) == "invalid_request"
    assert Job.objects.count() == 0


def test_a_brand_still_onboarding_is_refused_with_425s_code(api, workspace, ready_brand, funded):
    ready_brand.status = Brand.Status.ONBOARDING
    ready_brand.save()
    before = state(workspace)

    assert error_code(call(api, "generate_ads", {})) == "brand_onboarding_in_progress"
    assert state(workspace) == before


def test_too_few_credits_is_insufficient_credits(api, workspace, ready_brand):
    before = state(workspace)  # the 50-credit welcome bonus

    result = call(api, "generate_ads", {"count": 4, "format": "full"})

    assert error_code(result) == "insufficient_credits"
    assert result["structuredContent"]["error"]["message"] == (
        "Balance 50 credits, need 60. Top up at http://127.0.0.1:8000/billing/")
    assert state(workspace) == before


def test_a_key_without_generations_write_is_refused(workspace, ready_brand, funded):
    reader = ApiClient(api_key_create(workspace=workspace, name="reader",
                                      scopes=[Scope.GENERATIONS_READ]).plaintext)
    before = state(workspace)

    result = call(reader, "generate_ads", {"count": 1})

    assert error_code(result) == "insufficient_scope"
    assert "generations:write" in result["content"][0]["text"]
    assert state(workspace) == before
    assert call(reader, "list_styles")["isError"] is False


def test_a_repeated_idempotency_key_replays_the_first_answer(api, workspace, ready_brand,
                                                             funded):
    arguments = {"count": 1, "format": "static", "idempotency_key": "agent-run-7"}

    first = call(api, "generate_ads", arguments)["structuredContent"]
    again = call(api, "generate_ads", arguments)["structuredContent"]
    changed = call(api, "generate_ads", {**arguments, "count": 2})

    assert again == {**first, "replayed_from_idempotency_key": True}
    assert error_code(changed) == "idempotency_key_mismatch"
    assert Job.objects.filter(workspace=workspace).count() == 1
    funded.refresh_from_db()
    assert funded.balance == 245


def test_the_key_is_shared_with_post_v1_ads_generate(api, workspace, ready_brand, funded):
    first = call(api, "generate_ads", {"count": 1, "format": "static",
                                       "idempotency_key": "one-operation"})["structuredContent"]

    rest = api.post("/v1/ads/generate", {"count": 1, "format": "static"},
                    headers={"Idempotency-Key": "one-operation"})

    assert rest.status_code == 202
    assert rest.json()["delivery_id"] == first["delivery_id"]
    assert rest.json()["replayed_from_idempotency_key"] is True
    assert Job.objects.filter(workspace=workspace).count() == 1


# Deliveries --------------------------------------------------------------------------------
def test_get_delivery_is_the_dessert_delivery_with_images_of_the_statics(api, workspace,
                                                                         ready_brand):
    job = _completed_job(workspace, ready_brand)

    result = call(api, "get_delivery", {"delivery_id": job.public_id})

    assert result["isError"] is False
    delivery = result["structuredContent"]
    assert delivery["delivery_id"] == job.public_id
    assert delivery["status"] == "completed"
    assert [ad["orientation"] for ad in delivery["ads"]] == ["vertical", "square"]
    assert all(ad["static_url"].startswith("http://127.0.0.1:8000/") for ad in delivery["ads"])
    # _completed_job's files are not images: no preview can be drawn, and none is invented.
    assert [block["type"] for block in result["content"]] == ["text"]


def test_workspace_b_cannot_see_or_cancel_workspace_as_delivery_or_brand(other_api, workspace,
                                                                         ready_brand):
    job = Job.objects.create(workspace=workspace, brand=ready_brand, format="static", count=1,
                             credits_charged=5)

    assert error_code(call(other_api, "get_delivery",
                           {"delivery_id": job.public_id})) == "delivery_not_found"
    assert error_code(call(other_api, "cancel_job",
                           {"delivery_id": job.public_id})) == "delivery_not_found"
    assert error_code(call(other_api, "get_brand",
                           {"brand_id": str(ready_brand.pk)})) == "brand_not_found"
    assert call(other_api, "list_brands")["structuredContent"] == {"brands": []}
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_get_delivery_without_an_id_is_a_tool_error(api):
    assert error_code(call(api, "get_delivery", {})) == "invalid_delivery_id"
    assert error_code(call(api, "get_delivery", {"delivery_id": 7})) == "invalid_delivery_id"


def test_cancel_job_refunds_a_queued_delivery(api, workspace, ready_brand, funded):
    delivery_id = call(api, "generate_ads", {"count": 2, "format": "static"})[
        "structuredContent"]["delivery_id"]

    result = call(api, "cancel_job", {"delivery_id": delivery_id})

    assert result["structuredContent"]["status"] == "cancelled"
    assert result["structuredContent"]["credits_refunded"] == 10
    funded.refresh_from_db()
    assert funded.balance == 250
    assert error_code(call(api, "cancel_job",
                           {"delivery_id": delivery_id})) == "job_not_cancellable"


# Brands ------------------------------------------------------------------------------------
def test_create_brand_from_inline_dna_is_ready_at_once(api, workspace):
    result = call(api, "create_brand", {
        "name": "Noir Roast", "tagline": "Small batch. Slow roast.",
        "colors": {"primary": "#C8A165", "background": "#16110E"},
        "fonts": {"heading": "Playfair Display", "body": "DM Sans"},
        "products": [{"name": "Ethiopia Guji", "price": "19.50"}]})

    brand = result["structuredContent"]["brand"]
    assert brand["name"] == "Noir Roast"
    assert brand["status"] == "Active"
    assert brand["colors"]["primary"] == "#c8a165"
    assert [p["name"] for p in brand["products"]] == ["Ethiopia Guji"]
    fetched = call(api, "get_brand", {"brand_id": brand["brand_id"]})["structuredContent"]
    assert fetched["brand_id"] == brand["brand_id"]
    listed = call(api, "list_brands")["structuredContent"]["brands"]
    assert [b["name"] for b in listed] == ["Noir Roast"]


@pytest.mark.parametrize(("arguments", "code"), [
    ({}, "invalid_request"),
    ({"name": "X", "colors": {"primary": "red"}}, "invalid_brand_json"),
    ({"website_url": 5}, "invalid_website_url"),
    ({"website_url": "not a url"}, "invalid_website_url"),
    ({"name": "X", "slogan": "hi"}, "invalid_request"),
])
def test_bad_brand_arguments_are_tool_errors_that_write_nothing(api, workspace, arguments, code):
    assert error_code(call(api, "create_brand", arguments)) == code
    assert Brand.objects.filter(workspace=workspace).count() == 0


def test_a_key_without_brands_write_cannot_create_brands(workspace):
    reader = ApiClient(api_key_create(workspace=workspace, name="reader",
                                      scopes=[Scope.BRANDS_READ]).plaintext)

    assert error_code(call(reader, "create_brand", {"name": "X"})) == "insufficient_scope"
    assert Brand.objects.filter(workspace=workspace).count() == 0


# Catalogue and credits ---------------------------------------------------------------------
def test_styles_and_the_catalogue(api):
    styles = call(api, "list_styles")["structuredContent"]
    catalog = call(api, "list_generation_catalog")["structuredContent"]

    assert len(styles["animation_prompts"]) == 36
    assert styles["styles"][0].keys() == {"style_id", "style_name", "animation_prompt",
                                          "category", "description"}
    assert len(catalog["templates"]) == 16
    assert {"id", "slug", "name", "slots"} <= catalog["templates"][0].keys()
    assert {m["id"] for m in catalog["models"]} >= {"local-image"}
    assert all("creditsCost" in m for m in catalog["models"])
    assert {"aspect_ratio": "9:16", "width": 1080, "height": 1920,
            "rendered_by_generate_ads": True} in catalog["sizes"]
    assert catalog["pricing"]["static_ad_credits"] == 5
    assert catalog["prices"][0]["usd"] == "0.50"


def test_search_styles_returns_ids_generate_ads_accepts(api, workspace, ready_brand, funded):
    results = call(api, "search_styles", {"q": "dark moody premium", "top_n": 3})[
        "structuredContent"]["results"]

    assert len(results) == 3
    accepted = call(api, "generate_ads", {"format": "static", "creative": {
        "featured_styles": [results[0]["style_id"]]}})
    assert accepted["isError"] is False


@pytest.mark.parametrize(("arguments", "code"), [
    ({}, "invalid_query"), ({"q": "calm", "top_n": 51}, "invalid_top_n"),
    ({"q": "calm", "top_n": "many"}, "invalid_top_n")])
def test_bad_search_arguments_are_tool_errors(api, arguments, code):
    assert error_code(call(api, "search_styles", arguments)) == code


def test_balance_and_usage(api, workspace, ready_brand, funded):
    call(api, "generate_ads", {"count": 1, "format": "static"})

    balance = call(api, "get_balance")["structuredContent"]
    usage = call(api, "get_usage", {"limit": 1})["structuredContent"]
    next_page = call(api, "get_usage", {"starting_after": usage["next_cursor"]})[
        "structuredContent"]

    assert balance["credits_balance"] == 245
    assert balance["pricing"]["full_ad_credits"] == 15
    assert [t["type"] for t in usage["transactions"]] == ["Debit"]
    assert usage["has_more"] is True
    assert [t["credits"] for t in next_page["transactions"]] == [200, 50]
    assert next_page["has_more"] is False
    assert error_code(call(api, "get_usage", {"limit": 0})) == "invalid_limit"
    assert error_code(call(api, "get_usage", {"starting_after": "txn_x"})) == "invalid_cursor"


def test_a_credits_tool_needs_credits_read(workspace):
    writer = ApiClient(api_key_create(workspace=workspace, name="writer",
                                      scopes=[Scope.GENERATIONS_WRITE]).plaintext)

    assert error_code(call(writer, "get_balance")) == "insufficient_scope"


def test_older_protocol_versions_get_text_only_results(api, funded):
    response = rpc(api, "tools/call", {"name": "get_balance", "arguments": {}},
                   headers={"MCP-Protocol-Version": "2025-03-26"})

    result = response.json()["result"]
    assert "structuredContent" not in result
    assert json.loads(result["content"][0]["text"])["credits_balance"] == 250
