"""Open311 GeoReport v2 over the case model: services are the active level-2 categories, a
service request is a case registered by the sending system's account.

`service_request_id` is the case's tracking code (SY2611230042): the number the citizen is told
and reads over the phone, the one the portal tracks. Internal ids never leave Concord.

Privacy (PIPL): the spec lets anyone read requests; here reading needs the same key as sending,
and a system reads only the requests it sent through Open311. Names, phones and e-mails are
never answered (the spec's request has no such fields); the description, address and the
center's reply are, because the system itself sent the first two and asked for the third.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from concord.cases.choices import OPEN_STATUSES, Action, CaseType, PartyRole
from concord.cases.models import CaseEvent, Category
from concord.cases.services import CaseDraft, PartyDraft, register_case
from concord.core.dates import local_midnight
from concord.core.errors import Forbidden, ServiceError
from concord.core.limits import ADDRESS_MAX, NAME_MAX
from concord.core.pii import phone_problem
from concord.deadlines.models import Deadline
from concord.geo.geometry import point_in_outline
from concord.geo.loader import county_outline
from concord.geo.models import Division, DivisionLevel
from concord.geo.places import locate
from concord.integrations.keys import system_for_key
from concord.integrations.models import ExternalSystem

from .formats import Open311Error
from .models import ServiceRequest

SCOPE = "open311"
# The spec: "free form text limited to 4,000 characters".
DESCRIPTION_MAX = 4000
MEDIA_URL_MAX = 500
EMAIL_MAX = 254
# The spec: a search spans at most 90 days and returns at most the first 1000 requests.
SEARCH_DAYS = 90
SEARCH_MAX = 1000
# Stored in the case's description for the staff who read it, so it is the center's language.
MEDIA_LINE = "\n\n附图链接："
NAME_NOT_GIVEN = "（未留姓名）"
_DIVISION_CODE = re.compile(r"^\d{12}$")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_CJK = re.compile(r"[\u3400-\u9fff]")
# Control characters other than tab and line breaks: PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What register_case calls a field, in the spec's words, for error descriptions.
_FIELD_NAMES = {
    "description": "description",
    "title": "description",
    "address": "address_string",
    "lat": "lat",
    "category": "service_code",
    "division": "address_id",
    "parties[0].name": "first_name/last_name",
    "parties[0].phone": "phone",
}


# Keys


def system_for(api_key: str | None) -> ExternalSystem:
    """The system holding this key and allowed Open311, or a 403 that says which is wrong."""
    if not api_key:
        raise Open311Error(403, _("缺少 api_key：Open311 提交和查询须使用对接系统的密钥"))
    system = system_for_key(api_key)
    if system is None:
        raise Open311Error(403, _("api_key 无效或已停用"))
    if not system.allows(SCOPE):
        raise Open311Error(403, _("该密钥未开通 Open311 接口权限"))
    return system


# Services


def _services() -> QuerySet[Category]:
    return Category.objects.filter(
        parent__isnull=False, parent__active=True, active=True
    ).select_related("parent")


def service_list() -> list[dict]:
    """GET services: one realtime service per active level-2 category, grouped by its parent."""
    categories = _services().order_by("parent__sort_order", "parent__code", "sort_order", "code")
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": str(c),
            "metadata": False,
            "type": "realtime",
            "keywords": ", ".join([c.name, c.parent.name]),
            "group": c.parent.name,
        }
        for c in categories
    ]


def service_definition(code: str) -> dict:
    """GET a service definition: no service asks for attributes beyond the spec's fields."""
    if not _services().filter(code=code).exists():
        raise Open311Error(404, _("服务类型 %(code)s 不存在") % {"code": code})
    return {"service_code": code, "attributes": []}


# Posting a request


@dataclass(frozen=True)
class Location:
    division: str  # 12-digit code; "" for the county
    address: str
    lat: float | None
    lng: float | None


def submit_request(system: ExternalSystem, params: Mapping[str, object]) -> ServiceRequest:
    """POST a service request.

    1. Check every field in the spec's terms (service_code, a location, description, the
       reporter) and answer all problems at once.
    2. Place it: address_id is a division code; address_string goes through the gazetteer;
       lat/long alone finds the nearest town centre; an address naming nothing known stays
       at county level with its text.
    3. Register the case as the system's account (the system's channel, source = its code),
       the reporter as applicant, and record the Open311 request: one transaction.
    """
    errors: list[str] = []
    code = _text(params, "service_code", 64, errors, required=True)
    category = _services().filter(code=code).first() if code else None
    description = _text(params, "description", DESCRIPTION_MAX, errors, required=True)
    media_url = _media_url(params, errors)
    email = _email(params, errors)
    parties = _reporter(params, errors)
    location = _location(params, errors)
    unknown = _("服务类型 %(code)s 不存在，请先查询 services") % {"code": code}
    if errors:
        raise Open311Error(400, *([unknown] if code and category is None else []), *errors)
    if category is None:
        raise Open311Error(404, unknown)  # the spec: a service_code not found is a 404

    draft = CaseDraft(
        type=CaseType.DISPUTE,
        channel=system.channel,
        title=description[:30],  # not the media line
        description=description + (MEDIA_LINE + media_url if media_url else ""),
        category=category.code,
        division=location.division,
        address=location.address,
        lat=location.lat,
        lng=location.lng,
        source=system.code,
        parties=parties,
    )
    try:
        # One transaction: a case without its Open311 record would be one the system that
        # sent it can never read back.
        with transaction.atomic():
            case = register_case(actor=system.account, draft=draft)
            return ServiceRequest.objects.create(
                case=case,
                system=system,
                media_url=media_url,
                email=email,
                requested_at=case.received_at,
            )
    except ServiceError as error:
        raise _refusal(error) from error


def service_notice(request: ServiceRequest) -> str:
    return _("已收到，查询码 %(code)s。%(org)s将尽快受理，可凭查询码查询办理进展。") % {
        "code": request.case.tracking_code,
        "org": request.case.registered_org.name if request.case.registered_org else "",
    }


def _refusal(error: ServiceError) -> Open311Error:
    status = 403 if isinstance(error, Forbidden) else 400
    errors = getattr(error, "errors", None)
    if not errors:
        return Open311Error(status, error.message)
    return Open311Error(
        status,
        *(f"{_FIELD_NAMES.get(field, field)}: {message}" for field, message in errors.items()),
    )


def _text(
    params: Mapping[str, object], name: str, limit: int, errors: list, required: bool = False
) -> str:
    value = params.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        errors.append(_("%(name)s 应为文字") % {"name": name})
        return ""
    text = str(value).strip()
    if _CONTROL.search(text):
        errors.append(_("%(name)s 含有不可见的控制字符") % {"name": name})
        return ""
    if required and not text:
        errors.append(_("请提供 %(name)s") % {"name": name})
    elif len(text) > limit:
        errors.append(
            _("%(name)s 不能超过%(max)d字（现为%(length)d字）")
            % {"name": name, "max": limit, "length": len(text)}
        )
        return ""
    return text


def _media_url(params: Mapping[str, object], errors: list) -> str:
    url = _text(params, "media_url", MEDIA_URL_MAX, errors)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.append(_("media_url 应为 http 或 https 链接"))
            return ""
    return url


def _email(params: Mapping[str, object], errors: list) -> str:
    email = _text(params, "email", EMAIL_MAX, errors)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.append(_("email 格式不正确"))
            return ""
    return email


def _reporter(params: Mapping[str, object], errors: list) -> list[PartyDraft]:
    """The person submitting, as the applicant party, when they gave a name or a phone."""
    first = _text(params, "first_name", NAME_MAX, errors)
    last = _text(params, "last_name", NAME_MAX, errors)
    phone = _text(params, "phone", 20, errors)
    if phone and (problem := phone_problem(phone)):
        errors.append(f"phone: {problem}")
    # 张 + 三 is 张三; John + Smith is John Smith.
    name = last + first if _CJK.search(first + last) else f"{first} {last}".strip()
    if len(name) > NAME_MAX:
        errors.append(_("first_name 与 last_name 合计不能超过%(max)d字") % {"max": NAME_MAX})
    if not (name or phone):
        return []
    return [PartyDraft(role=PartyRole.APPLICANT, name=name or NAME_NOT_GIVEN, phone=phone)]


def _location(params: Mapping[str, object], errors: list) -> Location:
    address = _text(params, "address_string", ADDRESS_MAX, errors)
    address_id = _text(params, "address_id", 12, errors)
    lat, lng = _coordinates(params, errors)
    if not (address or address_id or lat is not None):
        errors.append(_("请提供位置：lat 与 long，或 address_string，或 address_id"))
        return Location("", "", None, None)
    division = ""
    if address_id:
        if not _DIVISION_CODE.match(address_id):
            errors.append(_("address_id 应为12位行政区划代码"))
        elif not Division.objects.filter(code=address_id).exists():
            errors.append(_("address_id %(code)s 不在本县（区）范围内") % {"code": address_id})
        else:
            division = address_id
    if not division and address:
        division = locate(address).division or ""
    if not division and lat is not None:
        division = _nearest_town(lat, lng) or ""
    return Location(division, address, lat, lng)


def _coordinates(params: Mapping[str, object], errors: list) -> tuple[float | None, float | None]:
    raw_lat, raw_lng = params.get("lat"), params.get("long")
    raw_lat = None if raw_lat in (None, "") else raw_lat
    raw_lng = None if raw_lng in (None, "") else raw_lng
    if raw_lat is None and raw_lng is None:
        return None, None
    if raw_lat is None or raw_lng is None:
        errors.append(_("lat 与 long 须同时提供"))
        return None, None
    try:
        lat, lng = float(raw_lat), float(raw_lng)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors.append(_("lat 与 long 应为数字（WGS84 经纬度）"))
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        errors.append(_("lat 与 long 超出经纬度范围"))
        return None, None
    outline = county_outline(county_code())
    if outline and not point_in_outline(lat, lng, outline):
        errors.append(
            _("位置（%(lat)s, %(lng)s）不在本县（区）范围内") % {"lat": raw_lat, "lng": raw_lng}
        )
        return None, None
    return lat, lng


def _nearest_town(lat: float, lng: float) -> str | None:
    """The town whose centre is nearest: a point names no address, and a town is the level a
    case is handled and counted at. Distances on a small area: degrees of longitude shrink by
    cos(latitude)."""
    towns = Division.objects.filter(
        level=DivisionLevel.TOWN, lat__isnull=False, lng__isnull=False
    ).values_list("code", "lat", "lng")
    shrink = math.cos(math.radians(lat))
    nearest = min(
        towns,
        key=lambda t: (t[1] - lat) ** 2 + ((t[2] - lng) * shrink) ** 2,
        default=None,
    )
    return nearest[0] if nearest else None


# Reading requests


def _with_case(rows: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """Everything `describe` reads, in three queries for any number of requests."""
    resolve_clock = Deadline.objects.filter(code="resolve", task=None, met_at=None).order_by(
        "-started_at", "-pk"
    )
    closing = CaseEvent.objects.filter(action__in=[Action.REFUSE, Action.REFER]).order_by(
        "-created_at", "-id"
    )
    return rows.select_related(
        "case__category", "case__lead_org", "case__registered_org", "case__division"
    ).prefetch_related(
        Prefetch("case__deadlines", queryset=resolve_clock, to_attr="resolve_clocks"),
        Prefetch("case__events", queryset=closing, to_attr="closing_events"),
    )


def find_request(system: ExternalSystem, service_request_id: str) -> ServiceRequest:
    row = (
        _with_case(ServiceRequest.objects.filter(system=system))
        .filter(case__tracking_code=service_request_id)
        .first()
    )
    if row is None:
        raise Open311Error(
            404, _("服务请求 %(id)s 不存在或不是本系统提交的") % {"id": service_request_id}
        )
    return row


def find_requests(system: ExternalSystem, params: Mapping[str, str]) -> list[ServiceRequest]:
    """GET service requests of this system: by service_request_id (a comma list, which
    overrides everything else), or by service_code, status and a date range of at most 90
    days (default: the last 90), newest first, at most 1000."""
    rows = ServiceRequest.objects.filter(system=system)
    if bad := [
        n for n in ("service_request_id", "service_code") if _CONTROL.search(params.get(n) or "")
    ]:
        raise Open311Error(
            400, *(_("%(name)s 含有不可见的控制字符") % {"name": name} for name in bad)
        )
    if ids := _comma(params.get("service_request_id")):
        if len(ids) > SEARCH_MAX:
            raise Open311Error(400, _("service_request_id 一次最多%(max)d个") % {"max": SEARCH_MAX})
        return list(_with_case(rows.filter(case__tracking_code__in=ids))[:SEARCH_MAX])
    errors: list[str] = []
    if codes := _comma(params.get("service_code")):
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        if unknown := [c for c in codes if c not in known]:
            errors.append(_("服务类型不存在：%(codes)s") % {"codes": ", ".join(unknown)})
        rows = rows.filter(case__category__code__in=codes)
    if statuses := _comma(params.get("status")):
        if unknown := [s for s in statuses if s not in ("open", "closed")]:
            errors.append(
                _("status 只能是 open 或 closed，收到：%(values)s") % {"values": ", ".join(unknown)}
            )
        elif set(statuses) == {"open"}:
            rows = rows.filter(case__status__in=OPEN_STATUSES)
        elif set(statuses) == {"closed"}:
            rows = rows.exclude(case__status__in=OPEN_STATUSES)
    start, end = _date_range(params, errors)
    if errors:
        raise Open311Error(400, *errors)
    rows = rows.filter(requested_at__gte=start, requested_at__lte=end)
    return list(_with_case(rows).order_by("-requested_at", "-id")[:SEARCH_MAX])


def request_for_token(token: str) -> ServiceRequest:
    row = ServiceRequest.objects.select_related("case").filter(token=token).first()
    if not _TOKEN.match(token) or row is None:
        raise Open311Error(404, _("令牌 %(token)s 不存在") % {"token": token[:64]})
    return row


def _comma(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date_range(params: Mapping[str, str], errors: list) -> tuple[dt.datetime, dt.datetime]:
    start = _moment(params, "start_date", errors)
    end = _moment(params, "end_date", errors)
    span = dt.timedelta(days=SEARCH_DAYS)
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = (end or timezone.now()) - span
    if end is None:
        end = start + span
    if end < start:
        errors.append(_("end_date 不能早于 start_date"))
    elif end - start > span:
        errors.append(_("start_date 至 end_date 不能超过%(days)d天") % {"days": SEARCH_DAYS})
    return start, end


def _moment(params: Mapping[str, str], name: str, errors: list) -> dt.datetime | None:
    """A w3 date-time (2010-01-01T00:00:00Z) or date; one without offset is local time."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    moment = _parsed(raw)
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        return local_midnight(moment)
    if moment is None:
        errors.append(
            _("%(name)s 应为 W3C 日期时间，如 2026-01-01T00:00:00+08:00") % {"name": name}
        )
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _parsed(raw: str) -> dt.datetime | dt.date | None:
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    for text in (raw, raw.replace(" ", "+")):
        try:
            if moment := parse_datetime(text) or parse_date(text):
                return moment
        except ValueError:  # well-formed but impossible (2026-02-30)
            continue
    return None


def county_code() -> str:
    return settings.CONCORD["COUNTY_CODE"] + "000000"
