"""An explainable risk score: each factor found adds its points and one reason; the total
gives 红/橙/黄/蓝. `score` is pure (facts and weights in, assessment out); `assess_text`
serves the intake's live suggestion, `assess_case` a registered case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.cases.choices import OPEN_STATUSES, PartyRole, RiskLevel
from concord.cases.models import Case, Category, Party
from concord.dashboard.forecast import SPRING_FESTIVAL

from .choices import Factor

# Points per factor unless the admin set others (RiskWeight rows).
DEFAULTS: dict[str, int] = {
    Factor.EXTREME: 60,
    Factor.ESCALATION: 30,
    Factor.FESTIVAL_WAGE: 15,
    Factor.GROUP: 20,
    Factor.LARGE_GROUP: 15,
    Factor.REPEAT_VISIT: 10,
    Factor.EARLIER_CASES: 10,
    Factor.LARGE_AMOUNT: 10,
    Factor.HUGE_AMOUNT: 10,
    Factor.VULNERABLE: 10,
    Factor.LONG_OPEN: 10,
}
# Base points of the level-1 categories that tend to escalate; the others start at 0.
CATEGORY_DEFAULTS: dict[str, int] = {
    "labour": 10,
    "demolition": 10,
    "litigation": 10,
    "land": 5,
    "construction": 5,
    "medical": 5,
}
# The lowest total of each level, highest first; 60 makes one extreme word red on its own.
THRESHOLDS = [(RiskLevel.RED, 60), (RiskLevel.ORANGE, 40), (RiskLevel.YELLOW, 20)]

EXTREME_WORDS = (
    "跳楼", "跳河", "自杀", "轻生", "自焚", "喝农药", "服毒", "爆炸", "炸药", "同归于尽",
    "极端", "报复社会", "杀了他", "拼命",
)  # fmt: skip
ESCALATION_WORDS = (
    "聚集", "集体上访", "群访", "闹访", "缠访", "拉横幅", "打横幅", "围堵", "堵路", "堵门",
    "静坐", "进京", "越级上访", "去省里", "媒体曝光", "网上曝光", "发抖音",
)  # fmt: skip
VULNERABLE_WORDS = (
    "老人", "高龄", "残疾", "孕妇", "怀孕", "未成年", "儿童", "孩子上学", "重病", "低保",
    "孤寡", "留守",
)  # fmt: skip
WAGE_CATEGORY = "labour"  # 劳动争议/欠薪 and its children
WAGE_WORDS = ("欠薪", "拖欠工资", "讨薪", "工钱", "工资没发", "工资未发")
# 春节 rush: wage claims peak in the two months before the festival and the week after it.
FESTIVAL_BEFORE = dt.timedelta(days=60)
FESTIVAL_AFTER = dt.timedelta(days=7)
LARGE_GROUP_PEOPLE = 20
LARGE_AMOUNT = Decimal(100_000)
HUGE_AMOUNT = Decimal(1_000_000)
LONG_OPEN_DAYS = 30


@dataclass(frozen=True)
class Facts:
    text: str
    category: str = ""  # the level-1 code (labour, demolition …), "" when unknown
    people_count: int = 1
    amount: Decimal | None = None
    visits_count: int = 1
    earlier_cases: int = 0
    day: dt.date | None = None  # when the matter came in (for the festival rush)
    open_days: int = 0


@dataclass(frozen=True)
class Weights:
    factors: Mapping[str, int]
    categories: Mapping[str, int]


@dataclass(frozen=True)
class Assessment:
    level: str
    score: int
    reasons: list[str]


def default_weights() -> Weights:
    return Weights(dict(DEFAULTS), dict(CATEGORY_DEFAULTS))


def current_weights() -> Weights:
    """The defaults with the admin's rows laid over them (one query)."""
    from .models import RiskWeight

    factors, categories = dict(DEFAULTS), dict(CATEGORY_DEFAULTS)
    for factor, code, points in RiskWeight.objects.values_list(
        "factor", "category__code", "points"
    ):
        if code:
            categories[code] = points
        else:
            factors[factor] = points
    return Weights(factors, categories)


def level_of(total: int) -> str:
    return next((level for level, lowest in THRESHOLDS if total >= lowest), RiskLevel.BLUE)


def near_festival(day: dt.date) -> bool:
    festival = SPRING_FESTIVAL.get(day.year + (day.month >= 11))
    if festival is None:
        return False
    return festival - FESTIVAL_BEFORE <= day <= festival + FESTIVAL_AFTER


def _found(text: str, words: tuple[str, ...]) -> list[str]:
    return [word for word in words if word in text]


def _quoted(words: list[str]) -> str:
    return "、".join(f"“{word}”" for word in words[:3])


def score(facts: Facts, weights: Weights | None = None) -> Assessment:
    """Add each factor present; a reason reads 「极端言辞“跳楼”（+60）」. Factors worth 0 points
    are left out, so an admin switches one off by setting it to 0."""
    weights = weights or default_weights()
    text = facts.text or ""
    found: list[tuple[str, int]] = []

    def add(factor: str, reason: str) -> None:
        points = weights.factors.get(factor, 0)
        if points:
            found.append((reason, points))

    if words := _found(text, EXTREME_WORDS):
        add(Factor.EXTREME, _("极端言辞%(words)s") % {"words": _quoted(words)})
    if words := _found(text, ESCALATION_WORDS):
        add(Factor.ESCALATION, _("聚集或升级苗头%(words)s") % {"words": _quoted(words)})
    wage = facts.category == WAGE_CATEGORY or bool(_found(text, WAGE_WORDS))
    if wage and facts.day and near_festival(facts.day):
        add(Factor.FESTIVAL_WAGE, _("临近春节欠薪"))
    if facts.people_count >= settings.CONCORD["GROUP_MATTER_PEOPLE"]:
        add(Factor.GROUP, _("群体性事项（%(n)s人）") % {"n": facts.people_count})
    if facts.people_count >= LARGE_GROUP_PEOPLE:
        add(Factor.LARGE_GROUP, _("涉及人数20人以上"))
    if facts.visits_count >= 2:
        add(Factor.REPEAT_VISIT, _("重复来访（第%(n)s次）") % {"n": facts.visits_count})
    if facts.earlier_cases:
        add(Factor.EARLIER_CASES, _("当事人此前已有%(n)s件事项") % {"n": facts.earlier_cases})
    if facts.amount is not None and facts.amount >= LARGE_AMOUNT:
        add(Factor.LARGE_AMOUNT, _("涉及金额10万元以上"))
        if facts.amount >= HUGE_AMOUNT:
            add(Factor.HUGE_AMOUNT, _("涉及金额100万元以上"))
    if words := _found(text, VULNERABLE_WORDS):
        add(Factor.VULNERABLE, _("涉及弱势群体%(words)s") % {"words": _quoted(words)})
    if facts.open_days >= LONG_OPEN_DAYS:
        add(Factor.LONG_OPEN, _("已办理%(n)s天未结") % {"n": facts.open_days})
    if points := weights.categories.get(facts.category, 0):
        found.append((_("类别基础风险"), points))

    total = sum(points for _reason, points in found)
    reasons = [f"{reason}（+{points}）" for reason, points in found]
    return Assessment(level_of(total), total, reasons)


def top_category(code: str | None) -> str:
    """The level-1 code of a category code ("labour-wage-arrears" → "labour")."""
    if not code:
        return ""
    row = Category.objects.filter(code=code).values("code", "parent__code").first()
    return (row["parent__code"] or row["code"]) if row else ""


def assess_text(
    text: str,
    category: str | None = None,
    people_count: int = 1,
    amount: Decimal | int | float | str | None = None,
) -> Assessment:
    """What the intake form shows while the clerk types (no case yet): today's date, one visit."""
    # The form's half-typed values are scored as absent, never an error.
    try:
        money = Decimal(str(amount)) if amount not in (None, "") else None
    except ArithmeticError:
        money = None
    if money is not None and not money.is_finite():
        money = None
    try:
        people = max(int(people_count or 1), 1)
    except (TypeError, ValueError):
        people = 1
    facts = Facts(
        text=text or "",
        category=top_category(category),
        people_count=people,
        amount=money,
        day=timezone.localdate(),
    )
    return score(facts, current_weights())


def earlier_cases(case: Case) -> int:
    """The other cases, registered before this one, of the applicants (by ID number or phone)."""
    applicants = Party.objects.filter(case=case, role=PartyRole.APPLICANT)
    hashes = list(applicants.values_list("id_number_hash", "phone_hash"))
    ids = {h for h, _p in hashes if h}
    phones = {p for _h, p in hashes if p}
    if not ids and not phones:
        return 0
    same = Q(parties__id_number_hash__in=ids) | Q(parties__phone_hash__in=phones)
    return (
        Case.objects.filter(same, received_at__lt=case.received_at)
        .exclude(pk=case.pk)
        .exclude(pk=case.merged_into_id or 0)
        .filter(merged_into__isnull=True)
        .values("pk")
        .distinct()
        .count()
    )


def facts_of(case: Case, *, now: dt.datetime | None = None) -> Facts:
    now = now or timezone.now()
    category = ""
    if case.category_id:
        category = (
            Category.objects.filter(pk=case.category_id).values_list("parent__code", "code").first()
        )
        category = (category[0] or category[1]) if category else ""
    open_days = (now - case.received_at).days if case.status in OPEN_STATUSES else 0
    return Facts(
        text=f"{case.title}\n{case.description}",
        category=category,
        people_count=case.people_count,
        amount=case.amount,
        visits_count=case.visits_count,
        earlier_cases=earlier_cases(case),
        day=timezone.localtime(case.received_at).date(),
        open_days=max(open_days, 0),
    )


def assess_case(case: Case) -> Assessment:
    return score(facts_of(case), current_weights())
