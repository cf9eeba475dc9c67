"""The command map (一屏观全域): a dot per open case coloured by risk, the open cases that have
no place on the map counted per town, and the panel a click on a dot opens.

The wall screen asks again every 15 seconds and a county of a million cases holds some
100,000 open ones, so the dots never become Python objects: the database writes them as one
JSON text of compact rows, read through an index of open cases (no joins, no ordering).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Count, Q, QuerySet, TextField
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.cases.choices import OPEN_STATUSES, Channel, PartyRole, RiskLevel
from concord.cases.models import Case, Category, Party
from concord.core.dates import local_time
from concord.core.errors import InvalidInput, NotFound
from concord.geo.models import Division

from .scope import stats_scope

DESCRIPTION_CHARS = 200
# Longer than any code or value the filters know: anything past it is not worth a lookup.
PARAM_MAX = 64
# The map's colours (红橙黄蓝), also the legend's.
RISK_COLOURS = {
    RiskLevel.RED: "#e53935",
    RiskLevel.ORANGE: "#fb8c00",
    RiskLevel.YELLOW: "#fdd835",
    RiskLevel.BLUE: "#1e88e5",
}


@dataclass(frozen=True)
class MapFilters:
    """What the map shows: a division subtree (None: the user's territory) and optionally one
    risk level, one category (with its sub-categories) and one channel."""

    division: str | None = None
    risk: str | None = None
    category: str | None = None
    channel: str | None = None


def parse_filters(params: Mapping[str, Any]) -> MapFilters:
    """The filters from a query (page or API); an unknown value is refused, never ignored: an
    empty map that looks like good news would be worse than an error."""
    values = {name: _text(params.get(name)) for name in ("division", "risk", "category", "channel")}
    errors = {}
    for name, value in values.items():
        if value and len(value) > PARAM_MAX:
            errors[name] = _("取值过长")
    if (risk := values["risk"]) and risk not in RiskLevel.values and "risk" not in errors:
        errors["risk"] = _("风险等级应为 red、orange、yellow、blue 之一")
    if (channel := values["channel"]) and channel not in Channel.values and "channel" not in errors:
        errors["channel"] = _("来源渠道不存在：%(value)s") % {"value": channel}
    if errors:
        raise InvalidInput(errors)
    return MapFilters(**values)


def _text(value: Any) -> str | None:
    if isinstance(value, list | tuple):  # a QueryDict's getlist, or a repeated parameter
        value = value[-1] if value else None
    text = str(value).strip() if value is not None else ""
    return text or None


def open_cases(user: User, filters: MapFilters) -> tuple[QuerySet[Case], Division]:
    """The user's open cases matching the filters, unordered, and the division looked at.
    Raises InvalidInput (bad code, unknown category) or Forbidden (outside the territory)."""
    cases, division = stats_scope(user, filters.division)
    cases = cases.filter(status__in=OPEN_STATUSES)
    if filters.risk:
        cases = cases.filter(risk_level=filters.risk)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.category:
        # A top-level category stands for its sub-categories too, as on the case list. Ids
        # read first keep the map's query free of joins.
        ids = list(
            Category.objects.filter(
                Q(code=filters.category) | Q(parent__code=filters.category)
            ).values_list("pk", flat=True)
        )
        if not ids:
            raise InvalidInput(
                {"category": _("类别不存在：%(value)s") % {"value": filters.category}}
            )
        cases = cases.filter(category_id__in=ids)
    # Without this the model's ordering would sort every row for nothing.
    return cases.order_by(), division


class JSONRows(Aggregate):
    """The rows' values as one JSON text, `[[a, b, …], …]`, written by the database. Reading
    100,000 rows into Python and encoding them again takes longer than the whole query."""

    function = "JSON_AGG"
    template = "%(function)s(JSON_BUILD_ARRAY(%(expressions)s))"
    output_field = TextField()
    empty_result_set_value = "[]"

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, **extra_context)
        # json_agg of no rows is NULL; as text, so that the driver does not decode it.
        return f"COALESCE(({sql})::text, '[]')", params

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="JSON_GROUP_ARRAY",
            template="%(function)s(JSON_ARRAY(%(expressions)s))",
            **extra_context,
        )


def located(cases: QuerySet[Case]) -> tuple[str, int]:
    """The dots as JSON text, `[[id, lng, lat, risk_level], …]`, and how many there are."""
    rows = cases.filter(lat__isnull=False, lng__isnull=False).aggregate(
        points=JSONRows("id", "lng", "lat", "risk_level"), n=Count("id")
    )
    return rows["points"], rows["n"]


def without_coordinates(cases: QuerySet[Case]) -> list[dict]:
    """Per town, how many of the cases have no coordinates: {code, name, n}, most first. Cases
    placed on the county itself (no town) come under the code None."""
    rows = (
        cases.filter(Q(lat__isnull=True) | Q(lng__isnull=True))
        .values("town_id", "town__name")
        .annotate(n=Count("id"))
        .order_by("-n", "town_id")
    )
    return [
        {"code": row["town_id"], "name": row["town__name"] or _("未指明乡镇"), "n": row["n"]}
        for row in rows
    ]


def map_data(user: User, filters: MapFilters) -> dict:
    """The map's answer: the division, the dots (`points`, JSON text), the town table and
    the totals."""
    cases, division = open_cases(user, filters)
    points, n = located(cases)
    missing = without_coordinates(cases)
    return {
        "division": {"code": division.code, "name": division.name, "level": division.level},
        "points": points,
        "without_coordinates": missing,
        "located": n,
        "total": n + sum(row["n"] for row in missing),
        "generated_at": timezone.now(),
    }


def panel(user: User, case_id: int, division: str | None = None) -> dict:
    """What a click on a dot shows: who handles the case, where, whom to call (masked), what
    it is about and where its page is. A case outside the user's scope or outside the division
    looked at does not exist (404)."""
    cases, _division = stats_scope(user, division)
    case = (
        cases.select_related("lead_org", "division", "town")
        .only(
            "id",
            "tracking_code",
            "title",
            "description",
            "address",
            "status",
            "risk_level",
            "received_at",
            "lead_org__name",
            "division__name",
            "division__level",
            "town__name",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("事项不存在"))
    applicant = (
        Party.objects.filter(case_id=case.pk, role=PartyRole.APPLICANT)
        .only("name", "phone")
        .order_by("id")
        .first()
    )
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "title": case.title,
        "organisation": case.lead_org.name if case.lead_org else _("待分派"),
        "assigned": case.lead_org_id is not None,
        "address": _address(case),
        "contact": {
            "name": applicant.name if applicant else "",
            "phone": applicant.phone_masked if applicant else "",
        },
        "description": Truncator(case.description).chars(DESCRIPTION_CHARS, truncate="…"),
        "status": case.status,
        "status_label": case.get_status_display(),
        "risk_level": case.risk_level,
        "risk_label": case.get_risk_level_display(),
        "risk_colour": RISK_COLOURS.get(case.risk_level, ""),
        "received_at": case.received_at,
        "received_at_text": local_time(case.received_at),
        "url": reverse("cases:detail", kwargs={"case_id": case.pk}),
    }


def _address(case: Case) -> str:
    """百官街道 龙山社区 人民路12号: town, village (when not the town itself), street address."""
    names = []
    if case.town_id:
        names.append(case.town.name)
    if case.division_id != case.town_id:
        names.append(case.division.name)
    if case.address:
        names.append(case.address)
    return " ".join(names)
