"""GeoReport v2 endpoints under /open311/v2/: each parses, calls one service, renders JSON or XML
with the spec's names, and answers every refusal as the spec's error list (400, 403, 404)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from concord.orgs.models import Organisation, OrgKind

from . import serialisers, services
from .formats import FORMATS, Open311Error, render, render_error

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the services or this API last changed in a way clients should re-read (discovery).
CHANGESET = "2026-11-29T00:00:00+08:00"


def open311(*methods: str) -> Callable:
    """Allowed methods, a known format, and Open311Error turned into the spec's answer."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            try:
                if fmt not in FORMATS:
                    raise Open311Error(
                        404, _("不支持的格式 .%(fmt)s：可用 .json 或 .xml") % {"fmt": fmt}
                    )
                if request.method not in methods:
                    raise Open311Error(
                        405,
                        _("该地址不接受 %(method)s 请求，可用：%(allowed)s")
                        % {"method": request.method, "allowed": ", ".join(methods)},
                    )
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = render_error(fmt, error)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return csrf_exempt(wrapper)  # key-authenticated, never a browser session

    return decorate


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where the endpoint is, which formats, whom to ask for a key."""
    center = Organisation.objects.filter(kind=OrgKind.COUNTY_CENTER).order_by("pk").first()
    contact = f"{center.name} {center.phone}".strip() if center else ""
    body = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _("对接密钥由区矛调中心管理员在“系统对接”中开通 Open311 权限后发放"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(request.path.rsplit("/", 1)[0]),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(fmt, "discovery", None, body)


@open311("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", "service", services.service_list())


@open311("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return render(fmt, "service_definition", None, services.service_definition(code))


@open311("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        params = _body(request)
        system = services.system_for(_api_key(request, params))
        created = services.submit_request(system, params)
        return render(fmt, "service_requests", "request", [serialisers.created(created)], 201)
    system = services.system_for(request.GET.get("api_key"))
    rows = services.find_requests(system, request.GET)
    return render(fmt, "service_requests", "request", [serialisers.describe(r) for r in rows])


@open311("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    system = services.system_for(request.GET.get("api_key"))
    row = services.find_request(system, service_request_id)
    return render(fmt, "service_requests", "request", [serialisers.describe(row)])


@open311("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    row = services.request_for_token(token)
    return render(fmt, "service_requests", "request", [serialisers.token(row)])


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404, not an HTML page."""
    fmt = "xml" if path.endswith(".xml") else "json"
    error = Open311Error(
        404,
        _(
            "没有 %(path)s：可用 discovery、services、services/{service_code}、requests、"
            "requests/{service_request_id}、tokens/{token}，后缀 .json 或 .xml"
        )
        % {"path": path[:100]},
    )
    return render_error(fmt, error)


def _body(request: HttpRequest) -> dict[str, object]:
    """The POST fields: form-encoded as the spec sends them, or a JSON object."""
    try:
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise Open311Error(400, _("请求体不是有效的 UTF-8 JSON")) from None
            if not isinstance(body, dict):
                raise Open311Error(400, _("JSON 请求体应为一个对象"))
            return body
        return {name: request.POST.get(name) for name in request.POST}
    except RequestDataTooBig:
        raise Open311Error(400, _("请求体过大")) from None
    except TooManyFieldsSent:
        raise Open311Error(400, _("请求字段过多")) from None


def _api_key(request: HttpRequest, params: dict[str, object]) -> str | None:
    key = params.get("api_key") or request.GET.get("api_key")
    return key if isinstance(key, str) else None
