"""Forms of the 信访代办 card and page. They parse; `services` judges."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.cases.models import Case
from concord.core.forms import PlacingMixin, text_field
from concord.core.limits import COMMENT_MAX, NAME_MAX

from .services import eligible_agents

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj}（{obj.organisation.name}）"


class AssignForm(PlacingMixin, forms.Form):
    agent = AgentChoice(
        label=_("代办员"),
        queryset=None,
        error_messages={
            "required": _("请选择代办员"),
            "invalid_choice": _("代办员应为区矛调中心或事项所在镇街矛调中心的在岗人员"),
        },
    )
    note = text_field(_("代办要求"), COMMENT_MAX, rows=2)
    reassign = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, reassign: bool = False, **kwargs):
        super().__init__(*args, prefix="agency", **kwargs)
        self.fields["agent"].queryset = eligible_agents(case)
        if not self.is_bound:
            self.fields["reassign"].initial = reassign

    def params(self) -> dict:
        return dict(self.cleaned_data)


class ErrandForm(PlacingMixin, forms.Form):
    at = forms.DateTimeField(
        label=_("办理时间"),
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        error_messages={"required": _("请填写办理时间"), "invalid": _("办理时间格式不正确")},
    )
    department = text_field(_("前往部门"), NAME_MAX, required=_("请填写前往部门"))
    what = text_field(
        _("办理事项（递交/领取材料）"), COMMENT_MAX, rows=2, required=_("请填写办理事项")
    )
    result = text_field(_("办理结果"), COMMENT_MAX, rows=2, required=_("请填写办理结果"))
    next_step = text_field(_("下一步"), COMMENT_MAX)

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, prefix=f"errand-{agency_id}", **kwargs)
        if not self.is_bound:
            self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class FinishForm(PlacingMixin, forms.Form):
    note = text_field(_("办结说明"), COMMENT_MAX, rows=2, required=_("请填写办结说明"))

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, prefix=f"finish-{agency_id}", **kwargs)
