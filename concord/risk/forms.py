"""The form a supervisor writes a 风险提示函 / 预警函 with, and the addressee's reply."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.forms import PlacingMixin, text_field
from concord.core.limits import COMMENT_MAX
from concord.deadlines.supervision import REPLY_DAYS_MAX

from .choices import LetterKind


class LetterForm(PlacingMixin, forms.Form):
    kind = forms.ChoiceField(label=_("函件类型"), choices=LetterKind.choices)
    target = forms.ModelChoiceField(
        label=_("收函单位"),
        queryset=None,
        error_messages={
            "required": _("请选择收函单位"),
            "invalid_choice": _("收函单位不在你的辖区内"),
        },
    )
    subject = text_field(_("风险情况"), COMMENT_MAX, rows=4, required=_("请填写风险情况"))
    measures = text_field(_("工作要求"), COMMENT_MAX, rows=5, required=_("请填写工作要求"))
    reply_days = forms.IntegerField(
        label=_("回复期限（工作日）"),
        min_value=1,
        max_value=REPLY_DAYS_MAX,
        error_messages={
            "required": _("请填写回复期限"),
            "invalid": _("回复期限应为整数个工作日"),
            "min_value": _("回复期限至少1个工作日"),
            "max_value": _("回复期限不超过%(limit_value)s个工作日"),
        },
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets


class ReplyForm(PlacingMixin, forms.Form):
    reply = text_field(_("回复内容"), COMMENT_MAX, rows=4, required=_("请填写回复内容"))
