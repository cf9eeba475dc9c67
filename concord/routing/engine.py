"""The routing decision over a snapshot of the rules, in memory: no query per decision.

Rules are bucketed by (category, division) so that a case looks at the few buckets it can
match: its category, its parent category or none, times its village, its town, the county or
none. Within the matches the most specific rule wins (see `specificity`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Facts:
    """What routing looks at in a case."""

    type: str
    category: int | None
    category_parent: int | None
    division: str  # 12-digit code of the place
    people: int
    amount: Decimal | None
    risk: str
    channel: str = ""

    @property
    def places(self) -> tuple[str, ...]:
        """The division and the divisions above it, village first."""
        code = self.division
        town, county = code[:9] + "000", code[:6] + "000000"
        return tuple(dict.fromkeys((code, town, county)))


@dataclass(frozen=True)
class Rule:
    """One rule as the engine sees it (see models.RoutingRule for the meaning)."""

    id: int
    name: str
    priority: int
    level: str
    case_type: str = ""
    channel: str = ""
    category: int | None = None
    category_is_child: bool = False
    division: str | None = None
    division_level: str = ""
    min_people: int | None = None
    min_amount: Decimal | None = None
    risk_levels: frozenset[str] = frozenset()
    lead_org: int | None = None
    lead_local: bool = False
    assisting: tuple[int, ...] = ()
    assist_local: bool = False

    def matches(self, facts: Facts) -> bool:
        return (
            (not self.case_type or self.case_type == facts.type)
            and (not self.channel or self.channel == facts.channel)
            and (self.min_people is None or facts.people >= self.min_people)
            and (
                self.min_amount is None
                or (facts.amount is not None and facts.amount >= self.min_amount)
            )
            and (not self.risk_levels or facts.risk in self.risk_levels)
        )

    def specificity(self) -> tuple[int, int, int, int, int]:
        """Category (child 2, parent 1, none 0), place (village 3, town 2, county 1, none 0),
        number of other conditions, priority, then the older rule."""
        category = 0 if self.category is None else (2 if self.category_is_child else 1)
        place = {"village": 3, "town": 2, "county": 1}.get(self.division_level, 0)
        others = sum(
            (
                bool(self.case_type),
                bool(self.channel),
                self.min_people is not None,
                self.min_amount is not None,
                bool(self.risk_levels),
            )
        )
        return (category, place, others, self.priority, -self.id)


@dataclass
class Decision:
    rule: Rule
    level: str
    lead_org: int | None
    assisting: list[int] = field(default_factory=list)
    # Rules that matched but lost, most specific first (for "why this one").
    runners_up: list[Rule] = field(default_factory=list)


class RuleBook:
    """The active rules, bucketed, with the local organisations the rules may point to."""

    def __init__(
        self,
        rules: list[Rule],
        town_centers: dict[str, int] | None = None,
        village_committees: dict[str, int] | None = None,
    ) -> None:
        self.buckets: dict[tuple[int | None, str | None], list[Rule]] = defaultdict(list)
        for rule in rules:
            self.buckets[(rule.category, rule.division)].append(rule)
        self.town_centers = town_centers or {}
        self.village_committees = village_committees or {}
        self.size = len(rules)

    def candidates(self, facts: Facts) -> list[Rule]:
        categories = {None, facts.category_parent, facts.category}
        places = (None, *facts.places)
        found = []
        for category in categories:
            for place in places:
                found += self.buckets.get((category, place), ())
        return [r for r in found if r.matches(facts)]

    def decide(self, facts: Facts) -> Decision | None:
        matched = sorted(self.candidates(facts), key=Rule.specificity, reverse=True)
        if not matched:
            return None
        rule = matched[0]
        town = facts.division[:9] + "000"
        local = (
            self.village_committees.get(facts.division)
            if rule.level == "village"
            else self.town_centers.get(town)
        ) or self.town_centers.get(town)
        lead = local if rule.lead_local or rule.lead_org is None else rule.lead_org
        assisting = [o for o in rule.assisting if o != lead]
        if rule.assist_local and local and local != lead and local not in assisting:
            assisting.append(local)
        return Decision(rule, rule.level, lead, assisting, matched[1:4])
