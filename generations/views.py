from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST

from billing import pricing
from billing.exceptions import InsufficientCredits
from billing.selectors import stripe_enabled
from billing.services import account_for_workspace
from brands.models import Brand
from brands.selectors import brand_get_for_workspace
from generations import catalogue, services, ugc
from generations.briefs import MAX_COUNT, AdBrief, brief_credits
from generations.files import resolve_token
from generations.forms import AvatarUploadForm, BriefForm, UgcForm
from generations.models import AdFormat, Asset, Surface
from generations.previews import (
    RenderFailed,
    brand_preview_fingerprint,
    brand_preview_get_or_create,
)
from generations.selectors import (
    concept_get_for_workspace,
    concept_regenerate_price,
    concepts_changed_since,
    job_get_by_share_token,
    job_get_for_workspace,
    job_version,
    jobs_active_exist,
    jobs_for_workspace,
    queue_version,
)
from generations.storage import storage_call
from studio.decorators import role_required, workspace_required
from studio.errors import flash_error
from studio.exceptions import AppError
from studio.permissions import Action

QUEUE_PAGE_SIZE = 20
ZIP_CHUNK_BYTES = 256 * 1024
FILE_CACHE_SECONDS = 24 * 3600  # a browser keeps a file at most this long, or until expiry


@workspace_required
def create(request):
    form = BriefForm(request.POST or None, workspace=request.workspace,
                     initial={"brand": request.GET.get("brand"),
                              "templates": request.GET.getlist("template"),
                              "animation_prompts": request.GET.getlist("animation_prompt")})
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submit_job(
                workspace=request.workspace, brief=form.to_brief(), surface=Surface.STUDIO,
                created_by=request.user,
            )
        except AppError as exc:
            form.add_error(None, _plain_submit_error(exc, request))
        else:
            messages.success(request, f"Your {submission.job.count} ads are queued: "
                             f"{submission.job.credits_charged} credits charged.")
            return redirect("generations:job", public_id=submission.job.public_id)
    price, price_error = _price_from(request.POST or form.initial)
    return render(request, "generations/create.html", {
        "form": form, "price": price, "price_error": price_error,
        "balance": account_for_workspace(request.workspace),
        "payments_enabled": stripe_enabled(),
        "templates_catalogue": catalogue.templates(),
        "brand": form.selected_brand,
        "preview_version": (brand_preview_fingerprint(form.selected_brand)
                            if form.selected_brand else ""),
        "not_ready_brands": Brand.objects.filter(workspace=request.workspace).exclude(
            status=Brand.Status.READY),
        "ugc_form": UgcForm(workspace=request.workspace, brand=form.selected_brand),
        "avatar_form": AvatarUploadForm(),
        "ugc_prices": _ugc_prices(),
    })


def _ugc_prices() -> list[dict]:
    return [{"tier": tier, "per_5s": credits}
            for tier, credits in pricing.UGC_TIER_CREDITS_PER_5_SECONDS.items()]


@workspace_required
@require_POST
def create_ugc(request):
    """Queue a presenter video from the Create page's UGC card."""
    form = UgcForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, "The presenter video was not queued: " + " ".join(errors))
        return redirect("generations:create")
    try:
        submission = services.submit_job(workspace=request.workspace, brief=form.to_brief(),
                                         surface=Surface.STUDIO, created_by=request.user)
    except AppError as exc:
        messages.error(request, _plain_submit_error(exc, request))
        return redirect("generations:create")
    messages.success(request, f"Your presenter video is queued: "
                     f"{submission.job.credits_charged} credits charged.")
    return redirect("generations:job", public_id=submission.job.public_id)


@workspace_required
@require_POST
def avatar_upload(request):
    """Add a presenter from a portrait photo (checked like every image; face-centred)."""
    form = AvatarUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Give the presenter a name and a photo.")
        return redirect("generations:create")
    try:
        avatar = ugc.avatar_create(workspace=request.workspace,
                                   content=form.cleaned_data["photo"].read(
                                       settings.STUDIO_IMAGE_MAX_UPLOAD_BYTES + 1),
                                   name=form.cleaned_data["name"], created_by=request.user)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{avatar.name} was added to your presenters.")
    return redirect("generations:create")


def _plain_submit_error(exc: AppError, request) -> str:
    if isinstance(exc, InsufficientCredits):
        if stripe_enabled():
            return f"{exc.message} Buy credits on the Billing page, or brief fewer ads."
        if request.membership.can_manage:
            return (f"{exc.message} Payments are off on this studio: ask the person who runs "
                    "it to add credits, or brief fewer ads.")
        return (f"{exc.message} Ask a workspace owner or admin for more credits, or brief "
                "fewer ads.")
    return exc.message


def _price_from(data) -> tuple[int | None, str]:
    """The brief's price, or None and why when the count is not a number from 1 to 10."""
    raw = data.get("count")
    try:
        count = int(raw) if raw not in (None, "") else 3
    except (TypeError, ValueError):
        return None, "Enter the number of concepts (1 to 10) to see the price."
    if not 1 <= count <= MAX_COUNT:
        return None, f"Choose from 1 to {MAX_COUNT} concepts to see the price."
    brief_format = data.get("format") if data.get("format") in AdFormat.values else AdFormat.FULL
    return brief_credits(AdBrief(format=brief_format, count=count,
                                 in_situ=bool(data.get("in_situ")))), ""


@workspace_required
@require_GET
def create_price(request):
    """htmx fragment: the credit price of the brief as it is being filled in, with the
    balance it comes out of."""
    price, price_error = _price_from(request.GET)
    return render(request, "generations/create_price.html", {
        "price": price, "price_error": price_error,
        "balance": account_for_workspace(request.workspace),
        "payments_enabled": stripe_enabled(),
    })


@workspace_required
@require_GET
def create_brand_parts(request):
    """htmx fragment: the chosen brand's products, and (out of band) the template picker drawn
    for that brand."""
    form = BriefForm(workspace=request.workspace, initial={"brand": request.GET.get("brand")})
    brand = form.selected_brand
    return render(request, "generations/create_brand_parts.html", {
        "form": form, "brand": brand, "templates_catalogue": catalogue.templates(),
        "preview_version": brand_preview_fingerprint(brand) if brand else "",
    })


@workspace_required
@require_GET
def brand_template_preview(request, brand_id: int, slug: str):
    """A template drawn for one of the workspace's brands (WebP, cached per brand)."""
    brand = brand_get_for_workspace(workspace=request.workspace, brand_id=brand_id)
    try:
        name = brand_preview_get_or_create(brand=brand, template_slug=slug)
    except catalogue.CatalogueError:
        raise Http404("No such template.") from None
    except RenderFailed:
        # This brand's copy or colours cannot pass the layout's gates: show the sample.
        return redirect(static(catalogue.template_by_slug(slug)["preview"]))
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/webp")
    # The URL carries the brand's preview fingerprint, so a cached copy is never stale.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@workspace_required
def queue(request):
    """The queue page. While a job is running, the rows poll with the version they show; an
    unchanged queue answers 204 (htmx keeps the rows), and rows with nothing running stop
    polling."""
    version = queue_version(request.workspace)
    if request.htmx and request.GET.get("v") == version:
        return HttpResponse(status=204)
    page = Paginator(jobs_for_workspace(request.workspace).prefetch_related("concepts__assets"),
                     QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    template = ("generations/queue_rows.html" if request.htmx
                else "generations/queue.html")
    return render(request, template, {
        "page": page, "jobs": page.object_list, "version": version,
        "polling": page.number == 1 and jobs_active_exist(request.workspace),
    })


@workspace_required
def job_detail(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    if request.htmx and "v" in request.GET:
        return _job_update(request, job, shared=False)
    return render(request, "generations/job.html", _job_context(request, job, shared=False))


def _job_context(request, job, *, shared: bool, share_token: str = "") -> dict:
    return {"job": job, "shared": shared, "share_token": share_token, "version": job_version(job),
            "regenerate_price": concept_regenerate_price(job=job),
            "balance": None if shared else account_for_workspace(job.workspace).balance}


def _job_update(request, job, *, shared: bool, share_token: str = "") -> HttpResponse:
    """Answer a job page's poll: 204 when nothing changed, else out-of-band swaps of the status
    card, the actions and only the concepts that changed, so a playing video is never
    replaced."""
    version = job_version(job)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    context = _job_context(request, job, shared=shared, share_token=share_token)
    changed = concepts_changed_since(job, request.GET["v"])
    if changed is None or request.GET.get("n") != str(len(job.concepts.all())):
        context["all_concepts"] = True
    else:
        context["changed_concepts"] = changed
    return render(request, "generations/job_update.html", context)


@workspace_required
@require_POST
def job_cancel(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    try:
        services.cancel_job(job=job, cancelled_by=request.user)
    except AppError as exc:
        flash_error(request, exc)
    else:
        job.refresh_from_db()
        messages.success(request, f"Job cancelled: {job.credits_refunded} credits refunded."
                         + (" The ads already made are kept." if job.assets.exists() else ""))
    if request.POST.get("back") == "queue":
        return redirect("generations:queue")
    return redirect("generations:job", public_id=job.public_id)


@role_required(Action.JOB_DELETE)
@require_POST
def job_delete(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    try:
        services.job_delete(job=job, by=request.membership)
    except AppError as exc:
        flash_error(request, exc)
        return redirect("generations:job", public_id=job.public_id)
    messages.success(request, f"Job {public_id} and its files were deleted.")
    return redirect("generations:queue")


@workspace_required
@require_POST
def concept_regenerate(request, public_id: str):
    concept = concept_get_for_workspace(workspace=request.workspace, public_id=public_id)
    try:
        services.regenerate_concept(concept=concept)
    except AppError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"Concept {concept.index + 1} is being regenerated.")
    return redirect("generations:job", public_id=concept.job.public_id)


@workspace_required
@require_POST
def job_share(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    if request.POST.get("action") == "revoke":
        services.share_link_revoke(job=job)
        messages.success(request, "The share link no longer works.")
    else:
        services.share_link_create(job=job)
        messages.success(request, "Anyone with the link can view this job's ads.")
    return redirect("generations:job", public_id=job.public_id)


@workspace_required
@require_GET
def job_zip(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    return _zip_response(job)


class _ZipSink(io.RawIOBase):
    """A write-only, unseekable file for ``zipfile``: it collects what is written so the ZIP
    can be streamed as it is built (zipfile then writes data descriptors, no seeking)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self):
        chunks, self._chunks = self._chunks, []
        yield from chunks


def _zip_chunks(job):
    """The job's ZIP, built and sent piece by piece: memory stays at one chunk, whatever the
    size of the job (a 10-concept, 4-size full job is ~70 MB)."""
    sink = _ZipSink()
    # Images and MP4s are already compressed: store them.
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for concept in job.concepts.all():
            lines = [f"Concept {concept.index + 1} — {concept.copy_angle}",
                     f"Headline: {concept.headline}", f"Body: {concept.body}",
                     f"CTA: {concept.cta}"]
            archive.writestr(f"{concept.index + 1:02d}/copy.txt", "\n".join(lines) + "\n")
            yield from sink.drain()
            for asset in concept.assets.all():
                file_name = asset.file.name.rsplit("/", 1)[-1]
                with asset.file.open("rb") as source, archive.open(
                        f"{concept.index + 1:02d}/{file_name}", "w", force_zip64=True) as target:
                    while chunk := source.read(ZIP_CHUNK_BYTES):
                        target.write(chunk)
                        yield from sink.drain()
    yield from sink.drain()


def _zip_response(job) -> StreamingHttpResponse:
    # Once streaming starts the status is sent: ask the storage before, so an outage is a
    # clear 503 page rather than a cut-off download.
    first = Asset.objects.filter(job=job).only("file").first()
    if first is not None:
        with storage_call(action="read"):
            default_storage.size(first.file.name)
    response = StreamingHttpResponse(_zip_chunks(job), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{job.public_id}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


def shared_job(request, token: str):
    """Read-only viewer for a shared job: no account needed, revocable by the owner."""
    job = job_get_by_share_token(token)
    if job is None:
        return render(request, "generations/shared_gone.html", status=404)
    if request.htmx and "v" in request.GET:
        return _job_update(request, job, shared=True, share_token=token)
    context = _job_context(request, job, shared=True, share_token=token)
    return render(request, "generations/shared.html", context)


def shared_job_zip(request, token: str):
    job = job_get_by_share_token(token)
    if job is None:
        return render(request, "generations/shared_gone.html", status=404)
    return _zip_response(job)


@require_GET
def file(request, token: str):
    """Serve a stored file to whoever holds a valid signed URL (see ``generations.files``).

    The token is checked against its row on every request. Local files are sent from here;
    object storage gets a redirect to a short-lived URL of its own."""
    granted = resolve_token(token)
    if granted is None or not default_storage.exists(granted.name):
        raise Http404("This file link is invalid or has expired.")
    max_age = min(granted.seconds_left, FILE_CACHE_SECONDS)
    download = request.GET.get("download") == "1"
    if not isinstance(default_storage, FileSystemStorage):
        # S3 signs every query parameter: the disposition goes into the signed request
        # (response-content-disposition), never appended to a signed URL afterwards.
        parameters = ({"ResponseContentDisposition":
                       f'attachment; filename="{granted.filename}"'} if download else None)
        response = redirect(default_storage.url(granted.name, parameters=parameters))
        response["Cache-Control"] = "private, no-store"
        return response
    response = FileResponse(default_storage.open(granted.name, "rb"),
                            content_type=granted.content_type,
                            as_attachment=download,
                            filename=granted.filename)
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response


@workspace_required
def gallery(request):
    kind = request.GET.get("kind", "templates")
    category = request.GET.get("category", "")
    items = {
        "templates": catalogue.templates(),
        "styles": catalogue.styles(),
        "animation_prompts": catalogue.animation_prompts(),
    }.get(kind)
    if items is None:
        raise Http404("Unknown gallery section.")
    categories = sorted({item.get("category", "") for item in items} - {""})
    if category:
        items = [item for item in items if item.get("category") == category]
    brand = (Brand.objects.filter(workspace=request.workspace, status=Brand.Status.READY)
             .order_by("-is_default", "name").first())
    return render(request, "generations/gallery.html", {
        "kind": kind, "items": items, "categories": categories, "category": category,
        "brand": brand, "preview_version": brand_preview_fingerprint(brand) if brand else "",
    })


@workspace_required
@require_GET
def gallery_search(request):
    """htmx fragment: semantic search over templates, styles and animation prompts."""
    from generations.search import relevant_matches

    # The Create page's box is the brief's own ``style_search`` field (CSP forbids htmx's
    # ``js:`` values that would rename it); the gallery's is ``q``.
    query = (request.GET.get("q") or request.GET.get("style_search") or "").strip()[:500]
    shown = [_match_for_page(m) for m in relevant_matches(query)]
    return render(request, "generations/gallery_results.html",
                  {"query": query, "matches": shown, "pick": request.GET.get("pick") == "1"})


def _match_for_page(match) -> dict:
    """A search hit as the page shows it: display names and what clicking it adds, no score."""
    slug = (catalogue.template_by_id(match.id)["slug"] if match.kind == "template" else "")
    return {"kind": match.kind, "name": match.name, "slug": slug,
            "animation_prompt": match.animation_prompt or ""}
