"""The JSON API under /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from concord.accounts.api import router as accounts_router
from concord.agency.api import router as agency_router
from concord.appointments.api import router as appointments_router
from concord.cases.api import router as cases_router
from concord.consultations.api import router as consultations_router
from concord.core.errors import ServiceError
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

api = NinjaAPI(
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


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig):
    return api.create_response(
        request, {"detail": _("请求体过大"), "code": "too_large"}, status=413
    )


class HealthOut(Schema):
    status: str
    database: str


@api.get("/health", auth=None, response=HealthOut, tags=["system"])
def health(request: HttpRequest):
    """Liveness and database reachability, without authentication."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": "ok"}


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
