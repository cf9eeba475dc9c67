"""A service request as GeoReport v2 answers it: the spec's field names, w3 date-times with the
offset, nothing personal about the reporter. `describe` reads rows from
`services._with_case`, which fetched the case, its 办结 clock and its closing events."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.cases.choices import OPEN_STATUSES

from .models import ServiceRequest
from .services import MEDIA_LINE, service_notice


def w3(moment: dt.datetime | None) -> str | None:
    """2026-09-15T10:00:00+08:00: local time with its offset, as the spec requires."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def describe(request: ServiceRequest) -> dict:
    case = request.case
    agency = case.lead_org or case.registered_org
    return {
        "service_request_id": case.tracking_code,
        "status": open_or_closed(case.status),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category else None,
        "service_code": case.category.code if case.category else None,
        "description": _description(request),
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": w3(case.received_at),
        "updated_datetime": w3(updated_at(case)),
        "expected_datetime": w3(expected_at(case)),
        "address": case.address or _place(case),
        "address_id": case.division_id,
        "lat": case.lat,
        "long": case.lng,
        "media_url": request.media_url or None,
    }


def created(request: ServiceRequest) -> dict:
    """The answer to a POST: realtime, so the id now and no token."""
    return {
        "service_request_id": request.case.tracking_code,
        "service_notice": service_notice(request),
        "account_id": None,
    }


def token(request: ServiceRequest) -> dict:
    return {"service_request_id": request.case.tracking_code, "token": request.token}


def open_or_closed(status: str) -> str:
    """The spec knows two states: reported (open) and resolved (closed). Refused and referred
    cases are closed too: the center will do nothing more with them."""
    return "open" if status in OPEN_STATUSES else "closed"


def status_notes(case) -> str:
    """The reply once resolved; the reason when refused or referred; else the status in words
    (已受理, 办理中 …), which says more than "open"."""
    label = str(case.status_choice.label)
    if case.status in OPEN_STATUSES:
        return label
    if case.reply:
        return case.reply
    reasons = [event.comment for event in case.closing_events if event.comment]
    return f"{label}：{reasons[0]}" if reasons else label


def updated_at(case) -> dt.datetime:
    """The spec: for a closed request, when it was closed (resolved, or refused or referred);
    otherwise the last change."""
    if case.status in OPEN_STATUSES:
        return case.updated_at
    return case.resolved_at or case.closed_at or case.updated_at


def expected_at(case) -> dt.datetime | None:
    """When the case is due to be resolved (its running 办结 node), while it is open."""
    if case.status not in OPEN_STATUSES or not case.resolve_clocks:
        return None
    return case.resolve_clocks[0].due_at


def _description(request: ServiceRequest) -> str:
    """The case's description without the media line submission added for the staff."""
    text = request.case.description
    suffix = MEDIA_LINE + request.media_url
    if request.media_url and text.endswith(suffix):
        return text[: -len(suffix)]
    return text


def _place(case) -> str:
    """No address text (a point was sent): the town or village it was placed in."""
    return case.division.name if case.division_id else ""
