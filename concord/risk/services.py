"""Keeping a case's risk level current, and telling the dispatchers when one turns red."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import OPEN_STATUSES, RiskLevel
from concord.cases.models import Case
from concord.notifications.services import notify
from concord.orgs.models import OrgKind

from .models import CaseRisk
from .scoring import LONG_OPEN_DAYS, Assessment, assess_case

# Highest first, to compare levels.
ORDER = [RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW, RiskLevel.BLUE]


def higher(one: str, other: str) -> str:
    return min(one, other, key=ORDER.index)


def county_dispatchers():
    return User.objects.filter(
        role=Role.DISPATCHER, organisation__kind=OrgKind.COUNTY_CENTER, is_active=True
    )


def rescore(case: Case) -> Assessment:
    """Score the case again and store level and reasons when they changed.

    1. The first time (registration, or a case older than this app) the case's own level is
       kept as the clerk's judgement: the score may raise the level, never lower it below.
       A level that differs from the one scoring last wrote was set by a person since: it
       becomes the judgement.
    2. A queryset update, not `save()`: no signal, no recursion, no lost update of the other
       fields; `updated_at` is set so the dashboard's rollup sees the change.
    3. The first time a case is red, the county center's dispatchers are notified in the
       caller's transaction (`red_alerted_at`, set once, makes it once per case).
    """
    risk, _created = CaseRisk.objects.get_or_create(
        case=case, defaults={"judged_level": case.risk_level or RiskLevel.BLUE}
    )
    judged = risk.judged_level
    if risk.scored_level and case.risk_level != risk.scored_level:
        judged = case.risk_level  # a person set the level since: their judgement
    assessment = assess_case(case)
    level = higher(assessment.level, judged)
    if level != assessment.level:
        note = _("人工研判为%(level)s色") % {"level": RiskLevel(level).label}
        assessment = replace(assessment, level=level, reasons=[*assessment.reasons, note])
    if (case.risk_level, case.risk_reasons) != (assessment.level, assessment.reasons):
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(
            risk_level=assessment.level, risk_reasons=assessment.reasons, updated_at=now
        )
        case.risk_level, case.risk_reasons = assessment.level, assessment.reasons
        case.updated_at = now
    if (risk.scored_level, risk.judged_level) != (assessment.level, judged):
        CaseRisk.objects.filter(pk=risk.pk).update(
            scored_level=assessment.level, judged_level=judged
        )
    if assessment.level == RiskLevel.RED:
        alert_red(case, assessment)
    return assessment


def alert_red(case: Case, assessment: Assessment) -> bool:
    """Notify the dispatchers unless this case was alerted before; True when sent now."""
    claimed = CaseRisk.objects.filter(case=case, red_alerted_at__isnull=True).update(
        red_alerted_at=timezone.now()
    )
    if not claimed:
        return False  # told before (or by a concurrent change a moment ago)
    notify(
        county_dispatchers(),
        kind="risk",
        title=_("红色风险：%(code)s %(title)s") % {"code": case.tracking_code, "title": case.title},
        body="；".join(assessment.reasons),
        case=case,
    )
    return True


def rescore_long_open(now=None) -> int:
    """Daily: score again the open cases past LONG_OPEN_DAYS (time open adds points though
    nothing is recorded on them); returns how many changed level."""
    now = now or timezone.now()
    cases = Case.objects.filter(
        status__in=OPEN_STATUSES,
        merged_into__isnull=True,
        received_at__lte=now - timedelta(days=LONG_OPEN_DAYS),
    ).order_by("pk")
    changed = 0
    for case in cases.iterator(chunk_size=500):
        before = case.risk_level
        with transaction.atomic():
            changed += rescore(case).level != before
    return changed
