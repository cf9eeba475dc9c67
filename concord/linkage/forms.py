"""The 五调联动 forms: the report's period (also the stats API's), and the case card's
hand-over and return. They parse; the services judge."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.dates import local_midnight, local_time
from concord.core.errors import InvalidInput
from concord.core.limits import COMMENT_MAX

from .choices import Direction, LinkageType, Outcome
from .models import Handover
from .services import partner_orgs

PERIOD_DAYS_MAX = 3660


class PeriodForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both days counted; this month by default."""

    def __init__(self, data=None):
        today = timezone.localdate()
        given = {k: data[k] for k in ("from", "to") if data and data.get(k)}
        defaults = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
        super().__init__({**defaults, **given})
        invalid = {"invalid": _("日期格式应为 YYYY-MM-DD")}
        date = forms.DateInput(attrs={"type": "date"})
        for name, label in (("from", _("起始日期")), ("to", _("截止日期"))):
            self.fields[name] = forms.DateField(label=label, widget=date, error_messages=invalid)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end:
            if start > end:
                self.add_error("to", gettext("截止日期不能早于起始日期"))
            elif (end - start).days > PERIOD_DAYS_MAX:
                self.add_error("to", gettext("统计期间最长十年"))
        return data

    def span(self) -> dict[str, dt.datetime]:
        """The period as [start, end) in local time, for the services."""
        data = self.cleaned_data
        return {
            "start": local_midnight(data["from"]),
            "end": local_midnight(data["to"] + dt.timedelta(days=1)),
        }

    def refusal(self) -> InvalidInput:
        return InvalidInput({field: " ".join(errors) for field, errors in self.errors.items()})


class PartnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class HandoverForm(forms.Form):
    type = forms.ChoiceField(
        label=_("联动类型"),
        choices=[("", _("（请选择）")), *LinkageType.choices],
        error_messages={"required": _("请选择联动类型"), "invalid_choice": _("联动类型不存在")},
    )
    direction = forms.ChoiceField(
        label=_("方向"),
        choices=[
            (Direction.OUT.value, _("移出：中心 → 联动单位")),
            (Direction.IN.value, _("移入：联动单位 → 中心")),
        ],
        initial=Direction.OUT,
        error_messages={"invalid_choice": _("方向不存在")},
    )
    partner = PartnerChoice(
        label=_("联动单位"),
        queryset=partner_orgs(),
        empty_label=_("（请选择）"),
        error_messages={
            "required": _("请选择联动单位"),
            "invalid_choice": _("联动单位不存在或已停用"),
        },
    )
    note = forms.CharField(
        label=_("移交说明"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "handover")
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_orgs()

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "linkage_type": data["type"],
            "direction": data["direction"],
            "partner": data["partner"].pk,
            "note": data["note"],
        }

    def place(self, exc: InvalidInput) -> None:
        """Put the service's messages next to the fields they are about."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)


class AnswerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Handover) -> str:
        what = (
            gettext("%(org)s的回复") if obj.direction == Direction.OUT else gettext("反馈%(org)s")
        ) % {"org": obj.partner.name}
        return f"{obj.get_linkage_type_display()} · {what}（{local_time(obj.at, 'm-d')}）"


class ReturnForm(forms.Form):
    answers = AnswerChoice(
        label=_("回复哪一次移交"),
        queryset=Handover.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("请选择要回复的移交"),
            "invalid_choice": _("该移交不存在或已回复"),
        },
    )
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[("", _("（请选择）")), *Outcome.choices],
        error_messages={"required": _("请选择办理结果"), "invalid_choice": _("办理结果不存在")},
    )
    note = forms.CharField(
        label=_("回复说明"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, open_handovers, **kwargs):
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)
        self.fields["answers"].queryset = open_handovers.select_related("partner")

    def params(self) -> dict:
        return {"outcome": self.cleaned_data["outcome"], "note": self.cleaned_data["note"]}

    place = HandoverForm.place
