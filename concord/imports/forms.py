"""Forms of the import pages. They parse; the services judge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.forms import PlacingMixin

from .profiles import PROFILES


class UploadForm(PlacingMixin, forms.Form):
    file = forms.FileField(
        label=_("文件"),
        error_messages={"required": _("请选择要导入的 CSV 或 Excel（.xlsx）文件")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
    profile = forms.ChoiceField(
        label=_("格式"),
        required=False,
        choices=[("", _("自动识别"))] + [(p.code, p.label) for p in PROFILES.values()],
    )
    source = forms.CharField(
        label=_("来源系统"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": _("不填：标准格式为 import，12345 为 12345")}),
    )
    create_categories = forms.BooleanField(label=_("类别不存在时自动新建"), required=False)


class StartForm(forms.Form):
    create_categories = forms.BooleanField(label=_("类别不存在时自动新建"), required=False)
