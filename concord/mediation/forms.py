"""Forms of the mediator team page and the case card. They parse; the services judge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.accounts.models import Role, User
from concord.core.errors import InvalidInput
from concord.core.limits import COMMENT_MAX
from concord.orgs.models import Organisation

from .choices import OUTCOMES, MediationStatus, Specialty
from .models import Mediator, Room
from .pool import MEDIATOR_ORG_KINDS

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class PlacingMixin:
    def place(self, exc: InvalidInput) -> None:
        """Put the service's messages next to the fields they are about."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)


class MediatorForm(PlacingMixin, forms.ModelForm):
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
