"""网格上报: a grid worker reports an event from the field. It is registered as a dispute from
the grid channel in a village of the worker's town, with its photos, and then waits for
acceptance and routing like any case (the "网格上报：村级办理" rule suggests the village's
mediation committee)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.attachments import Photo, attach_photos, check_photos, discard_files
from concord.cases.choices import CaseType, Channel
from concord.cases.models import Attachment, Case
from concord.cases.scope import visible_cases
from concord.cases.services import CaseDraft, register_case
from concord.core.errors import Forbidden, InvalidInput
from concord.geo.models import Division, DivisionLevel

# A box around the mainland and islands of China: a fix outside it is a device or input error.
CHINA_LAT = (3.8, 53.6)
CHINA_LNG = (73.5, 135.1)
RECENT_REPORTS = 10


@dataclass
class EventReport:
    """What the grid worker says about an event."""

    description: str
    village: str
    category: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None


def villages_of(actor: User) -> QuerySet[Division]:
    """The villages of the worker's town: where a grid worker may report from."""
    org = actor.organisation
    town = org.division.town_code if org is not None else None
    if town is None:
        return Division.objects.none()
    return Division.objects.filter(parent_id=town, level=DivisionLevel.VILLAGE).order_by("code")


def default_village(actor: User) -> str:
    """The grid's own village when it sits on one, else the first village of its town."""
    org = actor.organisation
    if org is not None and org.division.level == DivisionLevel.VILLAGE:
        return org.division_id
    first = villages_of(actor).values_list("code", flat=True).first()
    return first or ""


def report_event(*, actor: User, report: EventReport, photos: Sequence[UploadedFile] = ()) -> Case:
    """Register the event as a case and keep its photos, all or nothing.

    1. Only a grid worker reports; the village must be in the worker's town, the position
       both-or-neither and inside China, and the photos JPEG/PNG/WebP within the limits. Every
       problem is named at once, before anything is written.
    2. In one transaction: `register_case` (type dispute, channel grid, the worker as actor)
       checks and writes the case, then the photos are stored with it.
    3. If anything fails after files were written, they are removed: a refused report leaves
       no case and no file behind.
    """
    if actor.role != Role.GRID:
        raise Forbidden(_("只有网格员可以网格上报"))
    errors: dict[str, str] = {}
    if not villages_of(actor).filter(code=report.village).exists():
        errors["village"] = _("请选择本镇街的村（社区）")
    if problem := _position_problem(report.lat, report.lng):
        errors["lat"] = problem
    checked: list[Photo] = []
    try:
        checked = check_photos(photos)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    draft = CaseDraft(
        type=CaseType.DISPUTE,
        channel=Channel.GRID,
        description=report.description,
        category=report.category,
        division=report.village,
        address=report.address,
        lat=report.lat,
        lng=report.lng,
    )
    stored: list[Attachment] = []
    try:
        # The day's tracking counter is taken inside this transaction and so stays locked
        # while the photos are written: a few megabytes, a price worth one atomic report.
        with transaction.atomic():
            case = register_case(actor=actor, draft=draft)
            stored = attach_photos(case=case, actor=actor, photos=checked)
    except BaseException:
        discard_files(stored)
        raise
    return case


def _position_problem(lat: float | None, lng: float | None) -> str | None:
    if lat is None and lng is None:
        return None
    if lat is None or lng is None:
        return _("定位不完整：经度和纬度须同时提供，请重新定位")
    if not (CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LNG[0] <= lng <= CHINA_LNG[1]):
        return _("定位不在我国境内，请重新定位或不使用定位")
    return None


def recent_reports(actor: User, limit: int = RECENT_REPORTS) -> QuerySet[Case]:
    """The worker's own latest reports, for the list under the form."""
    return (
        visible_cases(actor)
        .filter(registered_by=actor, channel=Channel.GRID)
        .select_related("division")
        .order_by("-received_at", "-id")[:limit]
    )
