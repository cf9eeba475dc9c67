"""The portal's forms, made for a phone. They parse and check each field's shape (so that all
mistakes show at once); `services` judges the submission as a whole."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from concord.appointments import forms as appointment_forms
from concord.cases.forms import category_choices, town_choices
from concord.cases.models import Case
from concord.core import limits
from concord.core.forms import PlacingMixin
from concord.core.pii import id_number_problem, phone_problem
from concord.geo.models import Division, DivisionLevel

from . import services


def _checked(problem):
    """A field validator from one of the `*_problem` checks (message or None)."""

    def validate(value: str) -> None:
        if value and (message := problem(value)):
            raise forms.ValidationError(message)

    return validate


CONSENT_TEXT = _(
    "我已阅读并同意：本人填写的姓名、联系电话、身份证号等个人信息，仅用于上虞区社会矛盾纠纷"
    "调处化解中心办理本事项（受理、联系、调解、答复和回访），依法保存和保护，不作他用。"
)


def consent_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": _("请阅读并勾选同意个人信息处理说明后再提交")},
    )


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("联系电话"),
        max_length=20,
        validators=[_checked(lambda v: phone_problem("".join(v.split())))],
        help_text=_("11位手机号或带区号的固定电话，查询进度时需要后4位"),
        error_messages={"required": _("请填写联系电话，以便工作人员联系您")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def village_choices() -> list[tuple]:
    """All villages, one group per town (a page without scripts still works; portal.js
    keeps only the chosen town's group)."""
    towns = dict(Division.objects.filter(level=DivisionLevel.TOWN).values_list("code", "name"))
    groups: dict[str, list] = {code: [] for code in towns}
    villages = Division.objects.filter(level=DivisionLevel.VILLAGE).order_by("code")
    for code, name, town in villages.values_list("code", "name", "parent_id"):
        groups.setdefault(town, []).append((code, name))
    return [("", _("不清楚或不选"))] + [
        (towns.get(town, town), rows) for town, rows in groups.items() if rows
    ]


class SubmitForm(PlacingMixin, forms.Form):
    renamed = {
        "parties[0].name": "name",
        "parties[0].phone": "phone",
        "parties[0].id_number": "id_number",
        "division": "town",
    }

    kind = forms.ChoiceField(
        label=_("您要办理"),
        choices=[
            (services.DISPUTE, _("反映矛盾纠纷")),
            (services.MEDIATION, _("申请在线调解")),
        ],
        initial=services.DISPUTE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择反映矛盾纠纷或申请在线调解"),
            "invalid_choice": _("请选择反映矛盾纠纷或申请在线调解"),
        },
    )
    category = forms.ChoiceField(
        label=_("纠纷类别"),
        required=False,
        error_messages={"invalid_choice": _("所选类别不存在，请重新选择")},
    )
    town = forms.ChoiceField(
        label=_("发生地：乡镇（街道）"),
        required=False,
        error_messages={"invalid_choice": _("所选乡镇（街道）不存在，请重新选择")},
    )
    village = forms.ChoiceField(
        label=_("村（社区）"),
        required=False,
        error_messages={"invalid_choice": _("所选村（社区）不存在，请重新选择")},
    )
    address = forms.CharField(
        label=_("详细地址"),
        required=False,
        max_length=limits.ADDRESS_MAX,
        help_text=_("如：崧厦街道祝温村3组；不清楚村（社区）时，写明地址即可"),
    )
    description = forms.CharField(
        label=_("请说明您遇到的问题和诉求"),
        max_length=limits.DESCRIPTION_MAX,
        validators=[_checked(services.description_problem)],
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={
            "required": _("请说明您遇到的问题和诉求"),
            "max_length": _("内容不能超过%(limit_value)d字（现为%(show_value)d字）"),
        },
    )
    name = forms.CharField(
        label=_("您的姓名"),
        max_length=limits.NAME_MAX,
        validators=[_checked(services.name_problem)],
        error_messages={"required": _("请填写您的姓名")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = phone_field()
    id_number = forms.CharField(
        label=_("身份证号（可不填）"),
        required=False,
        max_length=18,
        validators=[_checked(id_number_problem)],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    consent = consent_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(_("不清楚，由工作人员判断"))
        self.fields["town"].choices = town_choices(str(_("请选择乡镇（街道）")))
        self.fields["village"].choices = village_choices()
        self.fields["village"].widget.attrs["data-village-picker"] = "id_town"

    def submission(self) -> services.Submission:
        data = self.cleaned_data
        return services.Submission(
            **{name: data[name] for name in self.fields if name != "consent"},
            consent=data["consent"],
        )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        error_messages={"required": _("请填写查询码")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    last4 = forms.CharField(
        label=_("联系电话后4位"),
        max_length=4,
        validators=[RegexValidator(r"^\d{4}$", _("请填写登记时所留电话号码的后4位数字"))],
        error_messages={"required": _("请填写登记时所留电话号码的后4位数字")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{4}"}
        ),
    )


class BookingForm(appointment_forms.BookingForm):
    """The appointments' booking form for a citizen: no case to link, and consent."""

    consent = consent_field()

    def __init__(self, *args, slots, **kwargs):
        kwargs.setdefault("prefix", None)
        super().__init__(*args, slots=slots, cases=Case.objects.none(), **kwargs)
        del self.fields["case"]
        self.fields["phone"] = phone_field()
        self.fields["phone"].help_text = _("11位手机号或带区号的固定电话，用于预约提醒")
        self.fields["name"].label = _("您的姓名")
        self.fields["name"].validators.append(_checked(services.name_problem))
        self.fields["topic"].label = _("想咨询的问题")
        self.fields["slot"].label = _("选择时段")
        self.order_fields(["slot", "name", "phone", "topic", "consent"])

    def params(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("slot", "name", "phone", "topic")}
