"""Risk weights are tuned here (points per factor, base points per level-1 category); red
alerts and spike warnings are looked up."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concord.core.admin import OptimisticAdmin

from .choices import Factor
from .models import POINTS_MAX, CaseRisk, RiskLetter, RiskWeight, SpikeWarning
from .scoring import CATEGORY_DEFAULTS, DEFAULTS


class RiskWeightForm(forms.ModelForm):
    points = forms.IntegerField(
        label=_("分值"),
        min_value=0,
        max_value=POINTS_MAX,
        error_messages={
            "min_value": _("分值不能为负数"),
            "max_value": _("分值不能超过 %(limit_value)s 分"),
            "invalid": _("分值须为整数"),
        },
    )

    class Meta:
        model = RiskWeight
        fields = ["factor", "category", "points"]

    def clean(self):
        data = super().clean()
        factor, category = data.get("factor"), data.get("category")
        if factor == Factor.CATEGORY and category is None:
            self.add_error("category", _("类别基础风险须选择一个一级类别"))
        if factor and factor != Factor.CATEGORY and category is not None:
            self.add_error("category", _("只有“类别基础风险”可以选择类别"))
        if category is not None and category.parent_id:
            self.add_error("category", _("请选择一级类别"))
        duplicate = RiskWeight.objects.filter(factor=factor, category=category)
        if factor and duplicate.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("该风险因素已设置分值，请修改原有记录"))
        return data


@admin.register(RiskWeight)
class RiskWeightAdmin(OptimisticAdmin, admin.ModelAdmin):
    form = RiskWeightForm
    list_display = ["__str__", "points", "default_points"]
    list_filter = ["factor"]

    @admin.display(description=_("默认分值"))
    def default_points(self, weight: RiskWeight):
        if weight.category_id:
            return CATEGORY_DEFAULTS.get(weight.category.code, 0)
        return DEFAULTS.get(weight.factor, 0)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CaseRisk)
class CaseRiskAdmin(ReadOnlyAdmin):
    list_display = ["case", "judged_level", "red_alerted_at"]
    search_fields = ["case__tracking_code"]


@admin.register(SpikeWarning)
class SpikeWarningAdmin(ReadOnlyAdmin):
    list_display = [
        "town",
        "category",
        "window_end",
        "count",
        "baseline",
        "ratio",
        "status",
        "closed_by",
        "closed_at",
    ]
    list_filter = ["status"]
    date_hierarchy = "window_end"


@admin.register(RiskLetter)
class RiskLetterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "target_org", "issued_at", "reply_due_at", "replied_at"]
    list_filter = ["kind"]
    search_fields = ["case__tracking_code", "target_org__name"]
    date_hierarchy = "issued_at"
