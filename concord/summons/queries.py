"""The 吹哨报到 timeliness report: per summoned organisation, in two queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from .models import SummonsTarget

_TO_ACK = ExpressionWrapper(F("acknowledged_at") - F("summons__issued_at"), DurationField())
_TO_ARRIVE = ExpressionWrapper(F("arrived_at") - F("summons__issued_at"), DurationField())


def timeliness(
    cases: QuerySet, *, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[dict]:
    """For summonses issued in [start, end) on `cases` (already scoped), per organisation:
    summoned, acknowledged on time, arrived on time, late (late on either act, or past a due
    time now and still waiting), escalated, and average minutes to 签到 and 到场.

    Worst first: most late, then lowest arrived-on-time share."""
    late = (
        Q(ack_late=True)
        | Q(arrive_late=True)
        | Q(acknowledged_at=None, ack_due_at__lt=now)
        | Q(arrived_at=None, arrive_due_at__lt=now)
    )
    rows = (
        SummonsTarget.objects.filter(
            case__in=cases.values("pk"),
            summons__issued_at__gte=start,
            summons__issued_at__lt=end,
        )
        .values("organisation", "organisation__name")
        .annotate(
            summoned=Count("pk"),
            ack_on_time=Count("pk", filter=Q(acknowledged_at__isnull=False, ack_late=False)),
            arrived_on_time=Count("pk", filter=Q(arrived_at__isnull=False, arrive_late=False)),
            late=Count("pk", filter=late),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
            to_ack=Avg(_TO_ACK),
            to_arrive=Avg(_TO_ARRIVE),
        )
        .order_by()
    )
    report = []
    for row in rows:
        report.append(
            {
                "org": row["organisation"],
                "name": row["organisation__name"],
                "summoned": row["summoned"],
                "ack_on_time": row["ack_on_time"],
                "arrived_on_time": row["arrived_on_time"],
                "late": row["late"],
                "escalated": row["escalated"],
                "avg_ack_minutes": _minutes(row["to_ack"]),
                "avg_arrive_minutes": _minutes(row["to_arrive"]),
                "arrive_rate": round(100 * row["arrived_on_time"] / row["summoned"], 1),
            }
        )
    report.sort(key=lambda r: (-r["late"], r["arrive_rate"], r["name"]))
    return report


def _minutes(value) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else value / 1_000_000
    return round(seconds / 60, 1)
