from __future__ import annotations

import io
import zipfile

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from billing.exceptions import InsufficientCredits
from generations import catalogue, services
from generations.briefs import AdBrief, brief_credits
from generations.errors import GenerationError
from generations.files import content_type_for, file_name_from_token
from generations.forms import BriefForm
from generations.models import AdFormat, Surface
from generations.selectors import (
    concept_get_for_workspace,
    job_get_by_share_token,
    job_get_for_workspace,
    jobs_for_workspace,
)
from studio.decorators import workspace_required

QUEUE_PAGE_SIZE = 20


@workspace_required
def create(request):
    form = BriefForm(request.POST or None, workspace=request.workspace,
                     initial={"brand": request.GET.get("brand")})
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submit_job(
                workspace=request.workspace, brief=form.to_brief(), surface=Surface.STUDIO,
                created_by=request.user,
            )
        except InsufficientCredits as exc:
            form.add_error(None, f"{exc} Buy credits on the Billing page.")
        except GenerationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Job {submission.job.public_id} queued: "
                             f"{submission.job.credits_charged} credits charged.")
            return redirect("generations:job", public_id=submission.job.public_id)
    return render(request, "generations/create.html", {
        "form": form, "price": _price_from(request.POST or form.initial),
        "templates_catalogue": catalogue.templates(),
    })


def _price_from(data) -> int:
    try:
        count = max(1, min(int(data.get("count") or 3), 10))
    except (TypeError, ValueError):
        count = 1
    brief_format = data.get("format") if data.get("format") in AdFormat.values else AdFormat.FULL
    return brief_credits(AdBrief(format=brief_format, count=count,
                                 in_situ=bool(data.get("in_situ"))))


@workspace_required
@require_GET
def create_price(request):
    """htmx fragment: the credit price of the brief as it is being filled in."""
    return render(request, "generations/create_price.html",
                  {"price": _price_from(request.GET)})


@workspace_required
def queue(request):
    page = Paginator(jobs_for_workspace(request.workspace), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    template = ("generations/queue_rows.html" if request.htmx
                else "generations/queue.html")
    return render(request, template, {"page": page, "jobs": page.object_list})


@workspace_required
def job_detail(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    template = "generations/job_body.html" if request.htmx else "generations/job.html"
    return render(request, template, {"job": job, "shared": False})


@workspace_required
@require_POST
def job_cancel(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    try:
        services.cancel_job(job=job, cancelled_by=request.user)
    except GenerationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Job {job.public_id} cancelled and refunded.")
    if request.POST.get("back") == "queue":
        return redirect("generations:queue")
    return redirect("generations:job", public_id=job.public_id)


@workspace_required
@require_POST
def job_delete(request, public_id: str):
    job = job_get_for_workspace(workspace=request.workspace, public_id=public_id)
    try:
        services.job_delete(job=job)
    except GenerationError as exc:
        messages.error(request, exc.message)
        return redirect("generations:job", public_id=job.public_id)
    messages.success(request, f"Job {public_id} and its files were deleted.")
    return redirect("generations:queue")


@workspace_required
@require_POST
def concept_regenerate(request, public_id: str):
    concept = concept_get_for_workspace(workspace=request.workspace, public_id=public_id)
    try:
        services.regenerate_concept(concept=concept)
    except InsufficientCredits as exc:
        messages.error(request, str(exc))
    except GenerationError as exc:
        messages.error(request, exc.message)
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


def _zip_response(job) -> HttpResponse:
    buffer = io.BytesIO()
    # Images and MP4s are already compressed: store them.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for concept in job.concepts.all():
            lines = [f"Concept {concept.index + 1} — {concept.copy_angle}",
                     f"Headline: {concept.headline}", f"Body: {concept.body}",
                     f"CTA: {concept.cta}"]
            archive.writestr(f"{concept.index + 1:02d}/copy.txt", "\n".join(lines) + "\n")
            for asset in concept.assets.all():
                file_name = asset.file.name.rsplit("/", 1)[-1]
                with asset.file.open("rb") as fh:
                    archive.writestr(f"{concept.index + 1:02d}/{file_name}", fh.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{job.public_id}.zip"'
    return response


def shared_job(request, token: str):
    """Read-only viewer for a shared job: no account needed, revocable by the owner."""
    job = job_get_by_share_token(token)
    if job is None:
        raise Http404("This share link does not exist or was revoked.")
    template = "generations/job_body.html" if request.htmx else "generations/shared.html"
    return render(request, template, {"job": job, "shared": True, "share_token": token})


def shared_job_zip(request, token: str):
    job = job_get_by_share_token(token)
    if job is None:
        raise Http404("This share link does not exist or was revoked.")
    return _zip_response(job)


@require_GET
def file(request, token: str):
    """Serve a rendered file to whoever holds an unexpired signed URL."""
    name = file_name_from_token(token)
    if name is None or not default_storage.exists(name):
        raise Http404("This file link is invalid or has expired.")
    response = FileResponse(default_storage.open(name, "rb"),
                            content_type=content_type_for(name),
                            as_attachment=request.GET.get("download") == "1",
                            filename=name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
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
    return render(request, "generations/gallery.html", {
        "kind": kind, "items": items, "categories": categories, "category": category,
    })


@workspace_required
@require_GET
def gallery_search(request):
    """htmx fragment: semantic search over templates, styles and animation prompts."""
    from generations.search import search_catalogue

    query = request.GET.get("q", "").strip()[:500]
    matches = search_catalogue(query, top_n=12) if query else []
    return render(request, "generations/gallery_results.html",
                  {"query": query, "matches": matches})
