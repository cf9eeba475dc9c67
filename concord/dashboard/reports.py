"""Monthly and quarterly reports: a division's KPIs (kpis.compute), each town's and department's
with a rank, volumes by category and channel, and the trend against last year; written as an
XLSX of tables and a DOCX with charts (report_files), stored as a `Report`.

A user asks for one on the reports page and it is made in the background; the schedule makes
the county's report of each month and quarter once it is over (`generate_due_reports`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import Channel
from concord.cases.models import Case
from concord.cases.scope import in_division
from concord.core.errors import Forbidden, ServiceError
from concord.core.jobs import enqueue
from concord.evaluation import assessment
from concord.evaluation.choices import Kpi
from concord.evaluation.models import AssessmentScheme
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import Organisation, OrgKind

from . import kpis
from .choices import ReportStatus
from .models import Report
from .report_periods import ReportPeriod, due_periods, next_month, parse_period, title
from .scope import sees_whole_division, stats_scope, territory

log = logging.getLogger(__name__)

TREND_MONTHS = 12
# A report still queued or running after this long died with its process.
STALE = dt.timedelta(minutes=30)

# The assessment's KPIs and the figures that measure them here: the composite score uses the
# assessment scheme's weights over this report's own figures, so a rank and the numbers
# beside it agree. Reopens and ping-pong count as a share of the intake.
SCORED = {
    Kpi.ON_TIME: "on_time_rate",
    Kpi.SATISFACTION: "satisfaction_rate",
    Kpi.RESOLUTION: "resolution_rate",
    Kpi.REOPEN: "reopen_count",
    Kpi.SUMMONS: "summons_timeliness",
    Kpi.PING_PONG: "ping_pong_count",
}


# ---------------------------------------------------------------- content


@dataclass
class Line:
    """A town's (or village's) or a department's figures, its composite score and rank."""

    name: str
    figures: dict[str, kpis.Figure]
    score: float | None = None
    rank: int | None = None


@dataclass
class Content:
    division: Division
    period: ReportPeriod
    counted: kpis.Period
    figures: dict[str, kpis.Figure]
    last_year: dict[str, kpis.Figure]
    areas: list[Line]
    departments: list[Line]
    categories: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    trend: list[tuple[dt.date, int, int]]  # month, its volume, the same month a year before
    scheme: AssessmentScheme
    minimum: int
    made_at: dt.datetime

    @property
    def title(self) -> str:
        return title(self.division.name, self.period)

    @property
    def partial(self) -> bool:
        return self.counted.last < self.period.last

    @property
    def area_label(self) -> str:
        if self.division.level == DivisionLevel.COUNTY:
            return _("乡镇（街道）")
        return _("村（社区）")

    @property
    def weights(self) -> list[tuple[str, float]]:
        """The scheme's weights by the labels of the figures they score."""
        return [
            (str(kpis.BY_KEY[key].label), self.scheme.weights.get(kpi.value, 0))
            for kpi, key in SCORED.items()
        ]


def build(
    cases: QuerySet[Case],
    division: Division,
    period: ReportPeriod,
    *,
    counted: kpis.Period,
    now: dt.datetime | None = None,
) -> Content:
    """Everything a report shows, for `cases` (already scoped to the division)."""
    now = now or timezone.now()
    minimum = kpis.min_sample()
    scheme = assessment.current_scheme()

    def figures(subset: QuerySet[Case], days: kpis.Period = counted) -> dict:
        return kpis.compute(subset, days.first, days.last, now=now, minimum=minimum)

    areas = [
        Line(area.name, figures(in_division(cases, area)))
        for area in Division.objects.filter(parent=division).order_by("code")
    ]
    intake = kpis.intake(cases, counted)
    led = intake.filter(lead_org__kind=OrgKind.DEPARTMENT).values("lead_org")
    departments = [
        Line(org.name, figures(cases.filter(lead_org=org)))
        for org in Organisation.objects.filter(pk__in=led).order_by("code")
    ]
    for lines in (areas, departments):
        _rank(lines, scheme, minimum)
    return Content(
        division=division,
        period=period,
        counted=counted,
        figures=figures(cases),
        last_year=figures(cases, counted.year_before()),
        areas=areas,
        departments=departments,
        categories=_by_category(intake),
        channels=_by_channel(intake),
        trend=_trend(cases, counted),
        scheme=scheme,
        minimum=minimum,
        made_at=now,
    )


def _rank(lines: list[Line], scheme: AssessmentScheme, minimum: int) -> None:
    """Score each line as the assessment does (weights over the KPIs with enough sample,
    lower-is-better ones inverted), best first; ties go to the larger intake. A line whose
    化解率 lacks sample is not ranked: scored on reopens and ping-pong alone, a town with
    eleven cases and no complaint would come first with 100."""
    for line in lines:
        if not line.figures["resolution_rate"].enough:
            continue
        measures = {
            kpi: assessment.measure(kpi, line.figures[key].good, line.figures[key].n, minimum)
            for kpi, key in SCORED.items()
        }
        line.score = assessment.score(measures, scheme.weights)
    lines.sort(key=lambda line: (line.score is None, -(line.score or 0), -line.figures["volume"].n))
    for rank, line in enumerate((line for line in lines if line.score is not None), 1):
        line.rank = rank


def _by_category(intake: QuerySet[Case]) -> list[tuple[str, int]]:
    """Volume by top-level category, largest first."""
    rows = (
        intake.annotate(
            top=Coalesce("category__parent__name", "category__name", Value(_("未分类")))
        )
        .values("top")
        .annotate(n=Count("pk"))
        .order_by("-n", "top")
    )
    return [(row["top"], row["n"]) for row in rows]


def _by_channel(intake: QuerySet[Case]) -> list[tuple[str, int]]:
    rows = intake.values("channel").annotate(n=Count("pk")).order_by("-n", "channel")
    labels = dict(Channel.choices)
    return [(str(labels.get(row["channel"], row["channel"])), row["n"]) for row in rows]


def _trend(cases: QuerySet[Case], counted: kpis.Period) -> list[tuple[dt.date, int, int]]:
    """Monthly volume over the twelve months to the period's end, beside the year before."""
    first = counted.last.replace(day=1)
    for _month in range(TREND_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    window = kpis.Period(first, counted.last)
    now, before = _monthly(cases, window), _monthly(cases, window.year_before())
    months, month = [], first
    while month <= counted.last:
        months.append(month)
        month = next_month(month)
    return [
        (m, now.get((m.year, m.month), 0), before.get((m.year - 1, m.month), 0)) for m in months
    ]


def _monthly(cases: QuerySet[Case], days: kpis.Period) -> dict[tuple[int, int], int]:
    rows = (
        kpis.intake(cases, days)
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["month"].year, row["month"].month): row["n"] for row in rows}


# ---------------------------------------------------------------- stored reports


def can_report(user: User) -> bool:
    return user.is_authenticated and user.role in SUPERVISE_ROLES


def visible_reports(user: User) -> QuerySet[Report]:
    """The reports of the user's territory: the county's and every town's for the county,
    a town's own for the town. One who sees only the cases they hold (a department) sees
    only the reports they asked for, which counted only those."""
    home = territory(user)
    found = Report.objects.filter(division__code__startswith=home.prefix)
    if not sees_whole_division(user):
        found = found.filter(generated_by=user)
    return found.select_related("division", "generated_by")


def report_divisions(user: User) -> list[Division]:
    """The divisions offered in the form: the user's territory, and the county's towns."""
    home = territory(user)
    if home.level != DivisionLevel.COUNTY:
        return [home]
    return [home, *Division.objects.filter(parent=home).order_by("code")]


def request_report(
    *, actor: User, division: str | None, kind: str | None, period: str | None
) -> Report:
    """Queue a report of a division (the actor's territory when empty) for a period. While
    the same report is still queued or running, asking again returns it. The job starts
    once the transaction commits."""
    if not can_report(actor):
        raise Forbidden(_("无权生成统计报表"))
    chosen = parse_period(kind, period)
    _cases, place = stats_scope(actor, division)
    counted = chosen.counted(timezone.localdate())
    with transaction.atomic():
        waiting = Report.objects.filter(
            division=place,
            period_kind=chosen.kind,
            period_start=chosen.first,
            period_end=counted.last,
            status__in=(ReportStatus.PENDING, ReportStatus.RUNNING),
        ).first()
        if waiting:
            return waiting
        report = Report.objects.create(
            division=place,
            period_kind=chosen.kind,
            period_start=chosen.first,
            period_end=counted.last,
            generated_by=actor,
        )
        enqueue("concord.dashboard.reports.run_report", report_id=report.pk)
    # Without a broker the job has run on commit: say so rather than "queued".
    report.refresh_from_db()
    return report


def run_report(report_id: int) -> bool:
    """The queued job: claim the report (compare-and-set: it is made once), make its files,
    or record why not. False when someone else had claimed it."""
    claimed = Report.objects.filter(pk=report_id, status=ReportStatus.PENDING).update(
        status=ReportStatus.RUNNING
    )
    if not claimed:
        return False
    report = Report.objects.select_related("division", "generated_by__organisation__division").get(
        pk=report_id
    )
    try:
        make_files(report)
    except ServiceError as exc:
        _fail(report, exc.message)
    except Exception:
        log.exception("report %s failed", report_id)
        _fail(report, _("生成报表时出错，请稍后重新生成"))
    return True


def make_files(report: Report) -> Report:
    """Compute the report's content over the cases its requester may see (the whole division
    for a scheduled one) and store its XLSX and DOCX."""
    from . import report_files  # charts load matplotlib: only the job pays for it

    if report.generated_by is None:
        cases = in_division(Case.objects.all(), report.division)
    else:
        cases, _division = stats_scope(report.generated_by, report.division.code)
    counted = kpis.Period(report.period_start, report.period_end)
    content = build(cases, report.division, report.period, counted=counted)
    stem = f"{report.division.code}-{report.period.code}-{uuid.uuid4().hex[:8]}"
    report.xlsx.save(f"{stem}.xlsx", ContentFile(report_files.workbook(content)), save=False)
    report.docx.save(f"{stem}.docx", ContentFile(report_files.document(content)), save=False)
    report.status = ReportStatus.READY
    report.generated_at = timezone.now()
    report.error = ""
    report.save(update_fields=["xlsx", "docx", "status", "generated_at", "error"])
    return report


def _fail(report: Report, reason: str) -> None:
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error=reason)


def filename(report: Report, kind: str) -> str:
    """The download's name: 上虞区月报-2026-10.xlsx (…-2026-11-截至1115 while not over)."""
    name = f"{report.division.name}{report.get_period_kind_display()}-{report.period.code}"
    if report.partial:
        name += _("-截至%(day)s") % {"day": f"{report.period_end:%m%d}"}
    return f"{name}.{kind}"


# ---------------------------------------------------------------- the schedule


def fail_abandoned() -> int:
    """Mark failed the reports still queued or running long after they were asked for: their
    process died (a restart), and the page would show them as being made for ever."""
    return Report.objects.filter(
        status__in=(ReportStatus.PENDING, ReportStatus.RUNNING),
        requested_at__lt=timezone.now() - STALE,
    ).update(status=ReportStatus.FAILED, error=_("生成中断，请重新生成"))


def generate_due_reports(*, today: dt.date | None = None) -> list[Report]:
    """The periodic job: the county's report of the last month and of the last quarter, each
    made once (a failed one is tried again next time). Reports whose process died are
    marked failed so they can be asked for again."""
    today = today or timezone.localdate()
    fail_abandoned()
    county = Division.objects.filter(code=settings.CONCORD["COUNTY_CODE"] + "000000").first()
    if county is None:
        return []
    made = []
    for period in due_periods(today):
        report, _created = Report.objects.get_or_create(
            division=county,
            period_kind=period.kind,
            period_start=period.first,
            generated_by=None,
            defaults={"period_end": period.last},
        )
        Report.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.PENDING, error=""
        )
        if run_report(report.pk):
            report.refresh_from_db()
            made.append(report)
    return made
