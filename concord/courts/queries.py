"""The referral list's one filter definition (page and API) and its counts: by status, by
type and by month of referral."""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput

from .choices import ReferralStatus
from .models import CourtReferral, CourtReferralType
from .services import normalise_number

MONTHS_SHOWN = 12


class ReferralFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态"))] + ReferralStatus.choices,
    )
    type = forms.ChoiceField(label=_("案由"), required=False)
    q = forms.CharField(label=_("案号或查询码"), required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = CourtReferralType.objects.order_by("sort_order", "code").values_list("code", "name")
        self.fields["type"].choices = [("", _("全部案由")), *types]

    def filter(self, referrals: QuerySet[CourtReferral]) -> QuerySet[CourtReferral]:
        """Narrow `referrals` by the cleaned filters. Call after is_valid()."""
        data = self.cleaned_data
        if status := data.get("status"):
            referrals = referrals.filter(status=status)
        if code := data.get("type"):
            referrals = referrals.filter(type__code=code)
        if text := (data.get("q") or "").strip():
            referrals = referrals.filter(
                Q(court_case_number=normalise_number(text)) | Q(case__tracking_code=text.upper())
            )
        return referrals


def filtered_referrals(referrals: QuerySet[CourtReferral], params) -> QuerySet[CourtReferral]:
    """Apply filters from a query dict, refusing bad values with the field at fault."""
    form = ReferralFilterForm(params)
    if not form.is_valid():
        raise InvalidInput({name: " ".join(errors) for name, errors in form.errors.items()})
    return form.filter(referrals)


def _by_status() -> dict:
    return {s.value: Count("pk", filter=Q(status=s.value)) for s in ReferralStatus}


def totals(referrals: QuerySet[CourtReferral]) -> dict[str, int]:
    """How many referrals are in each status, and in all ("total")."""
    return referrals.order_by().aggregate(total=Count("pk"), **_by_status())


def by_type(referrals: QuerySet[CourtReferral]) -> list[dict]:
    rows = (
        referrals.order_by()
        .values("type__name", "type__sort_order")
        .annotate(total=Count("pk"), **_by_status())
        .order_by("type__sort_order", "type__name")
    )
    return [{"label": r.pop("type__name"), **r} for r in rows]


def by_month(referrals: QuerySet[CourtReferral]) -> list[dict]:
    """The last 12 months that had referrals, newest first (local months)."""
    rows = (
        referrals.order_by()
        .annotate(month=TruncMonth("referred_at"))
        .values("month")
        .annotate(total=Count("pk"), **_by_status())
        .order_by("-month")[:MONTHS_SHOWN]
    )
    return [{"label": f"{r['month']:%Y-%m}", **r} for r in rows]
