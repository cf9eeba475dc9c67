"""The board's filter form (a GET form): which divisions, categories, channels and risk levels
the user can pick. Values are checked by `map.parse_filters`, `scope.stats_scope` and
`kpis.parse_period`, the same checks the API applies; the form only offers and shows them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.cases.choices import Channel, RiskLevel
from concord.cases.models import Category
from concord.geo.models import Division, DivisionLevel


class DashboardFilterForm(forms.Form):
    division = forms.ChoiceField(label=_("区域"), required=False)
    risk = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部等级")), *RiskLevel.choices]
    )
    category = forms.ChoiceField(label=_("类别"), required=False)
    channel = forms.ChoiceField(
        label=_("来源渠道"), required=False, choices=[("", _("全部渠道")), *Channel.choices]
    )

    def __init__(self, *args, home: Division, shown: Division | None = None, **kwargs):
        """`home` is the user's territory: a county user picks the county or a town, anyone
        else only their own division. `shown` is the division on screen when it is a village
        or town not otherwise offered (reached by a link)."""
        super().__init__(*args, **kwargs)
        choices = [(home.code, home.name)]
        if home.level == DivisionLevel.COUNTY:
            choices[0] = (home.code, _("%(name)s（全区）") % {"name": home.name})
            towns = Division.objects.filter(parent=home, level=DivisionLevel.TOWN)
            choices += list(towns.order_by("code").values_list("code", "name"))
        if shown is not None and shown.code not in {code for code, _name in choices}:
            choices.append((shown.code, shown.name))
        self.fields["division"].choices = choices
        self.fields["category"].choices = _category_choices()
        # The KPI period: the cards' 统计区间 (the map always shows what is open now).
        self.fields["from"] = forms.DateField(
            label=_("统计自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )


def _category_choices() -> list:
    """Top-level categories as groups: the whole group first, then each sub-category."""
    groups: dict[int, tuple[str, list]] = {}
    rows = Category.objects.filter(active=True).values_list("pk", "code", "name", "parent_id")
    for pk, code, name, parent in sorted(rows, key=lambda r: r[3] is not None):
        if parent is None:
            groups[pk] = (name, [(code, _("全部%(name)s") % {"name": name})])
        elif parent in groups:
            groups[parent][1].append((code, name))
    return [("", _("全部类别")), *groups.values()]
