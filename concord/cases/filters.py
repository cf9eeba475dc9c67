"""The one filter definition of the case list, shared by the page, the export and the API."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput
from concord.geo.models import Division, DivisionLevel

from .choices import OPEN_STATUSES, CaseStatus, Channel, RiskLevel
from .models import Case

OPEN = "open"


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
            cases = cases.filter(Q(category__code=code) | Q(category__parent__code=code))
        if code := data.get("division"):
            cases = _in_division(cases, code)
        for name in ("channel", "risk_level"):
            if value := data.get(name):
                cases = cases.filter(**{name: value})
        if text := data.get("q", "").strip():
            cases = cases.filter(
                Q(tracking_code=text.upper())
                | Q(title__icontains=text)
                | Q(description__icontains=text)
            )
        # Whole local days as datetime bounds, so the received_at index serves the range.
        if start := data.get("received_from"):
            cases = cases.filter(received_at__gte=_day_start(start))
        if end := data.get("received_to"):
            cases = cases.filter(received_at__lt=_day_start(end + timedelta(days=1)))
        return cases


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_division(cases: QuerySet[Case], code: str) -> QuerySet[Case]:
    level = Division.objects.filter(code=code).values_list("level", flat=True).first()
    if level is None:
        return cases.none()
    if level == DivisionLevel.TOWN:
        return cases.filter(town_id=code)
    if level == DivisionLevel.VILLAGE:
        return cases.filter(division_id=code)
    return cases


def filtered_cases(cases: QuerySet[Case], params) -> QuerySet[Case]:
    """Apply filters from a query dict, refusing bad values with the field at fault."""
    form = CaseFilterForm(params)
    if not form.is_valid():
        raise InvalidInput({field: " ".join(msgs) for field, msgs in form.errors.items()})
    return form.filter(cases)
