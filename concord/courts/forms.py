"""Forms of the referral pages and the case card. They parse; the services judge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.accounts.models import User
from concord.cases.forms import town_choices
from concord.core.forms import PlacingMixin as CorePlacingMixin
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX, DESCRIPTION_MAX, NAME_MAX

from .choices import MANUAL_OUTCOMES, ReferralKind, ReferralStatus
from .models import CourtReferralType
from .services import Person, ReferralDraft, courts, is_court_user

# Service error keys → this form's fields (one plaintiff and one defendant on the page).
FIELD_OF = {
    "plaintiffs": "plaintiff_name",
    "plaintiffs[0].name": "plaintiff_name",
    "plaintiffs[0].phone": "plaintiff_phone",
    "plaintiffs[0].id_number": "plaintiff_id_number",
    "defendants": "defendant_name",
    "defendants[0].name": "defendant_name",
    "defendants[0].phone": "defendant_phone",
    "defendants[0].id_number": "defendant_id_number",
}


class PlacingMixin(CorePlacingMixin):
    renamed = FIELD_OF


class CourtChoiceMixin:
    """A court picker for a dispatcher or the admin; a court's own user refers for it."""

    def add_court(self, user: User) -> None:
        if not is_court_user(user):
            self.fields["court"] = forms.ModelChoiceField(
                label=_("委派法院"),
                queryset=courts(),
                empty_label=_("请选择法院"),
                error_messages={"required": _("请选择委派法院")},
            )


class ReferralForm(PlacingMixin, CourtChoiceMixin, forms.Form):
    court_case_number = forms.CharField(
        label=_("案号"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "(2026)浙0604民诉前调1234号"}),
        error_messages={"required": _("请填写案号")},
    )
    kind = forms.ChoiceField(
        label=_("委派方式"), choices=ReferralKind.choices, initial=ReferralKind.PRE_SUIT
    )
    type = forms.ModelChoiceField(
        label=_("案由"),
        queryset=CourtReferralType.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("请选择案由"),
        error_messages={"required": _("请选择案由")},
    )
    plaintiff_name = forms.CharField(label=_("原告"), max_length=NAME_MAX)
    plaintiff_phone = forms.CharField(label=_("原告电话"), max_length=20, required=False)
    plaintiff_id_number = forms.CharField(label=_("原告身份证号"), max_length=18, required=False)
    defendant_name = forms.CharField(label=_("被告"), max_length=NAME_MAX)
    defendant_phone = forms.CharField(label=_("被告电话"), max_length=20, required=False)
    defendant_id_number = forms.CharField(label=_("被告身份证号"), max_length=18, required=False)
    description = forms.CharField(
        label=_("案情摘要"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写案情摘要")},
    )
    division = forms.ChoiceField(label=_("发生地"), required=False)
    address = forms.CharField(label=_("详细地址"), max_length=ADDRESS_MAX, required=False)
    amount = forms.DecimalField(
        label=_("标的额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plaintiff_name"].error_messages["required"] = _("请填写原告")
        self.fields["defendant_name"].error_messages["required"] = _("请填写被告")
        self.fields["division"].choices = town_choices(_("（不填，区级）"))
        self.add_court(user)

    def draft(self) -> ReferralDraft:
        data = self.cleaned_data
        return ReferralDraft(
            court_case_number=data["court_case_number"],
            type=data["type"].code,
            kind=data["kind"],
            description=data["description"],
            plaintiffs=[
                Person(data["plaintiff_name"], data["plaintiff_phone"], data["plaintiff_id_number"])
            ],
            defendants=[
                Person(data["defendant_name"], data["defendant_phone"], data["defendant_id_number"])
            ],
            division=data["division"],
            address=data["address"],
            amount=data["amount"],
        )


class UploadForm(CourtChoiceMixin, forms.Form):
    file = forms.FileField(
        label=_("文件（CSV 或 Excel .xlsx，5 MB 以内，最多2000行）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_court(user)


class ExtendForm(PlacingMixin, forms.Form):
    days = forms.IntegerField(
        label=_("延长天数（日）"),
        min_value=1,
        initial=15,
        error_messages={"required": _("请填写延长天数"), "invalid": _("延长天数应为正整数")},
    )
    consent = forms.BooleanField(label=_("双方当事人均同意延长调解期限"), required=False)
    note = forms.CharField(
        label=_("同意情况说明"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：双方于3月20日书面同意延长")}),
    )

    def __init__(self, *args, referral_id: int, left: int | None = None, **kwargs):
        super().__init__(*args, prefix=f"extend-{referral_id}", **kwargs)
        if left:
            self.fields["days"].widget.attrs["max"] = left
            self.fields["days"].initial = min(15, left)

    def params(self) -> dict:
        data = self.cleaned_data
        return {"days": data["days"], "consent": data["consent"], "note": data["note"]}


class ResultForm(PlacingMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("结果"),
        choices=[(s.value, s.label) for s in ReferralStatus if s in MANUAL_OUTCOMES],
        initial=ReferralStatus.FAILED,
    )
    note = forms.CharField(
        label=_("结果说明"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写结果说明")},
    )

    def __init__(self, *args, referral_id: int, **kwargs):
        super().__init__(*args, prefix=f"result-{referral_id}", **kwargs)

    def params(self) -> dict:
        return {"outcome": self.cleaned_data["outcome"], "note": self.cleaned_data["note"]}
