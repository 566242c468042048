"""Generated garbage against every URL pattern and every form of the app: no 5xx, ever.

Hypothesis builds path tokens and form bodies from hostile pieces (empty, huge, NUL bytes,
control characters, unicode, numbers where text goes and the reverse, repeated and missing
fields, files that are not images) and sends them, as an outsider and as a signed-in owner,
with GET and POST, to every route the URL conf has. Real ids are mixed in, so the garbage also
reaches the forms behind valid paths (the brand review page, the product form, the brief...).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import CreditPack
from brands.models import Brand, Product, ProductImage
from generations.models import Asset, Concept, Job, JobStatus
from studio.models import Invitation

pytestmark = pytest.mark.django_db

def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


_PNG = _png()
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
# Every field name a form of the app reads, plus allauth's and some that no form expects.
FORM_FIELDS = [
    "url", "site-url", "overwrite", "action", "manual-name", "name", "tagline", "description",
    "color_primary", "color_secondary", "color_accent", "color_background", "color_text",
    "heading_font", "body_font", "tone_of_voice", "value_props", "audience", "language",
    "next", "price", "currency", "active", "brand", "products", "format", "count",
    "copy_angle", "brand_tone", "templates", "animation_prompts", "style_search", "sizes",
    "in_situ", "email", "role", "workspace", "back", "page", "kind", "category", "q",
    "enabled", "threshold", "pack", "login", "password", "password1", "password2", "remember",
    "code", "csrfmiddlewaretoken", "download", "entry_kind", "credits", "memo",
]
FILE_FIELDS = ["logo", "image"]

garbage_text = st.one_of(
    st.just(""), st.just("\x00"), st.just("a\x00b"), st.just(" "), st.just("-1"),
    st.just("0"), st.just("99999999999999999999999"), st.just("1e309"), st.just("NaN"),
    st.just("../../etc/passwd"), st.just("%00"), st.just("<svg onload=alert(1)>"),
    st.just("http://[::1"), st.just("x" * 3000), st.just("🙂" * 200), st.just("9:16"),
    st.just("#zzzzzz"), st.just("true"), st.just("{}"), st.just("[]"),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True).map(str),
)
form_value = st.one_of(garbage_text, st.lists(garbage_text, min_size=2, max_size=3))
# Each field present or missing independently: some bodies miss everything, some have it all.
form_body = st.fixed_dictionaries({}, optional=dict.fromkeys(FORM_FIELDS, form_value))
file_body = st.dictionaries(
    st.sampled_from(FILE_FIELDS),
    st.binary(max_size=300).map(lambda data: SimpleUploadedFile("x.png", data,
                                                                content_type="image/png")),
    max_size=1)


def _routes() -> list[tuple[str, str]]:
    """Every pattern of the URL conf as (route template, name); regex groups become params."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern)
            if text.startswith("^"):
                text = _REGEX_GROUP.sub(lambda m: f"<{m.group(1)}>", text)
                text = text.lstrip("^").rstrip("$").replace("\\", "")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif isinstance(pattern, URLPattern):
                routes.append((prefix + text, pattern.name or ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


ROUTES = _routes()
APP_ROUTES = [route for route in ROUTES if not route[0].startswith("admin/")]
ADMIN_ROUTES = [route for route in ROUTES if route[0].startswith("admin/")]


@pytest.fixture
def world(workspace, owner, outsider):
    """Real objects, so garbage reaches the views and forms behind valid ids."""
    brand = Brand.objects.create(workspace=workspace, name="Lumen", status="ready",
                                 is_default=True, website="https://lumen.example/")
    product = Product.objects.create(workspace=workspace, brand=brand, name="Serum")
    image = ProductImage(product=product)
    image.image.save("a.png", ContentFile(_PNG), save=True)
    job = Job.objects.create(workspace=workspace, brand=brand, status=JobStatus.COMPLETED,
                             format="static", count=1, share_token="share-token-garbage")
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory", headline="Glow",
                                     template_slug="product-hero", style_id="soft-gradient",
                                     status="completed")
    asset = Asset(job=job, concept=concept, kind="static", aspect="9:16", width=16,
                  height=16, mime_type="image/png", size_bytes=len(_PNG), checksum="x")
    asset.file.save("a.png", ContentFile(_PNG), save=True)
    invitation = Invitation.objects.create(workspace=workspace, email="new@example.com",
                                           invited_by=owner)
    pack = CreditPack.objects.first()
    ints = [str(brand.pk), str(product.pk), str(image.pk), str(invitation.pk),
            str(pack.pk if pack else 1), str(owner.memberships.get().pk)]
    strs = [job.public_id, concept.public_id, job.share_token, invitation.token]
    return {"owner": owner, "ints": ints, "strs": strs}


def _param_values(world):
    return st.one_of(st.sampled_from(world["ints"] + world["strs"]), garbage_text)


def _path(route: str, values) -> str:
    index = iter(values)
    return "/" + _PARAM.sub(lambda m: quote(next(index), safe=""), route)


def _assert_no_server_error(response, method: str, path: str, data) -> None:
    assert response.status_code < 500, (method, path, data, response.status_code)


def _hit(client, route: str, values, body: dict, files: dict, *, htmx: bool = False) -> None:
    path = _path(route, values)
    _assert_no_server_error(client.get(path, body), "GET", path, body)
    headers = {"HX-Request": "true"} if htmx else {}
    _assert_no_server_error(client.post(path, {**body, **files}, headers=headers),
                            "POST", path, body)


@pytest.mark.parametrize(("route", "name"), APP_ROUTES, ids=[r for r, _ in APP_ROUTES])
def test_garbage_to_every_route_and_form_is_never_a_server_error(client, world, route, name):
    params = len(_PARAM.findall(route))

    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(values=st.lists(_param_values(world), min_size=params, max_size=params),
           body=form_body, files=file_body, htmx=st.booleans())
    def run(values, body, files, htmx):
        client.logout()
        _hit(client, route, values, body, files)
        client.force_login(world["owner"])
        _hit(client, route, values, body, files, htmx=htmx)

    run()


@pytest.mark.parametrize(("route", "name"), ADMIN_ROUTES, ids=[r for r, _ in ADMIN_ROUTES])
def test_garbage_to_the_admin_is_never_a_server_error(client, world, route, name):
    params = len(_PARAM.findall(route))

    @settings(max_examples=2, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(values=st.lists(_param_values(world), min_size=params, max_size=params),
           body=form_body)
    def run(values, body):
        _hit(client, route, values, body, {})

    run()


def test_the_route_list_covers_the_app():
    names = {name for _, name in ROUTES}

    assert len(APP_ROUTES) > 40
    for expected in ("review", "product_new", "create", "workspace_switch", "shared", "file",
                     "media", "invitation_accept", "healthz", "readyz"):
        assert expected in names
