"""The rating, review, visit and ranking forms. They parse; the services judge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.cases.choices import Satisfaction
from concord.core.errors import InvalidInput
from concord.core.limits import COMMENT_MAX

from .choices import STAFF_CHANNELS, RankBy, RatingChannel, ReviewDecision, VisitMethod
from .visits import FINDINGS_MAX

STABLE_CHOICES = [("yes", _("稳定")), ("no", _("发现反复（将登记新事项）"))]


class ServiceErrorsMixin:
    def place_errors(self, exc: InvalidInput) -> None:
        """Put the service's messages next to the fields they are about."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)


class CitizenRatingForm(ServiceErrorsMixin, forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果是否满意"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择满意、基本满意或不满意"),
            "invalid_choice": _("请选择满意、基本满意或不满意"),
        },
    )
    comment = forms.CharField(
        label=_("意见建议（可不填）"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StaffRatingForm(CitizenRatingForm):
    """A rating staff took from the citizen by phone or on a visit."""

    channel = forms.ChoiceField(
        label=_("评价渠道"),
        choices=[(c.value, c.label) for c in map(RatingChannel, STAFF_CHANNELS)],
        initial=RatingChannel.PHONE,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "rating")
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].label = _("群众评价")
        self.fields["comment"].label = _("评价意见")


class ReviewForm(ServiceErrorsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("处理决定"),
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择处理决定：重新办理或说明后结案")},
    )
    explanation = forms.CharField(
        label=_("复核说明"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写说明：重新办理的理由或结案的解释")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "review")
        super().__init__(*args, **kwargs)


class VisitForm(ServiceErrorsMixin, forms.Form):
    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=VisitMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择回访方式：上门或电话")},
    )
    stable = forms.ChoiceField(
        label=_("纠纷是否稳定"),
        choices=STABLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择纠纷是否稳定")},
    )
    findings = forms.CharField(
        label=_("回访情况"),
        max_length=FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写回访情况")},
    )

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "findings": data["findings"],
            "stable": data["stable"] == "yes",
        }


class RankingForm(forms.Form):
    month = forms.CharField(
        label=_("月份"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    by = forms.ChoiceField(label=_("排名口径"), required=False, choices=RankBy.choices)
