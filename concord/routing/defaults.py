"""Starting routing rules for a county; the admin and dispatchers change them afterwards.
Loading never overwrites: a rule that exists by name is left as it is."""

from __future__ import annotations

from django.db import transaction

from concord.cases.models import Category
from concord.orgs.models import Organisation

from .models import RoutingRule

# (name, note, conditions, level, lead org code or None for the local center, assisting codes,
#  local center assists)
RULES = [
    (
        "全区默认：属地办理",
        "小事不出村、大事不出镇：没有更具体规则的事项，由事项所在镇街矛调中心主办。",
        {},
        "town",
        None,
        [],
        False,
    ),
    (
        "网格上报：村级办理",
        "网格员在村里发现的矛盾，先由所在村（社区）人民调解委员会就地化解。",
        {"channel": "grid"},
        "village",
        None,
        [],
        False,
    ),
    (
        "劳动争议/欠薪：属地主办，人社协办",
        "一般欠薪纠纷由镇街调处，区人力社保局协助核实用工和工资情况。",
        {"category": "labour"},
        "town",
        None,
        ["hrss"],
        False,
    ),
    (
        "群体性欠薪（30人以上）：区人力社保局主办",
        "涉及30人以上的欠薪属群体性事项，由区人力社保局在县级主办，属地镇街协办稳控。",
        {"category": "labour", "min_people": 30},
        "county",
        "hrss",
        [],
        True,
    ),
    (
        "医疗纠纷：区医调委主办",
        "医疗纠纷由区医疗纠纷人民调解委员会专业调解，区卫生健康局协办。",
        {"category": "medical"},
        "county",
        "medical-mediation",
        ["health"],
        False,
    ),
]


def load_defaults() -> int:
    """Create the starting rules that are missing; returns how many were added."""
    orgs = dict(Organisation.objects.values_list("code", "pk"))
    added = 0
    with transaction.atomic():
        for name, note, conditions, level, lead, assisting, assist_local in RULES:
            if RoutingRule.objects.filter(name=name).exists():
                continue
            category = conditions.get("category")
            if category and not (category := Category.objects.filter(code=category).first()):
                continue
            if (lead and lead not in orgs) or any(code not in orgs for code in assisting):
                continue  # a county without that organisation needs no rule for it
            rule = RoutingRule.objects.create(
                name=name,
                note=note,
                category=category or None,
                channel=conditions.get("channel", ""),
                min_people=conditions.get("min_people"),
                level=level,
                lead_org_id=orgs[lead] if lead else None,
                lead_local=lead is None,
                assist_local=assist_local,
            )
            rule.assisting_orgs.set([orgs[code] for code in assisting])
            added += 1
    return added
