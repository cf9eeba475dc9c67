"""The 分流规则 page forms. They parse and display; `rules.save_rule` decides what is valid."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.cases.choices import CaseType, Channel, RiskLevel
from concord.cases.forms import category_choices, organisation_choices
from concord.cases.models import Category
from concord.core import limits
from concord.core.errors import Conflict, InvalidInput, ServiceError
from concord.core.locking import VersionedForm, version_input
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import Organisation

from .models import RoutingRule

# The column is a 32-bit integer; no county needs more than a few steps of priority.
PRIORITY_LIMIT = 10_000
NAME_MAX = RoutingRule._meta.get_field("name").max_length


def division_choices() -> list[tuple]:
    """The county, then one optgroup per town: the town itself followed by its villages."""
    choices: list[tuple] = [("", _("不限（全区）"))]
    towns: dict[str, list] = {}
    names: dict[str, str] = {}
    for code, name, level, parent in Division.objects.order_by("code").values_list(
        "code", "name", "level", "parent_id"
    ):
        if level == DivisionLevel.COUNTY:
            choices.append((DivisionLevel.COUNTY.label, [(code, name)]))
        elif level == DivisionLevel.TOWN:
            names[code] = name
            towns[code] = [(code, gettext("%(town)s（全镇街）") % {"town": name})]
        elif parent in towns:
            towns[parent].append((code, name))
    choices += [(names[code], options) for code, options in towns.items()]
    return choices


class RuleForm(VersionedForm, forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=NAME_MAX,
        error_messages={
            "required": _("请填写规则名称"),
            "max_length": _("名称不能超过%(limit_value)d字（现为%(show_value)d字）"),
        },
    )
    note = forms.CharField(
        label=_("设立理由"),
        required=False,
        max_length=limits.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("设立理由不能超过%(limit_value)d字（现为%(show_value)d字）")
        },
    )
    case_type = forms.ChoiceField(
        label=_("事项类型"), required=False, choices=[("", _("不限"))] + CaseType.choices
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"), required=False, choices=[("", _("不限"))] + Channel.choices
    )
    category = forms.ChoiceField(label=_("类别"), required=False)
    division = forms.ChoiceField(label=_("区划范围"), required=False)
    min_people = forms.IntegerField(
        label=_("涉及人数不少于"),
        required=False,
        min_value=1,
        max_value=limits.PEOPLE_MAX,
        error_messages={"invalid": _("人数应为正整数")},
    )
    min_amount = forms.DecimalField(
        label=_("涉及金额不少于（元）"),
        required=False,
        min_value=0,
        max_value=limits.AMOUNT_MAX,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": _("金额应为数字，如 50000 或 50000.00")},
    )
    risk_levels = forms.MultipleChoiceField(
        label=_("风险等级"),
        required=False,
        choices=RiskLevel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限"),
    )
    level = forms.ChoiceField(label=_("办理层级"), choices=DivisionLevel.choices)
    lead_local = forms.BooleanField(
        label=_("由属地主办"),
        required=False,
        help_text=_("事项所在镇街的矛调中心（村级为村调委会）主办"),
    )
    # Any organisation parses, so that a closed one is refused by the service with its reason.
    lead_org = forms.ModelChoiceField(
        label=_("主办单位"),
        required=False,
        queryset=Organisation.objects.all(),
        error_messages={"invalid_choice": _("主办单位不存在")},
    )
    assisting_orgs = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        required=False,
        queryset=Organisation.objects.all(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl（Mac 为 ⌘）可多选"),
        error_messages={"invalid_choice": _("协办单位不存在：%(value)s")},
    )
    assist_local = forms.BooleanField(label=_("属地协办"), required=False)
    priority = forms.IntegerField(
        label=_("优先级"),
        initial=0,
        min_value=-PRIORITY_LIMIT,
        max_value=PRIORITY_LIMIT,
        help_text=_("条件同样具体时，数大者优先"),
        error_messages={"invalid": _("优先级应为整数"), "required": _("请填写优先级")},
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    version = version_input()

    def __init__(self, *args, rule: RoutingRule | None = None, **kwargs):
        self.rule = rule or RoutingRule()
        if rule is not None and rule.pk and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(rule)
        super().__init__(*args, **kwargs)
        # An edit names the version it was shown; a new rule has none to name.
        self.fields["version"].initial = self.rule.version
        self.fields["version"].required = self.rule.pk is not None
        self.fields["category"].choices = category_choices(gettext("不限"))
        self.fields["division"].choices = division_choices()
        orgs = organisation_choices()
        # A rule may still point at an organisation closed since: show it, named as closed, so
        # the reason the rule cannot be saved as it is stays visible.
        closed = []
        if self.rule.pk:
            closed = [
                (o.pk, gettext("%(name)s（已停用）") % {"name": o.name})
                for o in self._closed_orgs()
            ]
        if closed:
            orgs = [*orgs, (gettext("已停用"), closed)]
        self.fields["lead_org"].choices = orgs
        self.fields["assisting_orgs"].choices = orgs[1:]

    def _closed_orgs(self) -> QuerySet[Organisation]:
        rule = self.rule
        return Organisation.objects.filter(
            Q(pk=rule.lead_org_id) | Q(pk__in=rule.assisting_orgs.values("pk")), active=False
        )

    @staticmethod
    def initial_of(rule: RoutingRule) -> dict:
        return {
            "name": rule.name,
            "note": rule.note,
            "case_type": rule.case_type,
            "channel": rule.channel,
            "category": rule.category.code if rule.category_id else "",
            "division": rule.division_id or "",
            "min_people": rule.min_people,
            "min_amount": rule.min_amount,
            "risk_levels": rule.risk_levels,
            "level": rule.level,
            "lead_local": rule.lead_local,
            "lead_org": rule.lead_org_id,
            "assisting_orgs": [o.pk for o in rule.assisting_orgs.all()],
            "assist_local": rule.assist_local,
            "priority": rule.priority,
            "active": rule.active,
        }

    def clean_category(self) -> Category | None:
        code = self.cleaned_data["category"]
        return Category.objects.get(code=code) if code else None

    def clean_division(self) -> Division | None:
        code = self.cleaned_data["division"]
        return Division.objects.get(code=code) if code else None

    def apply(self) -> tuple[RoutingRule, list[Organisation]]:
        """The rule with the posted values set (not saved) and its assisting organisations;
        `cleaned_data["version"]` is the version the editor was shown."""
        data, rule = self.cleaned_data, self.rule
        for name in (
            "name",
            "note",
            "case_type",
            "channel",
            "category",
            "division",
            "min_people",
            "min_amount",
            "level",
            "lead_local",
            "assist_local",
            "priority",
            "active",
        ):
            setattr(rule, name, data[name])
        rule.risk_levels = sorted(data["risk_levels"], key=RiskLevel.values.index)
        # 由属地主办 wins over a chosen organisation, as in the engine: keep what applies.
        rule.lead_org = None if data["lead_local"] else data["lead_org"]
        return rule, list(data["assisting_orgs"])

    def place(self, exc: ServiceError) -> None:
        """Put the service's refusal next to the field it names; a conflict between rules is
        about the whole rule, so it goes on top, naming the field to change."""
        if isinstance(exc, InvalidInput):
            for field, message in exc.errors.items():
                self.add_error(field if field in self.fields else None, message)
        elif isinstance(exc, Conflict) and exc.field in self.fields:
            label = self.fields[exc.field].label
            self.add_error(
                None, gettext("%(field)s：%(message)s") % {"field": label, "message": exc.message}
            )
        else:
            self.add_error(None, exc.message)


class RuleFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("on", _("已启用")), ("off", _("已停用"))],
    )
    category = forms.ChoiceField(label=_("类别"), required=False)
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("名称或设立理由")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(gettext("全部类别"))

    def filter(self, rules: QuerySet[RoutingRule]) -> QuerySet[RoutingRule]:
        """A parent category shows its sub-categories' rules too."""
        data = self.cleaned_data
        if data["state"]:
            rules = rules.filter(active=data["state"] == "on")
        if code := data["category"]:
            rules = rules.filter(Q(category__code=code) | Q(category__parent__code=code))
        if text := data["q"].strip():
            rules = rules.filter(Q(name__icontains=text) | Q(note__icontains=text))
        return rules
