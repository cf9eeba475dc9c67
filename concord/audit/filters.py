"""The one filter definition of the audit log, shared by the auditor's page, its exports and
GET /api/v1/audit; and the person lookup of the access report."""

from __future__ import annotations

import ipaddress
import re

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput
from concord.core.pii import id_number_problem, phone_problem

from .models import AuditAction, AuditEntry

_IP_PREFIX = re.compile(r"^[0-9A-Fa-f:.]{1,45}$")
_DATETIME = {"type": "datetime-local"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def form_refusal(form: forms.Form) -> InvalidInput:
    return InvalidInput({field: " ".join(messages) for field, messages in form.errors.items()})


def _moment(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("时间格式应为 YYYY-MM-DD HH:MM")},
    )


class AuditFilterForm(forms.Form):
    since = _moment(_("开始时间"))
    until = _moment(_("结束时间"))
    actor = forms.CharField(
        label=_("操作人"),
        required=False,
        max_length=64,
        help_text=_("账号或姓名"),
        error_messages={"max_length": _("操作人不能超过%(limit_value)d个字符")},
    )
    action = forms.ChoiceField(
        label=_("动作"),
        required=False,
        choices=[("", _("全部动作")), *AuditAction.choices],
        error_messages={"invalid_choice": _("未知的动作「%(value)s」")},
    )
    object_type = forms.RegexField(
        label=_("对象类型"),
        required=False,
        regex=r"^[a-z_]{1,32}$",
        max_length=32,
        help_text=_("如 party、case、agreement"),
        error_messages={"invalid": _("对象类型应为小写英文字母")},
    )
    object_id = forms.CharField(
        label=_("对象编号"),
        required=False,
        max_length=64,
        error_messages={"max_length": _("对象编号不能超过%(limit_value)d个字符")},
    )
    ip = forms.CharField(
        label=_("IP 地址"),
        required=False,
        max_length=45,
        help_text=_("完整地址，或前缀如 10.0."),
        error_messages={"max_length": _("IP 地址不能超过%(limit_value)d个字符")},
    )

    def clean_ip(self) -> str:
        value = self.cleaned_data["ip"].strip()
        if value and not _IP_PREFIX.match(value):
            raise forms.ValidationError(_("IP 地址格式不正确"))
        return value

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("结束时间不能早于开始时间"))
        return data

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """Narrow `entries` by the cleaned filters. Call after is_valid()."""
        data = self.cleaned_data
        if since := data.get("since"):
            entries = entries.filter(created_at__gte=since)
        if until := data.get("until"):
            entries = entries.filter(created_at__lte=until)
        if who := data.get("actor", "").strip():
            entries = entries.filter(Q(actor__username=who) | Q(actor__full_name__icontains=who))
        for name in ("action", "object_type"):
            if value := data.get(name):
                entries = entries.filter(**{name: value})
        if value := data.get("object_id", "").strip():
            entries = entries.filter(object_id=value)
        if value := data.get("ip"):
            try:
                entries = entries.filter(ip=str(ipaddress.ip_address(value)))
            except ValueError:  # a prefix: 10.0. or fe80:
                entries = entries.filter(ip__startswith=value)
        return entries

    def used(self) -> dict[str, str]:
        """The filters given, as text (the export's audit entry names them)."""
        if not self.is_bound:
            return {}
        return {k: str(v) for k, v in self.data.items() if k in self.fields and v}


def filtered_entries(entries: QuerySet[AuditEntry], params) -> QuerySet[AuditEntry]:
    """Apply filters from a query dict, refusing bad values with the field at fault."""
    form = AuditFilterForm(params)
    if not form.is_valid():
        raise form_refusal(form)
    return form.filter(entries)


class PersonForm(forms.Form):
    """Whose access record: an ID number, or failing one a phone number."""

    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)

    def clean_id_number(self) -> str:
        value = "".join(self.cleaned_data["id_number"].split()).upper()
        if value and (problem := id_number_problem(value)):
            raise forms.ValidationError(problem)
        return value

    def clean_phone(self) -> str:
        value = "".join(self.cleaned_data["phone"].split())
        if value and (problem := phone_problem(value)):
            raise forms.ValidationError(problem)
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("id_number") or data.get("phone")):
            self.add_error("id_number", _("请填写身份证号或联系电话"))
        return data


def person_from(params) -> tuple[str, str]:
    """(id_number, phone) from a query dict, or InvalidInput."""
    form = PersonForm(params)
    if not form.is_valid():
        raise form_refusal(form)
    return form.cleaned_data["id_number"], form.cleaned_data["phone"]
