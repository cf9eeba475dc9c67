"""Forms of the mediator team page and the case card (mediation, agreement, judicial
confirmation, litigation). They parse; the services judge."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.accounts.models import Role, User
from concord.cases.models import Party
from concord.core.forms import PlacingMixin
from concord.core.limits import COMMENT_MAX, DESCRIPTION_MAX
from concord.core.locking import VersionedForm, version_input
from concord.orgs.models import Organisation

from .agreements import REQUIRED_TEXTS, AgreementDraft
from .choices import (
    OUTCOMES,
    AgreementKind,
    LegalAidReason,
    MediationStatus,
    Route,
    Ruling,
    Specialty,
)
from .confirmation import courts
from .models import Agreement, Confirmation, Mediation, Mediator, Room
from .pool import MEDIATOR_ORG_KINDS

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
LOCAL_DAY = "%Y-%m-%d"


class MediatorForm(PlacingMixin, VersionedForm, forms.ModelForm):
    version = version_input()
    specialties = forms.MultipleChoiceField(
        label=_("专长领域"),
        choices=Specialty.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个专长领域")},
    )

    class Meta:
        model = Mediator
        fields = [
            "name",
            "organisation",
            "phone",
            "specialties",
            "is_lawyer",
            "active",
            "user",
            "certificates",
        ]
        widgets = {"certificates": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": _("请填写姓名")},
            "organisation": {"required": _("请选择所属调解组织")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(kind__in=MEDIATOR_ORG_KINDS, active=True)
            .select_related("division")
            .order_by("kind", "code")
        )
        self.fields["user"].queryset = User.objects.filter(
            role=Role.MEDIATOR, is_active=True
        ).order_by("username")
        self.fields["user"].help_text = _("调解员本人登录系统时使用的账号（可不填）")
        self.fields["specialties"].initial = self.instance.specialties
        # An edit names the version it was shown; a new mediator has none to name.
        self.fields["version"].initial = self.instance.version
        self.fields["version"].required = self.instance.pk is not None

    def clean_specialties(self) -> list[str]:
        return list(self.cleaned_data["specialties"])


class StartForm(forms.Form):
    mediators = forms.ModelMultipleChoiceField(
        label=_("调解员"),
        queryset=Mediator.objects.filter(active=True).select_related("organisation"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other = forms.ModelChoiceField(
        label=_("其他调解员"),
        queryset=Mediator.objects.filter(active=True).select_related("organisation"),
        required=False,
        empty_label=_("（从调解员库中另选）"),
    )

    def chosen(self) -> list[Mediator]:
        data = self.cleaned_data
        return [*data["mediators"], *([data["other"]] if data["other"] else [])]


class SessionForm(PlacingMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        error_messages={"required": _("请填写开始时间"), "invalid": _("开始时间格式不正确")},
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"),
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        error_messages={"required": _("请填写结束时间"), "invalid": _("结束时间格式不正确")},
    )
    room = forms.ModelChoiceField(
        label=_("调解室"),
        queryset=Room.objects.filter(active=True).select_related("organisation"),
        required=False,
        empty_label=_("（线上调解，不占用调解室）"),
    )
    online_link = forms.CharField(label=_("线上会议链接"), required=False, max_length=500)
    attendees = forms.CharField(
        label=_("参加人员"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, mediation_id: int, **kwargs):
        super().__init__(*args, prefix=f"session-{mediation_id}", **kwargs)
        self.fields["room"].label_from_instance = lambda room: str(room)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class SessionRecordForm(PlacingMixin, VersionedForm, forms.Form):
    version = version_input()
    attendees = forms.CharField(
        label=_("参加人员"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    record = forms.CharField(
        label=_("调解记录"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写调解记录")},
    )

    def __init__(self, *args, session_id: int, **kwargs):
        super().__init__(*args, prefix=f"record-{session_id}", **kwargs)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class FinishForm(PlacingMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("调解结果"),
        choices=[(s.value, s.label) for s in MediationStatus if s in OUTCOMES],
        error_messages={"required": _("请选择调解结果")},
    )
    note = forms.CharField(
        label=_("调解结果说明"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写调解结果说明")},
    )
    rating = forms.TypedChoiceField(
        label=_("调解评分"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("（不评分）"))] + [(str(n), str(n)) for n in range(5, 0, -1)],
    )

    def __init__(self, *args, mediation_id: int, **kwargs):
        super().__init__(*args, prefix=f"finish-{mediation_id}", **kwargs)

    def params(self) -> dict:
        data = self.cleaned_data
        return {"outcome": data["outcome"], "note": data["note"], "rating": data["rating"]}


# ---------------------------------------------------------------- agreement and what follows


def _label(model, name: str) -> str:
    return model._meta.get_field(name).verbose_name


def _text(model, name: str, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_label(model, name), required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _day(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=[LOCAL_DAY],
        widget=forms.DateInput(attrs={"type": "date"}, format=LOCAL_DAY),
        error_messages={"invalid": _("日期格式不正确")},
    )


class FollowUpForm(PlacingMixin, forms.Form):
    """A card form whose required fields say which one is missing, in the services' words."""

    def __init__(self, *args, prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("请填写%(label)s") % {"label": field.label}


class AgreementForm(FollowUpForm):
    kind = forms.ChoiceField(
        label=_label(Agreement, "kind"),
        choices=AgreementKind.choices,
        initial=AgreementKind.WRITTEN,
        widget=forms.RadioSelect,
    )
    parties = forms.ModelMultipleChoiceField(
        label=_label(Agreement, "parties"),
        queryset=Party.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选当事人不是本事项的当事人")},
    )
    facts = _text(Agreement, "facts", required=True)
    disputes = _text(Agreement, "disputes", rows=2, required=True)
    responsibility = _text(Agreement, "responsibility", rows=2)
    terms = _text(Agreement, "terms", rows=4, required=True)
    performance_method = _text(Agreement, "performance_method", rows=2, required=True)
    performance_due = _day(_label(Agreement, "performance_due"))

    def __init__(self, *args, mediation: Mediation, **kwargs):
        super().__init__(*args, prefix=f"agreement-{mediation.pk}", **kwargs)
        case = mediation.case
        parties = self.fields["parties"]
        parties.queryset = case.parties.all()
        parties.label_from_instance = lambda p: f"{p.get_role_display()}：{p.name}"
        if not self.is_bound:
            parties.initial = [p.pk for p in case.parties.all()]
            self.fields["facts"].initial = case.description

    def draft(self) -> AgreementDraft:
        data = self.cleaned_data
        return AgreementDraft(
            kind=data["kind"],
            parties=list(data["parties"]),
            performance_due=data["performance_due"],
            **{name: data[name] for name in REQUIRED_TEXTS + ("responsibility",)},
        )


class EffectForm(FollowUpForm):
    parties_signed = forms.BooleanField(label=_label(Agreement, "parties_signed"), required=False)
    mediator_signed = forms.BooleanField(label=_label(Agreement, "mediator_signed"), required=False)
    sealed = forms.BooleanField(label=_label(Agreement, "sealed"), required=False)
    effective_at = forms.DateTimeField(
        label=_label(Agreement, "effective_at"),
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        error_messages={"invalid": _("生效时间格式不正确")},
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, prefix=f"effect-{agreement.pk}", **kwargs)
        if agreement.kind != AgreementKind.WRITTEN:
            for name in ("parties_signed", "mediator_signed", "sealed"):
                del self.fields[name]
        if not self.is_bound:
            self.fields["effective_at"].initial = timezone.localtime().replace(second=0)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class ScanForm(PlacingMixin, forms.Form):
    scan = forms.FileField(
        label=_label(Agreement, "scan"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": _("请选择签字盖章后的协议扫描件")},
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, prefix=f"scan-{agreement.pk}", **kwargs)


class ConfirmationForm(FollowUpForm):
    court = forms.ModelChoiceField(
        label=_label(Confirmation, "court"), queryset=Organisation.objects.none(), empty_label=None
    )
    applied_on = _day(_label(Confirmation, "applied_on"))
    joint = forms.BooleanField(label=_label(Confirmation, "joint"), required=False)

    def __init__(self, *args, agreement: Agreement, **kwargs):
        super().__init__(*args, prefix=f"confirm-{agreement.pk}", **kwargs)
        self.fields["court"].queryset = courts()
        if not self.is_bound:
            self.fields["applied_on"].initial = timezone.localdate()

    def params(self) -> dict:
        return dict(self.cleaned_data)


class RulingForm(FollowUpForm):
    ruling = forms.ChoiceField(
        label=_label(Confirmation, "ruling"), choices=Ruling.choices, widget=forms.RadioSelect
    )
    ruled_on = _day(_label(Confirmation, "ruled_on"))
    number = forms.CharField(label=_label(Confirmation, "ruling_number"), required=False)
    note = _text(Confirmation, "ruling_note", rows=2)

    def __init__(self, *args, confirmation: Confirmation, **kwargs):
        super().__init__(*args, prefix=f"ruling-{confirmation.pk}", **kwargs)
        if not self.is_bound:
            self.fields["ruled_on"].initial = timezone.localdate()

    def params(self) -> dict:
        return dict(self.cleaned_data)


class LitigationForm(FollowUpForm):
    route = forms.ChoiceField(
        label=_("去向"), choices=Route.choices, initial=Route.GUIDED, widget=forms.RadioSelect
    )
    court = forms.ModelChoiceField(
        label=_("法院"), queryset=Organisation.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    legal_aid = forms.BooleanField(label=_("当事人符合条件，转介法律援助"), required=False)
    aid_reasons = forms.MultipleChoiceField(
        label=_("法律援助事由"),
        choices=LegalAidReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("法律援助事由不在可选范围内")},
    )
    aid_note = forms.CharField(
        label=_("法律援助说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case_id: int, **kwargs):
        super().__init__(*args, prefix=f"litigation-{case_id}", **kwargs)
        self.fields["court"].queryset = courts()

    def params(self) -> dict:
        return dict(self.cleaned_data)
