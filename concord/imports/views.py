"""Import pages: the upload form with the past imports, a job's page (the preview before it
is confirmed, the progress while it runs, polled by htmx, the outcome after), the error
report and the template. Each view parses, checks, calls one service and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.audit.models import AuditAction, record
from concord.core.errors import InvalidInput, NotFound, ServiceError
from concord.portal.throttle import client_ip

from . import report, services
from .forms import StartForm, UploadForm
from .models import ImportJob
from .profiles import FIELDS, LABELS, PROFILES

PROBLEMS_SHOWN = 100
# A multipart body carries the file and a few fields: what is beyond this is not worth reading.
BODY_SLACK = 1024 * 1024


def _importer_only(request: HttpRequest) -> None:
    if not services.can_import(request.user):
        raise Http404  # other roles do not learn the page exists


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the user's imports. POST: check the file and keep it for
    the preview (its job page), or show why it was refused; nothing else is written."""
    _importer_only(request)
    form, refusal, status = UploadForm(), "", 200
    if request.method == "POST":
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > services.max_bytes() + BODY_SLACK:
            # Refused before the body is read: a huge upload is not spooled to disk first.
            refusal, status = _too_large(declared), 413
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    job = services.stage(
                        actor=request.user,
                        upload=data["file"],
                        profile=data["profile"],
                        source=data["source"],
                        create_categories=data["create_categories"],
                    )
                except InvalidInput as exc:
                    form.place(exc)
                    status = 422
                except ServiceError as exc:
                    refusal, status = exc.message, exc.status
                else:
                    return redirect("imports:job", job_id=job.pk)
            else:
                status = 422
    page = Paginator(services.visible_jobs(request.user), settings.CONCORD["PAGE_SIZE"])
    context = {
        "form": form,
        "refusal": refusal,
        "page": page.get_page(request.GET.get("page")),
        "profiles": _profiles(),
        "max_bytes": services.max_bytes(),
        "max_mb": services.max_bytes() // (1024 * 1024),
        "rows_max": services.rows_max(),
    }
    return render(request, "imports/jobs.html", context, status=status)


def _too_large(size: int) -> str:
    return gettext("文件不能超过%(max)d MB（现为%(size).1f MB），请分成几个文件导入") % {
        "max": services.max_bytes() // (1024 * 1024),
        "size": size / 1024 / 1024,
    }


def _profiles() -> list[dict]:
    """Each profile's columns, for the format notes beside the upload form."""
    return [
        {
            "profile": p,
            "columns": [
                (LABELS[name], p.header_names(name), name in p.required)
                for name in FIELDS
                if p.header_names(name)
            ],
        }
        for p in PROFILES.values()
    ]


def _job_or_404(request: HttpRequest, job_id: int) -> ImportJob:
    _importer_only(request)
    try:
        return services.get_job(request.user, job_id)
    except NotFound:
        raise Http404(gettext("导入批次不存在")) from None


@login_required
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import: the preview, the progress (htmx polls the card while it runs), the outcome."""
    job = _job_or_404(request, job_id)
    context = {
        "job": job,
        "stalled": services.is_stalled(job),
        "problems": job.problems.all()[:PROBLEMS_SHOWN] if job.bad_count else [],
        "problems_shown": PROBLEMS_SHOWN,
    }
    if request.htmx:
        return render(request, "imports/_progress.html", context)
    if job.status == "previewed":
        preview = services.preview_of(job)
        context |= {
            "preview": preview,
            "mapping": [
                (header, LABELS[name] if name else None, name)
                for header, name in services.mapping_of(job)
            ],
            "profile": PROFILES[job.profile],
            "bad_preview": sum(1 for row in preview.get("rows", []) if row["problems"]),
            "earlier": services.earlier_import(job),
            "start_form": StartForm(initial={"create_categories": job.create_categories}),
        }
    return render(request, "imports/job.html", context)


@login_required
@require_POST
def start_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    form = StartForm(request.POST)
    form.is_valid()
    try:
        services.start(
            job,
            actor=request.user,
            create_categories=form.cleaned_data.get("create_categories", False),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_POST
def retry_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    try:
        services.retry(job, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("imports:job", job_id=job.pk)


@login_required
def error_report(request: HttpRequest, job_id: int, kind: str) -> HttpResponse:
    """The rejected rows as they came, with their reasons: they carry full ID numbers and
    phones, so each download is audited like any other export of personal data."""
    job = _job_or_404(request, job_id)
    if kind not in ("csv", "xlsx"):
        raise Http404
    response = report.csv_response(job) if kind == "csv" else report.xlsx_response(job)
    detail = {"report": "import-errors", "format": kind}
    record(
        actor=request.user, action=AuditAction.EXPORT, obj=job, detail=detail, ip=client_ip(request)
    )
    return response


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    _importer_only(request)
    if kind not in ("csv", "xlsx"):
        raise Http404
    return report.template_response(kind)
