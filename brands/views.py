"""Brand pages and the onboarding wizard: URL → live progress → review DNA → products → done.

Views parse input, call one service and render; every lookup goes through ``brands.selectors``
so another workspace's brand or product is a 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from brands import selectors, services
from brands.forms import BrandDNAForm, ManualBrandForm, ProductForm, RescrapeForm, WebsiteForm
from brands.models import BrandScrape, ProductImage
from studio.decorators import workspace_required
from studio.exceptions import AppError
from studio.visual.fonts import bundled_fonts, font_file

WIZARD_STEPS = [("website", "Website"), ("progress", "Scan"), ("review", "Brand DNA"),
                ("products", "Products"), ("done", "Done")]


def _brand(request, brand_id):
    return selectors.brand_get_for_workspace(workspace=request.workspace, brand_id=brand_id)


def _steps(current: str) -> list[dict]:
    keys = [k for k, _ in WIZARD_STEPS]
    return [{"key": k, "label": label, "state": "done" if keys.index(k) < keys.index(current)
             else "current" if k == current else "todo"} for k, label in WIZARD_STEPS]


@workspace_required
def brand_list(request):
    brands = selectors.brand_list_for_workspace(workspace=request.workspace)
    return render(request, "brands/list.html", {"brands": brands})


@workspace_required
def brand_new(request):
    website_form = WebsiteForm(prefix="site")
    manual_form = ManualBrandForm(prefix="manual")
    if request.method == "POST":
        if request.POST.get("action") == "manual":
            manual_form = ManualBrandForm(request.POST, prefix="manual")
            if manual_form.is_valid():
                brand = services.brand_create(workspace=request.workspace,
                                              name=manual_form.cleaned_data["name"])
                return redirect("brands:review", brand_id=brand.id)
        else:
            website_form = WebsiteForm(request.POST, prefix="site")
            if website_form.is_valid():
                url = website_form.cleaned_data["url"]
                host = (urlsplit(url).hostname or "New brand").removeprefix("www.")
                brand = services.brand_create(workspace=request.workspace, name=host,
                                              website=url)
                services.brand_start_scrape(brand=brand, url=url)
                return redirect("brands:progress", brand_id=brand.id)
    return render(request, "brands/new.html", {
        "website_form": website_form, "manual_form": manual_form, "steps": _steps("website"),
    })


@workspace_required
def brand_detail(request, brand_id):
    brand = _brand(request, brand_id)
    return render(request, "brands/detail.html", {
        "brand": brand,
        "products": selectors.brand_products(brand=brand),
        "scrape": selectors.brand_latest_scrape(brand=brand),
        "rescrape_form": RescrapeForm(initial={"url": brand.website}),
        "font_faces": _font_faces(),
    })


@workspace_required
def brand_progress(request, brand_id):
    brand = _brand(request, brand_id)
    scrape = selectors.brand_latest_scrape(brand=brand)
    if scrape is None:
        return redirect("brands:review", brand_id=brand.id)
    return render(request, "brands/progress.html", {
        "brand": brand, "scrape": scrape, "steps": _steps("progress"),
    })


FOUND_LABELS = [
    ("name", "Name"), ("logo", "Logo"), ("tagline", "Tagline"), ("color_primary", "Primary colour"),
    ("color_secondary", "Secondary colour"), ("color_accent", "Accent colour"),
    ("heading_font", "Heading font"), ("body_font", "Body font"), ("language", "Language"),
    ("value_props", "Value propositions"), ("tone_of_voice", "Tone of voice"),
    ("platform", "Shop platform"), ("product_count", "Products"),
]


@workspace_required
def brand_progress_status(request, brand_id):
    """The htmx-polled fragment; on success it sends the browser on to the review step."""
    brand = _brand(request, brand_id)
    scrape = selectors.brand_latest_scrape(brand=brand)
    if scrape is None:
        return HttpResponse(status=204)
    found = []
    for key, label in FOUND_LABELS:
        entry = (scrape.found or {}).get(key)
        if entry:
            found.append({"key": key, "label": label, "value": entry.get("value"),
                          "source": entry.get("source", "")})
    response = render(request, "brands/progress_status.html", {
        "brand": brand, "scrape": scrape, "found": found,
    })
    if scrape.status == BrandScrape.Status.SUCCEEDED and request.htmx:
        response["HX-Redirect"] = reverse("brands:review", kwargs={"brand_id": brand.id})
    elif scrape.status == BrandScrape.Status.FAILED and request.htmx:
        response.status_code = 286  # htmx: stop polling
    return response


def _font_faces() -> list[dict]:
    faces = []
    for font in bundled_fonts():
        for weight in (400, 700):
            path = font_file(font.family, weight)
            if path:
                faces.append({"family": font.family, "weight": weight,
                              "path": f"fonts/{path}"})
    return faces


@workspace_required
def brand_review(request, brand_id):
    brand = _brand(request, brand_id)
    form = BrandDNAForm(initial=BrandDNAForm.initial_for(brand))
    if request.method == "POST":
        form = BrandDNAForm(request.POST, request.FILES)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "logo"}
            try:
                services.brand_update_dna(brand=brand, data=data,
                                          logo_file=form.cleaned_data.get("logo"))
            except AppError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if brand.status == brand.Status.READY and "next" not in request.POST:
                    messages.success(request, "Brand DNA saved.")
                    return redirect("brands:detail", brand_id=brand.id)
                return redirect("brands:products", brand_id=brand.id)
    scrape = selectors.brand_latest_scrape(brand=brand)
    alternatives = selectors.brand_dna_alternatives(brand=brand, scrape=scrape)
    colour_choices = [{"field": name, "label": form.fields[name].label,
                       "choices": alternatives[name]}
                      for name in selectors.PALETTE_FIELDS if name in alternatives]
    return render(request, "brands/review.html", {
        "brand": brand, "form": form, "steps": _steps("review"), "font_faces": _font_faces(),
        "scrape": scrape, "alternatives": alternatives, "colour_choices": colour_choices,
    })


@workspace_required
@require_POST
def brand_use_logo(request, brand_id):
    """Swap in a runner-up logo the scan found (the review page's "use this logo")."""
    brand = _brand(request, brand_id)
    scrape = selectors.brand_latest_scrape(brand=brand)
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        index = -1
    if scrape is None:
        messages.error(request, "There is no scan to take a logo from.")
        return redirect("brands:review", brand_id=brand.id)
    try:
        services.brand_use_logo_candidate(brand=brand, scrape=scrape, index=index)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Logo swapped.")
    return redirect("brands:review", brand_id=brand.id)


@workspace_required
def brand_products_step(request, brand_id):
    brand = _brand(request, brand_id)
    return render(request, "brands/products.html", {
        "brand": brand, "products": selectors.brand_products(brand=brand),
        "steps": _steps("products"),
    })


def _save_product_image(request, form, product) -> bool:
    upload = form.cleaned_data.get("image")
    if not upload:
        return True
    try:
        services.product_image_add(product=product, upload=upload)
    except AppError as exc:
        form.add_error("image", exc.message)
        return False
    return True


@workspace_required
def product_new(request, brand_id):
    brand = _brand(request, brand_id)
    form = ProductForm(initial={"active": True})
    if request.method == "POST":
        form = ProductForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                product = services.product_create(brand=brand, **form.cleaned_data)
            except AppError as exc:
                # Nothing was created: say why, keep the form.
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Added {product.name}.")
                return redirect("brands:products", brand_id=brand.id)
    return render(request, "brands/product_form.html", {"brand": brand, "form": form})


@workspace_required
def product_edit(request, brand_id, product_id):
    brand = _brand(request, brand_id)
    product = selectors.product_get_for_workspace(workspace=request.workspace,
                                                  product_id=product_id, brand=brand)
    form = ProductForm(initial={k: getattr(product, k) for k in
                                ("name", "description", "price", "currency", "url", "active")})
    if request.method == "POST":
        form = ProductForm(request.POST, request.FILES)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "image"}
            services.product_update(product=product, data=data)
            if _save_product_image(request, form, product):
                messages.success(request, f"Saved {product.name}.")
                return redirect("brands:products", brand_id=brand.id)
    return render(request, "brands/product_form.html",
                  {"brand": brand, "form": form, "product": product})


@require_POST
@workspace_required
def product_toggle(request, brand_id, product_id):
    brand = _brand(request, brand_id)
    product = selectors.product_get_for_workspace(workspace=request.workspace,
                                                  product_id=product_id, brand=brand)
    services.product_set_active(product=product, active=not product.active)
    if request.htmx:
        return render(request, "brands/products_row.html", {"brand": brand, "product": product})
    return redirect("brands:products", brand_id=brand.id)


@require_POST
@workspace_required
def product_image_remove(request, brand_id, product_id, image_id):
    brand = _brand(request, brand_id)
    product = selectors.product_get_for_workspace(workspace=request.workspace,
                                                  product_id=product_id, brand=brand)
    image = get_object_or_404(ProductImage, id=image_id, product=product)
    services.product_image_delete(image=image)
    return redirect("brands:product_edit", brand_id=brand.id, product_id=product.id)


@require_POST
@workspace_required
def brand_finish(request, brand_id):
    brand = _brand(request, brand_id)
    services.brand_mark_ready(brand=brand)
    messages.success(request, f"{brand.name} is ready for ads.")
    return redirect("brands:detail", brand_id=brand.id)


@require_POST
@workspace_required
def brand_rescrape(request, brand_id):
    brand = _brand(request, brand_id)
    form = RescrapeForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("url", []):
            messages.error(request, error)
        return redirect("brands:detail", brand_id=brand.id)
    services.brand_start_scrape(brand=brand, url=form.cleaned_data["url"],
                                overwrite=form.cleaned_data["overwrite"])
    return redirect("brands:progress", brand_id=brand.id)


@require_POST
@workspace_required
def brand_make_default(request, brand_id):
    brand = _brand(request, brand_id)
    services.brand_set_default(brand=brand)
    messages.success(request, f"{brand.name} is now the default brand.")
    return redirect("brands:detail", brand_id=brand.id)


@require_POST
@workspace_required
def brand_delete(request, brand_id):
    brand = _brand(request, brand_id)
    try:
        services.brand_delete(brand=brand)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("brands:detail", brand_id=brand.id)
    messages.success(request, f"{brand.name} was deleted. Ads already made for it stay in the "
                     "queue.")
    return redirect("brands:list")
