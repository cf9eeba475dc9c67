"""Routing a case: preview which rule applies and why, then assign as suggested or overridden."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import ROUTE_ROLES
from concord.cases import lifecycle
from concord.cases.choices import Action, CaseType, Channel, RiskLevel
from concord.cases.models import Case
from concord.core.errors import InvalidInput
from concord.core.models import Revision
from concord.geo.models import DivisionLevel
from concord.orgs.models import Organisation, OrgKind

from .engine import Decision, Facts, Rule, RuleBook
from .models import RoutingDecision, RoutingRule

REVISION = "routing"
ROUTERS = ROUTE_ROLES


def rule_changed(**_signal) -> None:
    Revision.bump(REVISION)


def rulebook() -> RuleBook:
    """The active rules as the engine sees them; reloaded only after an edit."""
    return Revision.cached(REVISION, _load_rulebook)


def _load_rulebook() -> RuleBook:
    rules = [
        Rule(
            id=r.pk,
            name=r.name,
            priority=r.priority,
            level=r.level,
            case_type=r.case_type,
            channel=r.channel,
            category=r.category_id,
            category_is_child=bool(r.category_id and r.category.parent_id),
            division=r.division_id,
            division_level=r.division.level if r.division_id else "",
            min_people=r.min_people,
            min_amount=r.min_amount,
            risk_levels=frozenset(r.risk_levels or ()),
            lead_org=r.lead_org_id,
            lead_local=r.lead_local,
            assisting=tuple(o.pk for o in r.assisting_orgs.all()),
            assist_local=r.assist_local,
        )
        for r in RoutingRule.objects.filter(active=True)
        .select_related("category", "division")
        .prefetch_related("assisting_orgs")
    ]
    local = Organisation.objects.filter(active=True).values_list("kind", "division_id", "pk")
    return RuleBook(
        rules,
        town_centers={d: pk for kind, d, pk in local if kind == OrgKind.TOWN_CENTER},
        village_committees={d: pk for kind, d, pk in local if kind == OrgKind.VILLAGE_COMMITTEE},
    )


def facts_of(case: Case) -> Facts:
    category = case.category
    return Facts(
        type=case.type,
        category=category.pk if category else None,
        category_parent=category.parent_id if category else None,
        division=case.division_id,
        people=case.people_count,
        amount=case.amount,
        risk=case.risk_level,
        channel=case.channel,
    )


@dataclass
class Preview:
    decision: Decision
    rule: RoutingRule
    lead: Organisation | None
    assisting: list[Organisation]
    reasons: list[str]

    @property
    def level_label(self) -> str:
        return DivisionLevel(self.decision.level).label

    def initial(self) -> dict:
        """The assign form's inputs as the rules suggest them."""
        return {
            "lead_org": self.lead.pk if self.lead else None,
            "assisting_orgs": [o.pk for o in self.assisting],
        }

    def as_dict(self) -> dict:
        return {
            "rule": {"id": self.rule.pk, "name": self.rule.name, "note": self.rule.note},
            "level": self.decision.level,
            "lead_org": _org(self.lead),
            "assisting_orgs": [_org(o) for o in self.assisting],
            "reasons": self.reasons,
            "runners_up": [{"id": r.id, "name": r.name} for r in self.decision.runners_up],
        }


def _org(org: Organisation | None) -> dict | None:
    return {"id": org.pk, "name": org.name} if org else None


def preview(case: Case) -> Preview:
    """Who the rules would pull in for this case, at which level, and why."""
    decision = rulebook().decide(facts_of(case))
    if decision is None:
        raise InvalidInput({"rule": _("没有适用的分流规则：请设置一条全区默认规则")})
    rule = RoutingRule.objects.select_related("category", "division").get(pk=decision.rule.id)
    ids = [decision.lead_org, *decision.assisting]
    orgs = Organisation.objects.in_bulk([i for i in ids if i])
    return Preview(
        decision,
        rule,
        orgs.get(decision.lead_org),
        [orgs[i] for i in decision.assisting if i in orgs],
        describe(rule),
    )


def routing_suggestion(case: Case) -> Preview | None:
    """The preview for the case page, or None when no rule applies."""
    try:
        return preview(case)
    except InvalidInput:
        return None


def describe(rule: RoutingRule) -> list[str]:
    """The rule's conditions in words, for "why this rule"."""
    reasons = []
    if rule.case_type:
        reasons.append(_("事项类型为%(type)s") % {"type": CaseType(rule.case_type).label})
    if rule.channel:
        reasons.append(_("来源渠道为%(channel)s") % {"channel": Channel(rule.channel).label})
    if rule.category_id:
        reasons.append(_("类别属于%(category)s") % {"category": rule.category.name})
    if rule.division_id:
        reasons.append(_("发生在%(place)s") % {"place": rule.division.name})
    if rule.min_people:
        reasons.append(_("涉及%(n)d人以上") % {"n": rule.min_people})
    if rule.min_amount is not None:
        reasons.append(_("涉及金额%(amount)s元以上") % {"amount": rule.min_amount})
    if rule.risk_levels:
        names = "、".join(str(RiskLevel(r).label) for r in rule.risk_levels)
        reasons.append(_("风险等级为%(levels)s") % {"levels": names})
    return reasons or [_("全区默认规则")]


def route(
    case: Case,
    *,
    actor: User,
    lead_org: int | None = None,
    assisting_orgs: list[int] | None = None,
    comment: str = "",
) -> Case:
    """Assign the case as the rules suggest, or as the dispatcher overrides; the choice is
    recorded against the rule (routing accuracy)."""
    suggestion = preview(case)
    suggested_lead = suggestion.lead.pk if suggestion.lead else None
    suggested_assisting = [o.pk for o in suggestion.assisting]
    chosen_lead = suggested_lead if lead_org is None else lead_org
    chosen_assisting = suggested_assisting if assisting_orgs is None else assisting_orgs
    if chosen_lead is None:
        raise InvalidInput({"lead_org": _("规则未能确定主办单位，请指定")})
    with transaction.atomic():
        case = lifecycle.transition(
            case,
            actor=actor,
            action=Action.ASSIGN,
            comment=comment,
            lead_org=chosen_lead,
            assisting_orgs=chosen_assisting,
        )
        RoutingDecision.objects.create(
            case=case,
            rule=suggestion.rule,
            suggested_lead_id=suggested_lead,
            suggested_assisting=suggested_assisting,
            chosen_lead_id=chosen_lead,
            chosen_assisting=chosen_assisting,
            overridden=(chosen_lead, sorted(chosen_assisting))
            != (suggested_lead, sorted(suggested_assisting)),
            decided_by=actor,
        )
    return case
