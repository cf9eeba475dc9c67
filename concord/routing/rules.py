"""Writing routing rules: the checks that keep the rule book decidable."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.audit.models import AuditAction, record
from concord.cases.choices import RiskLevel
from concord.core.errors import Conflict, InvalidInput
from concord.core.locking import save_edited
from concord.orgs.models import Organisation

from .models import RoutingRule

PRIORITY_MAX = 10_000
MATCH_FIELDS = ("case_type", "channel", "category_id", "division_id", "min_people", "min_amount")


def save_rule(
    rule: RoutingRule,
    assisting: list[Organisation] | None = None,
    *,
    actor: User | None = None,
    version: int | None = None,
) -> RoutingRule:
    """Save a new or changed rule, refusing one that could not be applied or decided; the
    change is audited with the rule as it was and as it is now. A changed rule is saved only
    if it is still at `version` (the one the editor was shown; core.locking)."""
    errors = {}
    if rule.min_people is not None and rule.min_people < 1:
        errors["min_people"] = _("涉及人数条件应不少于1人")
    if not -PRIORITY_MAX <= rule.priority <= PRIORITY_MAX:
        errors["priority"] = _("优先级应在-%(max)d至%(max)d之间") % {"max": PRIORITY_MAX}
    if rule.lead_org_id is None and not rule.lead_local:
        errors["lead_org"] = _("请指定主办单位，或选择由属地主办")
    elif (
        rule.lead_org_id
        and not Organisation.objects.filter(pk=rule.lead_org_id, active=True).exists()
    ):
        errors["lead_org"] = _("主办单位不存在或已停用")
    if assisting and (gone := [o.name for o in assisting if not o.active]):
        errors["assisting_orgs"] = _("协办单位已停用：%(names)s") % {"names": "、".join(gone)}
    risks = rule.risk_levels or []
    if not isinstance(risks, list) or not set(risks) <= set(RiskLevel.values):
        errors["risk_levels"] = _("风险等级应为：%(levels)s") % {
            "levels": ", ".join(RiskLevel.values)
        }
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if rule.active and (twin := _same_conditions(rule)):
            raise Conflict(
                _("与规则「%(name)s」条件相同、优先级相同，无法决定谁先适用；请调整优先级")
                % {"name": twin.name},
                field="priority",
            )
        if rule.pk and not (rule.active and rule.is_default):
            _keep_a_default(exclude=rule.pk)
        if rule.pk:
            before = _snapshot(RoutingRule.objects.filter(pk=rule.pk).first())
            save_edited(rule, version)
        else:
            before = None
            rule.save()
        if assisting is not None:
            rule.assisting_orgs.set(assisting)
        record(
            actor=actor,
            action=AuditAction.CONFIG_CHANGED,
            obj=rule,
            detail={"before": before, "after": _snapshot(rule)},
        )
    return rule


def delete_rule(rule: RoutingRule, *, actor: User | None = None) -> None:
    with transaction.atomic():
        _keep_a_default(exclude=rule.pk)
        record(
            actor=actor,
            action=AuditAction.CONFIG_CHANGED,
            obj=rule,
            detail={"before": _snapshot(rule), "after": None},
        )
        rule.delete()


def _snapshot(rule: RoutingRule | None) -> dict | None:
    if rule is None:
        return None
    fields = [f.attname for f in RoutingRule._meta.concrete_fields if f.attname != "updated_at"]
    values = {name: getattr(rule, name) for name in fields}
    values["min_amount"] = str(rule.min_amount) if rule.min_amount is not None else None
    if rule.pk:
        values["assisting_orgs"] = sorted(rule.assisting_orgs.values_list("pk", flat=True))
    return values


def _same_conditions(rule: RoutingRule) -> RoutingRule | None:
    others = RoutingRule.objects.filter(active=True, priority=rule.priority).exclude(pk=rule.pk)
    for field in MATCH_FIELDS:
        others = others.filter(**{field: getattr(rule, field)})
    wanted = sorted(rule.risk_levels or [])
    return next((o for o in others if sorted(o.risk_levels or []) == wanted), None)


def _keep_a_default(*, exclude: int) -> None:
    """There must always be an active county-wide rule with no conditions."""
    remaining = RoutingRule.objects.filter(active=True).exclude(pk=exclude)
    if not any(r.is_default for r in remaining.select_for_update()):
        raise Conflict(_("必须保留一条启用的全区默认规则"), field="active")
