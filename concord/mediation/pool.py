"""The mediator pool read side: workload and outcomes per mediator, the shared list filter,
and the suggestions for a case (调解员推荐)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.cases.models import Case
from concord.orgs.models import OrgKind

from .choices import SPECIALTY_FOR_CATEGORY, MediationStatus, Specialty
from .models import Mediator

# Organisations a mediator may belong to.
MEDIATOR_ORG_KINDS = (OrgKind.MEDIATION_ORG, OrgKind.TOWN_CENTER, OrgKind.VILLAGE_COMMITTEE)


def with_record(mediators: QuerySet[Mediator]) -> QuerySet[Mediator]:
    """Annotate `workload` (open mediations), `succeeded`, `failed` and `avg_rating`. One join
    on the mediator's mediations serves every count, so none is multiplied by another.
    Withdrawn mediations count for neither success nor failure: the parties left, the mediator
    did not fail."""
    on = "mediations__status"
    return mediators.select_related("organisation").annotate(
        workload=Count("mediations", filter=Q(**{on: MediationStatus.OPEN})),
        succeeded=Count("mediations", filter=Q(**{on: MediationStatus.SUCCEEDED})),
        failed=Count("mediations", filter=Q(**{on: MediationStatus.FAILED})),
        avg_rating=Avg("mediations__rating"),
    )


def success_rate(mediator: Mediator) -> float | None:
    """Share of finished (succeeded or failed) mediations that succeeded; None without any."""
    finished = mediator.succeeded + mediator.failed
    return mediator.succeeded / finished if finished else None


class MediatorFilterForm(forms.Form):
    """The one filter of the mediator list: the team page and `GET /api/v1/mediators`."""

    specialty = forms.ChoiceField(
        label=_("专长领域"), required=False, choices=[("", _("全部"))] + Specialty.choices
    )
    active = forms.NullBooleanField(
        label=_("状态"),
        required=False,
        widget=forms.Select(choices=[("", _("全部")), ("true", _("在册")), ("false", _("停用"))]),
    )
    q = forms.CharField(label=_("姓名或单位"), required=False, max_length=64)

    def filter(self, mediators: QuerySet[Mediator]) -> QuerySet[Mediator]:
        data = self.cleaned_data
        if data.get("specialty"):
            # The codes are whole words in a JSON list: matching the quoted code finds exactly
            # that element, on SQLite (JSON as text) as on PostgreSQL (jsonb cast to text).
            mediators = mediators.filter(specialties__icontains=f'"{data["specialty"]}"')
        if data.get("active") is not None:
            mediators = mediators.filter(active=data["active"])
        if data.get("q"):
            q = data["q"]
            mediators = mediators.filter(Q(name__icontains=q) | Q(organisation__name__icontains=q))
        return mediators


def specialty_for(case: Case) -> str:
    """The specialty the case's category asks for (its top-level code, see the table)."""
    category = case.category
    if category is None:
        return Specialty.OTHER
    top = category.parent if category.parent_id else category
    return SPECIALTY_FOR_CATEGORY.get(top.code, Specialty.OTHER)


@dataclass
class Suggestion:
    mediator: Mediator
    matches: bool
    rate: float | None
    reasons: list[str]


def suggest_mediators(case: Case, limit: int = 5) -> list[Suggestion]:
    """Active mediators for a case, best first, each with why:

    1. those whose specialties include the one the case's category needs;
    2. then the lowest workload (open mediations);
    3. then the highest success rate (no record ranks after any record), then the rating.

    The pool is a county's tens of mediators: ranked in Python after one annotated query,
    because SQLite cannot look inside a JSON list in ORDER BY."""
    wanted = specialty_for(case)
    label = Specialty(wanted).label
    rows = []
    for mediator in with_record(Mediator.objects.filter(active=True)):
        rate = success_rate(mediator)
        matches = wanted in mediator.specialties
        key = (not matches, mediator.workload, -(rate if rate is not None else -1))
        rows.append((key + (-(mediator.avg_rating or 0), mediator.name), mediator, matches, rate))
    rows.sort(key=lambda row: row[0])
    return [
        Suggestion(mediator, matches, rate, _reasons(mediator, matches, rate, label))
        for _key, mediator, matches, rate in rows[:limit]
    ]


def _reasons(mediator: Mediator, matches: bool, rate: float | None, label: str) -> list[str]:
    if matches:
        reasons = [gettext("专长对口：%(specialty)s") % {"specialty": label}]
    else:
        reasons = [gettext("无%(specialty)s专长，按工作量补充推荐") % {"specialty": label}]
    reasons.append(gettext("在办调解 %(n)d 件") % {"n": mediator.workload})
    if rate is None:
        reasons.append(gettext("暂无结案调解"))
    else:
        finished = mediator.succeeded + mediator.failed
        text = gettext("成功率 %(rate)d%%（结案 %(n)d 件）")
        reasons.append(text % {"rate": round(rate * 100), "n": finished})
    if mediator.avg_rating:
        reasons.append(gettext("平均评分 %(rating).1f") % {"rating": mediator.avg_rating})
    if mediator.is_lawyer:
        reasons.append(gettext("执业律师"))
    return reasons
