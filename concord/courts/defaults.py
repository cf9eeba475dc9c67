"""The dispute types courts commonly refer (民事案由), and demo referrals for the demo county.

`load_defaults()` is idempotent and never overwrites: a type that exists by code is left as
the admin made it. Categories and mediation organisations are looked up by code; one missing
in this county leaves the field empty (the type still works: no category, or no automatic
hand-over).
"""

from __future__ import annotations

from django.db import transaction

from concord.accounts.models import User
from concord.cases.models import Category
from concord.orgs.models import Organisation

from .models import CourtReferralType
from .services import Person, ReferralDraft, refer

# (code, 案由, category code, default mediation organisation code)
TYPES = [
    ("property-service", "物业服务合同纠纷", "property-fees", "property-mediation"),
    ("private-loan", "民间借贷纠纷", "contract-loan", "lawyer-mediation"),
    ("sale-contract", "买卖合同纠纷", "contract-sale", "enterprise-mediation"),
    ("traffic-accident", "机动车交通事故责任纠纷", "traffic-compensation", "traffic-mediation"),
    ("divorce", "离婚纠纷", "family-marriage", "family-mediation"),
    ("support", "抚养、赡养纠纷", "family-elderly-support", "family-mediation"),
    ("inheritance", "继承纠纷", "family-inheritance", "family-mediation"),
    ("neighbour", "相邻关系纠纷", "neighbour-passage", "county-center"),
    ("house-lease", "房屋租赁合同纠纷", "contract-lease", "lawyer-mediation"),
    ("labour-service", "劳务合同纠纷", "contract", "labour-mediation"),
    ("wage-claim", "追索劳动报酬纠纷", "labour-wage-arrears", "labour-mediation"),
    ("medical-damage", "医疗损害责任纠纷", "medical-malpractice", "medical-mediation"),
    ("construction", "建设工程施工合同纠纷", "construction-payment", "construction-mediation"),
    ("decoration", "装饰装修合同纠纷", "construction-quality", "construction-mediation"),
    ("consumer", "消费者权益纠纷", "consumer-quality", "consumer-mediation"),
    ("personal-injury", "人身损害赔偿纠纷", "neighbour-damage", "county-center"),
    ("property-damage", "财产损害赔偿纠纷", "neighbour-damage", "county-center"),
    ("service-contract", "服务合同纠纷", "consumer-service", "consumer-mediation"),
    ("work-contract", "承揽合同纠纷", "contract", "enterprise-mediation"),
    ("land-contract", "农村土地承包合同纠纷", "land-contract", "land-mediation"),
]


def load_defaults() -> int:
    """The 20 referral types; returns how many were added."""
    categories = {
        c.code: c for c in Category.objects.filter(code__in={t[2] for t in TYPES}, active=True)
    }
    orgs = {
        o.code: o for o in Organisation.objects.filter(code__in={t[3] for t in TYPES}, active=True)
    }
    existing = set(CourtReferralType.objects.values_list("code", flat=True))
    new = [
        CourtReferralType(
            code=code,
            name=name,
            category=categories.get(category),
            mediation_org=orgs.get(org),
            sort_order=(i + 1) * 10,
        )
        for i, (code, name, category, org) in enumerate(TYPES)
        if code not in existing
    ]
    with transaction.atomic():
        CourtReferralType.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# ---------------------------------------------------------------- demo referrals

DEMO_COURT_USER = "court"
# (案号 serial, type code, plaintiff, defendant, summary, town name)
DEMO = [
    (
        101,
        "property-service",
        "王建国",
        "上虞某物业服务有限公司",
        "原告系小区业主，主张被告物业服务不到位、电梯长期故障；被告反诉原告拖欠物业费2年"
        "共计3600元。",
        "百官街道",
    ),
    (
        102,
        "private-loan",
        "陈丽华",
        "李志明",
        "原告于2025年3月出借被告5万元，约定半年归还，到期后被告仅归还1万元，余款催讨未果。",
        "曹娥街道",
    ),
    (
        103,
        "traffic-accident",
        "赵小军",
        "钱伟",
        "双方驾驶车辆在104国道发生碰撞，原告受伤住院12天，就医疗费、误工费赔偿协商未果。",
        "东关街道",
    ),
    (
        104,
        "wage-claim",
        "孙红英等3人",
        "上虞某建材加工厂",
        "原告在被告处务工，被告拖欠2025年9月至12月工资合计4.2万元。",
        "百官街道",
    ),
    (
        105,
        "house-lease",
        "周明",
        "吴晓峰",
        "租期届满后承租人未按约腾退房屋，出租人要求支付占用费并返还房屋，押金退还存在争议。",
        "曹娥街道",
    ),
]


def load_demo(year: int = 2026) -> int:
    """Five referrals from the demo court (idempotent on 案号); returns how many were added.
    Call after load_defaults()."""
    user = User.objects.select_related("organisation").filter(username=DEMO_COURT_USER).first()
    if user is None or user.organisation is None:
        return 0
    added = 0
    for serial, type_code, plaintiff, defendant, summary, town in DEMO:
        _referral, created = refer(
            actor=user,
            draft=ReferralDraft(
                court_case_number=f"({year})浙0604民诉前调{serial}号",
                type=type_code,
                description=summary,
                plaintiffs=[Person(plaintiff)],
                defendants=[Person(defendant)],
                division=town,
            ),
        )
        added += created
    return added
