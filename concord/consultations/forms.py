"""Forms of the 联合会商 card and page. They parse; the services judge (what is required, the
times, who may sit), so every door says the same."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput
from concord.core.forms import PlacingMixin, text_field
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX, DESCRIPTION_MAX, NAME_MAX

from . import services
from .models import Consultation

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
DECISION_ROWS = 5
UNKNOWN = {"invalid_choice": _("所选项不存在或已停用"), "invalid_pk_value": _("所选项不存在")}


def _moment(label: str, required: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        error_messages={"required": required, "invalid": _("时间格式不正确")},
    )


class Named(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        org = getattr(obj, "organisation", None)
        return f"{obj}（{org.name}）" if org else str(obj)


class OrgPicks(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return obj.name


class ScheduleForm(PlacingMixin, forms.Form):
    scheduled_at = _moment(_("会商时间"), _("请填写会商时间"))
    place = text_field(_("会商地点"), ADDRESS_MAX)
    online_link = text_field(_("线上会议链接"), 500)
    agenda = text_field(_("会商议题"), COMMENT_MAX, rows=2, required=_("请填写会商议题"))
    court = forms.ModelChoiceField(
        label=_("法院"), queryset=None, required=False, error_messages=UNKNOWN
    )
    judge_user = Named(
        label=_("法官"),
        queryset=None,
        required=False,
        empty_label=_("（未在系统中，填写姓名）"),
        error_messages=UNKNOWN,
    )
    judge_name = text_field(_("法官姓名"), NAME_MAX)
    chief_mediator = Named(
        label=_("首席调解员"),
        queryset=None,
        error_messages={**UNKNOWN, "required": _("3+X联合会商须有首席调解员参加，请选择")},
    )
    lawyer = Named(
        label=_("法律援助律师"),
        queryset=None,
        required=False,
        empty_label=_("（不在调解员库中，填写姓名）"),
        error_messages=UNKNOWN,
    )
    lawyer_name = text_field(_("律师姓名"), NAME_MAX)
    departments = OrgPicks(
        label=_("参加部门（X）"),
        queryset=None,
        error_messages={**UNKNOWN, "required": _("请至少选择一个部门")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "consult")
        super().__init__(*args, **kwargs)
        courts = services.court_orgs()
        self.fields["court"].queryset = courts
        self.fields["judge_user"].queryset = services.judges()
        self.fields["chief_mediator"].queryset = services.mediators()
        self.fields["lawyer"].queryset = services.lawyers()
        self.fields["departments"].queryset = services.department_orgs()
        if not self.is_bound:
            self.fields["court"].initial = next(iter(courts[:1]), None)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class MinutesForm(PlacingMixin, forms.Form):
    """The minutes with up to five decision rows; an empty row is no decision."""

    held_at = _moment(_("召开时间"), _("请填写召开时间"))
    attended = forms.ModelMultipleChoiceField(
        label=_("到会人员"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={**UNKNOWN, "required": _("请勾选到会人员")},
    )
    minutes = text_field(_("会商纪要"), DESCRIPTION_MAX, rows=5, required=_("请填写会商纪要"))

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, prefix=f"minutes-{consultation.pk}", **kwargs)
        seats = consultation.participants.all()
        self.fields["attended"].queryset = seats
        self.fields["attended"].label_from_instance = lambda p: f"{p.get_role_display()}：{p.name}"
        orgs = services.responsible_orgs()
        for i in range(DECISION_ROWS):
            self.fields[f"d{i}_text"] = text_field(_("议定事项"), COMMENT_MAX)
            self.fields[f"d{i}_organisation"] = forms.ModelChoiceField(
                label=_("责任单位"),
                queryset=orgs,
                required=False,
                error_messages=UNKNOWN,
                empty_label="—",
            )
            self.fields[f"d{i}_due_date"] = forms.DateField(
                label=_("完成时限"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": _("日期格式不正确")},
            )
        if not self.is_bound:
            self.fields["attended"].initial = [p.pk for p in seats]

    def rows(self) -> list[tuple]:
        return [
            (self[f"d{i}_text"], self[f"d{i}_organisation"], self[f"d{i}_due_date"])
            for i in range(DECISION_ROWS)
        ]

    def params(self) -> dict:
        data = self.cleaned_data
        decisions = []
        for i in range(DECISION_ROWS):
            row = {
                "text": data[f"d{i}_text"],
                "organisation": data[f"d{i}_organisation"],
                "due_date": data[f"d{i}_due_date"],
            }
            if any(row.values()):
                decisions.append(row)
        return {
            "held_at": data["held_at"],
            "minutes": data["minutes"],
            "attended": list(data["attended"]),
            "decisions": decisions,
        }

    def place(self, exc: InvalidInput) -> None:
        """Row errors ("decisions[1].due_date") go to the fields of the row as filled in."""
        filled = [
            i
            for i in range(DECISION_ROWS)
            if any(self.cleaned_data.get(f"d{i}_{k}") for k in ("text", "organisation", "due_date"))
        ]
        for field, message in exc.errors.items():
            if field.startswith("decisions[") and "]." in field:
                index, name = field[len("decisions[") :].split("].", 1)
                if index.isdigit() and int(index) < len(filled):
                    self.add_error(f"d{filled[int(index)]}_{name}", message)
                    continue
            self.add_error(field if field in self.fields else None, message)


class DoneForm(PlacingMixin, forms.Form):
    note = text_field(_("办理情况"), COMMENT_MAX, rows=2, required=_("请填写办理情况"))

    def __init__(self, *args, decision_id: int, **kwargs):
        super().__init__(*args, prefix=f"done-{decision_id}", **kwargs)


class ReceptionForm(PlacingMixin, forms.Form):
    received_at = _moment(_("接访时间"), _("请填写接访时间"))
    place = text_field(_("接访地点"), ADDRESS_MAX, required=_("请填写接访地点"))
    departments = OrgPicks(
        label=_("参加接访部门"),
        queryset=None,
        error_messages={**UNKNOWN, "required": _("请至少选择一个部门")},
    )
    record = text_field(_("接访记录"), DESCRIPTION_MAX, rows=3, required=_("请填写接访记录"))
    outcome = text_field(_("接访结果"), COMMENT_MAX, rows=2, required=_("请填写接访结果"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reception")
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = services.reception_orgs()

    def params(self) -> dict:
        return dict(self.cleaned_data)
