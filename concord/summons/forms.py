"""The 吹哨召集 form on the case page. It parses; `services.summon` judges."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX

from .services import MINUTES_MAX, summonable_orgs


class OrgChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class SummonsForm(forms.Form):
    organisations = OrgChoice(
        label=_("召集单位"),
        queryset=summonable_orgs(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请选择要召集的单位"),
            "invalid_choice": _("单位不存在、已停用或不能召集"),
            "invalid_pk_value": _("单位不存在、已停用或不能召集"),
        },
    )
    reason = forms.CharField(
        label=_("召集事由"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写召集事由")},
    )
    ack_minutes = forms.IntegerField(
        label=_("签到时限（分钟）"), initial=20, min_value=1, max_value=MINUTES_MAX
    )
    arrive_minutes = forms.IntegerField(
        label=_("到场时限（分钟）"), initial=40, min_value=1, max_value=MINUTES_MAX
    )
    place = forms.CharField(label=_("报到地点"), max_length=ADDRESS_MAX, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "summons")
        super().__init__(*args, **kwargs)
        # Departments first, then mediation organisations, in the order the seeds give them.
        self.fields["organisations"].queryset = summonable_orgs()

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "organisations": [org.pk for org in data["organisations"]],
            "reason": data["reason"],
            "ack_minutes": data["ack_minutes"],
            "arrive_minutes": data["arrive_minutes"],
            "place": data["place"],
        }

    def place_errors(self, exc: InvalidInput) -> None:
        """Put the service's messages next to the fields they are about."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)
