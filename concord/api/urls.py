"""The JSON API under /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError

from concord.accounts.api import router as accounts_router
from concord.agency.api import router as agency_router
from concord.appointments.api import router as appointments_router
from concord.audit.api import router as audit_router
from concord.cases.api import router as cases_router
from concord.consultations.api import router as consultations_router
from concord.core.errors import ServiceError
from concord.core.health import system_health
from concord.core.middleware import carries_nul
from concord.courts.api import router as courts_router
from concord.dashboard.api import router as stats_router
from concord.dashboard.map_api import router as map_router
from concord.deadlines.api import router as deadlines_router
from concord.duplicates.api import router as duplicates_router
from concord.evaluation.api import router as evaluation_router
from concord.imports.api import router as imports_router
from concord.linkage.api import router as linkage_router
from concord.mediation.api import router as mediation_router
from concord.orgs.api import router as orgs_router
from concord.risk.api import router as risk_router
from concord.routing.api import router as routing_router
from concord.summons.api import router as summons_router
from concord.triage.api import router as triage_router

from .auth import API_AUTH


class ErrorOut(Schema):
    """What every refusal carries (the exception handlers below write it)."""

    detail: str = Field(description="说明（中文）")
    code: str = Field("", description="invalid_input, not_found, forbidden, conflict …")
    field: str | None = Field(None, description="出错的字段")
    errors: dict[str, str] | None = Field(None, description="每个出错字段的说明")


# Any operation may be refused so; the document says it, for clients and for the fuzzer.
REFUSALS = {
    400: "请求无效",
    401: "未登录或令牌无效",
    403: "无权操作",
    404: "不存在或不在本人可见范围内",
    409: "状态冲突（已被他人处理或当前状态不允许）",
    413: "请求体过大",
    422: "输入有误",
    429: "请求过于频繁",
}


class ConcordAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = (
            ErrorOut.model_json_schema()
        )
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, text in REFUSALS.items():
                    operation["responses"].setdefault(
                        str(status), {"description": text, "content": body}
                    )
        return schema


api = ConcordAPI(
    title="Concord API",
    version="1",
    description="县级社会矛盾纠纷调处化解中心：事项登记、流转、办理与查询。",
    auth=API_AUTH,
    urls_namespace="api",
)


def _field_path(loc: list) -> str:
    # ninja reports ["body", "payload", "parties", 0, "phone"]; clients want "parties[0].phone".
    parts = [p for p in loc if p not in ("body", "payload", "query", "path", "filters")]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError):
    errors = {_field_path(list(e.get("loc", []))): e.get("msg", "invalid") for e in exc.errors}
    detail = "；".join(f"{field}: {msg}" for field, msg in errors.items())
    body = {"detail": detail, "code": "invalid_input", "errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError):
    body = {"detail": _("未登录或令牌无效"), "code": "unauthenticated"}
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        detail = _("请求体无法解析：应为 UTF-8 编码的 JSON")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError):
    # PostgreSQL stores no NUL character: one sent in any field or parameter that reaches a
    # query fails there. It is the input that is wrong (422), not the server (500).
    if not carries_nul(exc):
        raise exc
    body = {"detail": _("含有不可见的控制字符"), "code": "invalid_input"}
    return api.create_response(request, body, status=422)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig):
    return api.create_response(
        request, {"detail": _("请求体过大"), "code": "too_large"}, status=413
    )


class HealthOut(Schema):
    status: str = Field(description="ok | degraded (the broker is down: intake still works)")
    database: str = Field(description="ok | unreachable")
    broker: str = Field(description="ok | unreachable | not_configured (jobs run in-process)")
    version: str


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["system"])
def health(request: HttpRequest):
    """Readiness, without authentication: 503 when the database is unreachable, 200 with
    "degraded" when only the broker is (/healthz is the bare liveness check)."""
    return Status(*system_health())


api.add_router("/auth", accounts_router, tags=["auth"])
api.add_router("/cases", cases_router, tags=["cases"])
api.add_router("", orgs_router, tags=["organisations"])
api.add_router("", deadlines_router, tags=["deadlines"])
api.add_router("", routing_router, tags=["routing"])
api.add_router("", mediation_router, tags=["mediation"])
api.add_router("/summons", summons_router, tags=["summons"])
api.add_router("/court-referrals", courts_router, tags=["court referrals"])
api.add_router("", consultations_router, tags=["consultations"])
api.add_router("", agency_router, tags=["petition agency"])
api.add_router("", linkage_router, tags=["linkage"])
api.add_router("", appointments_router, tags=["appointments"])
api.add_router("", evaluation_router, tags=["evaluation"])
api.add_router("/stats", stats_router, tags=["statistics"])
api.add_router("/stats", map_router, tags=["statistics"])
api.add_router("/imports", imports_router, tags=["imports"])
api.add_router("/triage", triage_router, tags=["triage"])
api.add_router("", duplicates_router, tags=["duplicates"])
api.add_router("", risk_router, tags=["risk"])
api.add_router("/audit", audit_router, tags=["audit"])
