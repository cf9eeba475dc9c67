"""安全审计 pages, for the security auditor only (三员分立): the log searched by time, actor,
action, object and IP, exported as filtered; and the access report of one person.

The person's ID number travels in POST bodies only, never in a URL: URLs end up in proxy and
server access logs and in the browser's history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.accounts.permissions import reads_audit_log
from concord.core.views import refusal_text
from concord.portal.throttle import client_ip

from .access import access_report, entries_about, find_person
from .chain import retention_days
from .exports import FORMATS, export
from .filters import AuditFilterForm, PersonForm, form_refusal
from .models import AuditEntry


def _auditor_only(request: HttpRequest) -> None:
    if not reads_audit_log(request.user):
        raise PermissionDenied(_("只有安全审计员可以查看审计日志"))


def _export_refused(kind: str, form: Form) -> HttpResponse | None:
    """An export's door: an unknown format is 404, bad filters the 400 naming them."""
    if kind not in FORMATS:
        raise Http404(_("导出格式应为 csv 或 xlsx"))
    if form.is_valid():
        return None
    text = refusal_text(form_refusal(form))
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def _page(request: HttpRequest, entries, number):
    return Paginator(entries, settings.CONCORD["PAGE_SIZE"]).get_page(number)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """审计日志查询: newest first, filtered, paginated."""
    _auditor_only(request)
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor__organisation")
    status = 200
    if form.is_bound and not form.is_valid():
        entries, status = entries.none(), 400
    elif form.is_bound:
        entries = form.filter(entries)
    head = AuditEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
    context = {
        "form": form,
        "page": _page(request, entries, request.GET.get("page")),
        "head": head,
        "retention_days": retention_days(),
        "formats": list(FORMATS),
    }
    return render(request, "audit/search.html", context, status=status)


@login_required
def search_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The filtered log as CSV or XLSX; the export is itself an entry."""
    _auditor_only(request)
    form = AuditFilterForm(request.GET)
    if (refused := _export_refused(kind, form)) is not None:
        return refused
    return export(
        actor=request.user,
        entries=form.filter(AuditEntry.objects.all()),
        kind=kind,
        report="audit-log",
        detail={"filters": form.used()},
        ip=client_ip(request),
    )


@login_required
def access(request: HttpRequest) -> HttpResponse:
    """个人信息访问记录: GET shows the form; POST looks the person up (audited) and lists the
    entries about them, a page at a time (the pager posts the form again)."""
    _auditor_only(request)
    form = PersonForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "formats": list(FORMATS)}
    status = 200
    if form.is_bound and form.is_valid():
        person, entries = access_report(
            actor=request.user,
            id_number=form.cleaned_data["id_number"],
            phone=form.cleaned_data["phone"],
            ip=client_ip(request),
        )
        context |= {"person": person, "page": _page(request, entries, request.POST.get("page"))}
    elif form.is_bound:
        status = 400
    return render(request, "audit/access.html", context, status=status)


@login_required
@require_POST
def access_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The access report as CSV or XLSX (the export entry names the person, masked)."""
    _auditor_only(request)
    form = PersonForm(request.POST)
    if (refused := _export_refused(kind, form)) is not None:
        return refused
    person = find_person(id_number=form.cleaned_data["id_number"], phone=form.cleaned_data["phone"])
    return export(
        actor=request.user,
        entries=entries_about(person),
        kind=kind,
        report="access-report",
        detail={"person": person.describe(), "parties": len(person.parties)},
        ip=client_ip(request),
    )
