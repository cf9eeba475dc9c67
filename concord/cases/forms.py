"""Page forms. They parse and display; `services` and `lifecycle` decide what is valid."""

from dataclasses import dataclass

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core import limits
from concord.core.errors import InvalidInput
from concord.core.forms import QuickSelect, QuickSelectMultiple
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import Organisation, OrgKind

from .choices import Action, CaseType, Channel, PartyRole, Result, RiskLevel, Satisfaction
from .lifecycle import RULES
from .models import Category
from .services import CaseDraft, PartyDraft


def category_choices(empty_label: str = _("请选择类别")) -> list[tuple]:
    """Grouped for a <select>: one optgroup per level-1 category."""
    groups: dict[Category, list] = {}
    for category in Category.objects.filter(active=True).select_related("parent"):
        if category.parent_id is None:
            groups.setdefault(category, [])
        else:
            groups.setdefault(category.parent, []).append((category.code, category.name))
    choices: list[tuple] = [("", empty_label)]
    for parent, children in groups.items():
        other = gettext("%(category)s（其他）") % {"category": parent.name}
        choices.append((parent.name, [(parent.code, other)] + children))
    return choices


def town_choices(empty_label: str) -> list[tuple]:
    towns = Division.objects.filter(level=DivisionLevel.TOWN).values_list("code", "name")
    return [("", empty_label), *towns]


class IntakeForm(forms.Form):
    type = forms.ChoiceField(
        label=_("事项类型"), choices=CaseType.choices, initial=CaseType.DISPUTE
    )
    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=Channel.choices, initial=Channel.WALK_IN
    )
    category = forms.ChoiceField(label=_("事项类别"), required=False)
    title = forms.CharField(label=_("标题"), required=False, max_length=limits.TITLE_MAX)
    description = forms.CharField(
        label=_("诉求内容"),
        error_messages={
            "required": _("请填写诉求内容"),
            "max_length": _("诉求内容不能超过%(limit_value)d字（现为%(show_value)d字）"),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=limits.DESCRIPTION_MAX,
    )
    town = forms.ChoiceField(label=_("乡镇（街道）"), required=False)
    village = forms.ChoiceField(
        label=_("村（社区）"),
        required=False,
        error_messages={"invalid_choice": _("所选村（社区）不属于该乡镇（街道）")},
    )
    address = forms.CharField(label=_("详细地址"), required=False, max_length=limits.ADDRESS_MAX)
    people_count = forms.IntegerField(
        label=_("涉及人数"), min_value=1, max_value=limits.PEOPLE_MAX, initial=1
    )
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级"), choices=RiskLevel.choices, initial=RiskLevel.BLUE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["town"].choices = town_choices(str(_("请选择乡镇（街道）")))
        # The village list follows the chosen town (htmx reloads it on change).
        town = self.data.get("town") if self.is_bound else None
        villages = (
            Division.objects.filter(parent_id=town).values_list("code", "name") if town else []
        )
        self.fields["village"].choices = [("", _("请选择村（社区）")), *villages]
        self.fields["town"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("geo:village_options"),
                "hx-target": "#id_village",
                "hx-trigger": "change",
            }
        )

    def draft(self, parties: list[PartyDraft]) -> CaseDraft:
        data = self.cleaned_data
        return CaseDraft(
            type=data["type"],
            channel=data["channel"],
            description=data["description"],
            title=data["title"],
            category=data["category"],
            division=data["village"] or data["town"],
            address=data["address"],
            people_count=data["people_count"],
            amount=data["amount"],
            risk_level=data["risk_level"],
            parties=parties,
        )


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("身份"), choices=PartyRole.choices)
    name = forms.CharField(label=_("姓名/名称"), required=False, max_length=limits.NAME_MAX)
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    address = forms.CharField(label=_("住址"), required=False, max_length=limits.ADDRESS_MAX)


PartyFormSet = forms.formset_factory(
    PartyForm, extra=0, max_num=limits.PARTIES_MAX, validate_max=True
)
PARTY_ROWS_INITIAL = [{"role": PartyRole.APPLICANT}, {"role": PartyRole.RESPONDENT}]


def parties_from(formset) -> tuple[list[PartyDraft], list[int]]:
    """The parties that were filled in, and the formset index of each (to place errors)."""
    drafts, rows = [], []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if data.get("name", "").strip() or data.get("id_number") or data.get("phone"):
            drafts.append(
                PartyDraft(
                    **{
                        k: data.get(k) or ""
                        for k in ("role", "name", "id_number", "phone", "address")
                    }
                )
            )
            rows.append(index)
    return drafts, rows


def place_errors(exc: InvalidInput, form: forms.Form, formset, rows: list[int]) -> None:
    """Show service errors next to the fields they name: `parties[1].phone` → row, field."""
    for field, message in exc.errors.items():
        if field.startswith("parties[") and "]." in field:
            position, name = field[len("parties[") :].split("].", 1)
            formset.forms[rows[int(position)]].add_error(name, message)
        elif field in form.fields:
            form.add_error(field, message)
        elif field == "division":
            form.add_error("town", message)
        else:
            form.add_error(None, message)


class ActionForm(forms.Form):
    """Parameters of a lifecycle action; which ones matter depends on the action."""

    comment = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=limits.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead_org = forms.ModelChoiceField(
        label=_("主办单位"),
        required=False,
        queryset=Organisation.objects.filter(active=True),
        widget=QuickSelect,
    )
    assisting_orgs = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        required=False,
        queryset=Organisation.objects.filter(active=True),
        widget=QuickSelectMultiple,
    )
    result = forms.ChoiceField(
        label=_("办理结果"), required=False, choices=[("", "—")] + Result.choices
    )
    reply = forms.CharField(
        label=_("答复内容"),
        required=False,
        max_length=limits.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), required=False, choices=[("", "—")] + Satisfaction.choices
    )

    def params(self) -> dict:
        data = self.cleaned_data
        params = {"comment": data.get("comment", "")}
        if data.get("lead_org"):
            params["lead_org"] = data["lead_org"].pk
        if data.get("assisting_orgs"):
            params["assisting_orgs"] = [o.pk for o in data["assisting_orgs"]]
        for name in ("result", "reply", "satisfaction"):
            if data.get(name):
                params[name] = data[name]
        return params


# Which inputs each action asks for, and what its comment means.
ACTION_FIELDS = {
    Action.ASSIGN: ("lead_org", "assisting_orgs", "comment"),
    Action.RESOLVE: ("result", "reply", "comment"),
    Action.RATE: ("satisfaction", "comment"),
    Action.DELEGATE: ("lead_org", "comment"),
}
COMMENT_LABELS = {
    Action.REFUSE: _("不予受理理由"),
    Action.REFER: _("转办去向及理由"),
    Action.RETURN: _("退回理由"),
    Action.PAUSE: _("挂起原因"),
    Action.ANSWER: _("协办意见"),
    Action.FOLLOW_UP: _("回访情况"),
    Action.REOPEN: _("重新办理理由"),
    Action.RATE: _("评价意见"),
    Action.ESCALATE: _("上报理由"),
    Action.DELEGATE: _("下交理由"),
}


@dataclass
class ActionPanel:
    action: str
    label: str
    fields: list


# Actions that turn a case away or back come after the ones that move it forward.
SIDE_ACTIONS = (
    Action.REFUSE,
    Action.REFER,
    Action.RETURN,
    Action.PAUSE,
    Action.REOPEN,
    Action.ESCALATE,
    Action.DELEGATE,
)


def action_forms(actions: list[str], initial: dict[str, dict] | None = None) -> list[ActionPanel]:
    """One small form per action the user may take, each showing only the inputs it needs;
    the forward actions first, so the one the user most likely wants is open. `initial`
    fills an action's inputs (the routing suggestion for assign)."""
    panels = []
    organisations = None
    for action in sorted(actions, key=lambda a: a in SIDE_ACTIONS):
        form = ActionForm(auto_id=f"id_{action}_%s", initial=(initial or {}).get(action))
        form.fields["comment"].label = COMMENT_LABELS.get(action, _("说明"))
        form.fields["comment"].required = RULES[action].needs_comment
        if action in (Action.ASSIGN, Action.DELEGATE):
            organisations = organisations or organisation_choices()
            form.fields["lead_org"].required = True
            form.fields["lead_org"].choices = organisations
        if action == Action.ASSIGN:
            form.fields["assisting_orgs"].choices = organisations[1:]
        if action == Action.RESOLVE:
            form.fields["result"].required = form.fields["reply"].required = True
        if action == Action.RATE:
            form.fields["satisfaction"].required = True
        names = ACTION_FIELDS.get(action, ("comment",))
        panels.append(ActionPanel(action, Action(action).label, [form[name] for name in names]))
    return panels


def organisation_choices() -> list[tuple]:
    """Organisations grouped by kind, county-level first, for the dispatcher's choice."""
    groups: dict[str, list] = {}
    orgs = Organisation.objects.filter(active=True).order_by("kind", "division_id", "code")
    for org in orgs.only("pk", "name", "kind"):
        groups.setdefault(org.get_kind_display(), []).append((org.pk, org.name))
    order = [str(OrgKind(k).label) for k in ORG_KIND_ORDER]
    return [("", _("请选择"))] + [(kind, groups[kind]) for kind in order if kind in groups]


ORG_KIND_ORDER = [
    OrgKind.TOWN_CENTER,
    OrgKind.DEPARTMENT,
    OrgKind.MEDIATION_ORG,
    OrgKind.VILLAGE_COMMITTEE,
    OrgKind.COUNTY_CENTER,
]
