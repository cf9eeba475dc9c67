"""The one filter definition of the case list, shared by the page, the export and the API."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput
from concord.geo.models import Division

from . import search
from .choices import OPEN_STATUSES, CaseStatus, Channel, RiskLevel
from .models import Case, Category
from .scope import in_division

OPEN = "open"
SAMPLE, GOOD = "sample", "good"


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), (OPEN, _("未办结"))] + CaseStatus.choices,
    )
    category = forms.SlugField(label=_("类别"), required=False, max_length=64)
    division = forms.RegexField(
        label=_("区域"),
        required=False,
        regex=r"^\d{12}$",
        error_messages={"invalid": _("区划代码应为12位数字")},
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"), required=False, choices=[("", _("全部渠道"))] + Channel.choices
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部等级"))] + RiskLevel.choices
    )
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    received_from = forms.DateField(
        label=_("收到日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # A KPI's link from the dashboard: the cases it counts over the received_* period.
    kpi = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    kpi_part = forms.ChoiceField(
        required=False,
        choices=[("", ""), (SAMPLE, _("样本")), (GOOD, _("达标"))],
        widget=forms.HiddenInput,
    )

    def clean_kpi(self) -> str:
        from concord.dashboard.kpis import BY_KEY  # see _behind_kpi

        key = self.cleaned_data["kpi"]
        if key and key not in BY_KEY:
            raise forms.ValidationError(_("未知的指标"))
        return key

    def kpi_note(self) -> str:
        """What a dashboard link narrowed the list to, e.g. 化解率 · 达标."""
        from concord.dashboard.kpis import BY_KEY  # see _behind_kpi

        if not self.is_bound or not self.is_valid() or not self.cleaned_data.get("kpi"):
            return ""
        part = _("达标") if self.cleaned_data.get("kpi_part") == GOOD else _("样本")
        return f"{BY_KEY[self.cleaned_data['kpi']].label} · {part}"

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("结束日期不能早于开始日期"))
        return data

    def filter(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """Narrow `cases` by the cleaned filters. Call after is_valid()."""
        data = self.cleaned_data
        if status := data.get("status"):
            cases = (
                cases.filter(status__in=OPEN_STATUSES)
                if status == OPEN
                else cases.filter(status=status)
            )
        if code := data.get("category"):
            # The ids themselves, so the (category, received_at) index serves the list.
            ids = Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("id")
            cases = cases.filter(category__in=[i for (i,) in ids])
        if code := data.get("division"):
            cases = _in_division(cases, code)
        for name in ("channel", "risk_level"):
            if value := data.get(name):
                cases = cases.filter(**{name: value})
        if text := data.get("q", "").strip():
            cases = search.matching(cases, text)
        if key := data.get("kpi"):
            return _behind_kpi(cases, key, data)
        # Whole local days as datetime bounds, so the received_at index serves the range.
        if start := data.get("received_from"):
            cases = cases.filter(received_at__gte=_day_start(start))
        if end := data.get("received_to"):
            cases = cases.filter(received_at__lt=_day_start(end + timedelta(days=1)))
        return cases


def _behind_kpi(cases: QuerySet[Case], key: str, data: dict) -> QuerySet[Case]:
    # The statistics app reads cases; importing it at the top would make cases read it back.
    from concord.dashboard import kpis

    today = timezone.localdate()
    period = kpis.Period(
        data.get("received_from") or today.replace(month=1, day=1),
        data.get("received_to") or today,
    )
    return kpis.cases_behind(key, cases, period, good=data.get("kpi_part") == GOOD)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_division(cases: QuerySet[Case], code: str) -> QuerySet[Case]:
    division = Division.objects.filter(code=code).first()
    return cases.none() if division is None else in_division(cases, division)


def filtered_cases(cases: QuerySet[Case], params) -> QuerySet[Case]:
    """Apply filters from a query dict, refusing bad values with the field at fault."""
    form = CaseFilterForm(params)
    if not form.is_valid():
        raise InvalidInput({field: " ".join(msgs) for field, msgs in form.errors.items()})
    return form.filter(cases)
