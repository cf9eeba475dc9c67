"""The demo county's reference data: divisions, organisations, categories and demo accounts.

绍兴市上虞区: the county center with its stationed departments and professional mediation
organisations, a center per town, a mediation committee per village, one grid, the category
tree, and the demo accounts of SPEC §11. Safe to run again; a no-op when all is there.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.hashers import make_password
from django.db import transaction

from concord.accounts.models import Role, User
from concord.accounts.permissions import staff_flags
from concord.cases.models import Category
from concord.deadlines.defaults import load_defaults as load_deadline_defaults
from concord.evaluation.defaults import load_defaults as load_follow_up_plans
from concord.geo.loader import load_county
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import LinkageRole, Organisation, OrgKind
from concord.routing.defaults import load_defaults as load_routing_defaults

DEMO_COUNTY = "330604"
# Meets the password policy (10 characters, 3 of 4 character classes) like any other.
DEMO_PASSWORD = "Concord-demo1"
# The grid of the first village of 百官街道 (330604001001 龙山社区), where the `grid` account works.
GRID_VILLAGE_TOWN = "330604001000"
GRID_ORG_CODE = "grid-330604001001-1"

# (username, role, organisation code, full name): SPEC §11.
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("admin", Role.ADMIN, "county-center", "陈志强"),
    ("clerk", Role.CLERK, "county-center", "王晓燕"),
    ("dispatcher", Role.DISPATCHER, "county-center", "张伟明"),
    ("leader", Role.LEADER, "county-leadership", "赵国平"),
    ("baiguan", Role.HANDLER, "town-330604001", "刘芳"),
    ("caoe", Role.HANDLER, "town-330604002", "周建华"),
    ("baiguan_leader", Role.LEADER, "town-330604001", "徐丽华"),
    ("hrss", Role.HANDLER, "hrss", "孙丽娟"),
    ("court", Role.HANDLER, "court", "钱明哲"),
    ("mediator", Role.MEDIATOR, "medical-mediation", "吴秀英"),
    ("grid", Role.GRID, GRID_ORG_CODE, "郑海军"),
    ("secadmin", Role.SECURITY_ADMIN, "county-center", "林国栋"),
    ("auditor", Role.AUDITOR, "county-center", "何晓梅"),
]

COUNTY_ORGS = [
    ("county-center", "上虞区矛调中心", OrgKind.COUNTY_CENTER),
    ("county-leadership", "中共绍兴市上虞区委政法委员会", OrgKind.LEADERSHIP),
]

# Stationed at the county center (入驻部门).
LINKAGE_ROLES = {
    "court": LinkageRole.COURT,
    "police": LinkageRole.POLICE,
    "procuratorate": LinkageRole.PROCURATORATE,
    "petition": LinkageRole.PETITION,
}
DEPARTMENTS = [
    ("court", "上虞区人民法院"),
    ("procuratorate", "上虞区人民检察院"),
    ("police", "绍兴市公安局上虞区分局"),
    ("justice", "上虞区司法局"),
    ("petition", "上虞区信访局"),
    ("hrss", "上虞区人力资源和社会保障局"),
    ("housing", "上虞区住房和城乡建设局"),
    ("health", "上虞区卫生健康局"),
    ("natural-resources", "绍兴市自然资源和规划局上虞分局"),
    ("market", "上虞区市场监督管理局"),
    ("law-enforcement", "上虞区综合行政执法局"),
    ("agriculture", "上虞区农业农村局"),
    ("civil-affairs", "上虞区民政局"),
    ("education", "上虞区教育体育局"),
    ("transport", "上虞区交通运输局"),
    ("environment", "绍兴市生态环境局上虞分局"),
    ("union", "上虞区总工会"),
    ("women", "上虞区妇女联合会"),
    ("hotline-12345", "上虞区12345政务服务热线中心"),
]

# Professional mediation organisations stationed at the center (专业调解组织).
MEDIATION_ORGS = [
    ("medical-mediation", "上虞区医疗纠纷人民调解委员会"),
    ("labour-mediation", "上虞区劳动争议人民调解委员会"),
    ("traffic-mediation", "上虞区交通事故纠纷人民调解委员会"),
    ("property-mediation", "上虞区物业纠纷人民调解委员会"),
    ("family-mediation", "上虞区婚姻家庭纠纷人民调解委员会"),
    ("fishery-mediation", "上虞区海事渔业纠纷人民调解委员会"),
    ("consumer-mediation", "上虞区消费纠纷人民调解委员会"),
    ("construction-mediation", "上虞区建设工程纠纷人民调解委员会"),
    ("land-mediation", "上虞区土地山林纠纷人民调解委员会"),
    ("environment-mediation", "上虞区环境污染纠纷人民调解委员会"),
    ("enterprise-mediation", "上虞区企业商事纠纷人民调解委员会"),
    ("lawyer-mediation", "上虞区律师调解工作室"),
]

# Two-level category tree: (code, name, [(child suffix, child name)]); child code = code-suffix.
# The suffixes match the demo case texts (concord.demo.texts).
CATEGORIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "family",
        "婚姻家庭",
        [
            ("marriage", "婚姻纠纷"),
            ("elderly-support", "赡养纠纷"),
            ("child-support", "抚养纠纷"),
            ("inheritance", "继承纠纷"),
        ],
    ),
    (
        "neighbour",
        "邻里纠纷",
        [
            ("boundary", "宅基地相邻纠纷"),
            ("passage", "通行采光排水"),
            ("noise", "噪音扰民"),
            ("damage", "邻里损害赔偿"),
        ],
    ),
    (
        "labour",
        "劳动争议/欠薪",
        [
            ("wage-arrears", "拖欠工资"),
            ("injury", "工伤待遇"),
            ("contract", "劳动合同解除"),
            ("social-insurance", "社会保险"),
        ],
    ),
    (
        "land",
        "土地山林",
        [
            ("contract", "土地承包经营"),
            ("homestead", "宅基地使用权"),
            ("forest", "山林权属"),
            ("compensation", "土地补偿分配"),
        ],
    ),
    (
        "demolition",
        "征地拆迁",
        [
            ("compensation", "征收补偿"),
            ("resettlement", "安置房分配"),
            ("illegal-building", "违法建筑拆除"),
        ],
    ),
    (
        "medical",
        "医疗纠纷",
        [("malpractice", "医疗损害赔偿"), ("service", "医疗服务"), ("fees", "医疗费用")],
    ),
    (
        "traffic",
        "交通事故",
        [("compensation", "人身损害赔偿"), ("property", "财产损失"), ("insurance", "保险理赔")],
    ),
    (
        "property",
        "物业纠纷",
        [
            ("fees", "物业费收缴"),
            ("service", "物业服务质量"),
            ("parking", "停车管理"),
            ("quality", "房屋质量维修"),
        ],
    ),
    (
        "consumer",
        "消费维权",
        [("prepaid", "预付卡退费"), ("quality", "商品质量"), ("service", "服务合同")],
    ),
    ("contract", "合同/债务", [("loan", "民间借贷"), ("sale", "买卖合同"), ("lease", "房屋租赁")]),
    (
        "construction",
        "建设工程",
        [("payment", "工程款结算"), ("quality", "工程质量"), ("damage", "施工损害")],
    ),
    (
        "environment",
        "环境污染",
        [
            ("air", "大气污染/异味"),
            ("noise", "噪声污染"),
            ("water", "水污染"),
            ("waste", "固体废物"),
        ],
    ),
    (
        "fishery",
        "海事渔业",
        [("pollution", "养殖水域污染"), ("waters", "渔业水域权属"), ("contract", "渔船雇佣合同")],
    ),
    (
        "litigation",
        "涉法涉诉",
        [("enforcement", "执行申诉"), ("judgment", "不服裁判"), ("police", "不服公安处理")],
    ),
    ("other", "其他", [("consultation", "政策法律咨询"), ("misc", "其他事项")]),
]


def _phone(code: str) -> str:
    """A stable, plausible 上虞 landline (0575-82xxxxxx) for an organisation code."""
    number = int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) % 1_000_000
    return f"0575-82{number:06d}"


def category_codes() -> list[str]:
    """Every category code, parents and children."""
    codes = []
    for code, _, children in CATEGORIES:
        codes += [code, *(f"{code}-{suffix}" for suffix, _ in children)]
    return codes


def _fixed_org_codes() -> list[str]:
    return [c for c, *_ in (*COUNTY_ORGS, *DEPARTMENTS, *MEDIATION_ORGS)] + [GRID_ORG_CODE]


def is_loaded() -> bool:
    """Everything is there already (a handful of counts: tests call load_reference_data a lot)."""
    divisions = Division.objects.filter(code__startswith=DEMO_COUNTY)
    villages = divisions.filter(level=DivisionLevel.VILLAGE).count()
    towns = divisions.filter(level=DivisionLevel.TOWN).count()
    if not villages or not towns:
        return False
    orgs = Organisation.objects.filter(division__code__startswith=DEMO_COUNTY)
    fixed, categories = _fixed_org_codes(), category_codes()
    usernames = [a[0] for a in DEMO_ACCOUNTS]
    return (
        orgs.filter(kind=OrgKind.VILLAGE_COMMITTEE).count() == villages
        and orgs.filter(kind=OrgKind.TOWN_CENTER).count() == towns
        and Organisation.objects.filter(code__in=fixed).count() == len(fixed)
        and Category.objects.filter(code__in=categories).count() == len(categories)
        and User.objects.filter(username__in=usernames).count() == len(usernames)
    )


def _upsert_orgs(orgs: list[Organisation]) -> dict[str, int]:
    """Create or update by code (admin's `active` flag is left alone); returns code → id."""
    Organisation.objects.bulk_create(
        orgs,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "division", "parent", "phone", "linkage"],
    )
    codes = [o.code for o in orgs]
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "id"))


def _load_organisations(county: Division) -> dict[str, int]:
    def org(code: str, name: str, kind: str, division: str, parent: int | None) -> Organisation:
        return Organisation(
            code=code,
            name=name,
            kind=kind,
            division_id=division,
            parent_id=parent,
            phone=_phone(code),
            linkage=LINKAGE_ROLES.get(code, ""),
        )

    ids = _upsert_orgs([org(c, n, k, county.code, None) for c, n, k in COUNTY_ORGS])
    center = ids["county-center"]
    towns = list(Division.objects.filter(parent=county, level=DivisionLevel.TOWN))
    villages = list(
        Division.objects.filter(code__startswith=DEMO_COUNTY, level=DivisionLevel.VILLAGE)
    )
    ids |= _upsert_orgs(
        [org(c, n, OrgKind.DEPARTMENT, county.code, center) for c, n in DEPARTMENTS]
        + [org(c, n, OrgKind.MEDIATION_ORG, county.code, center) for c, n in MEDIATION_ORGS]
        + [
            org(f"town-{t.code[:9]}", f"{t.name}矛调中心", OrgKind.TOWN_CENTER, t.code, center)
            for t in towns
        ]
    )
    ids |= _upsert_orgs(
        [
            org(
                f"village-{v.code}",
                f"{v.name}人民调解委员会",
                OrgKind.VILLAGE_COMMITTEE,
                v.code,
                ids[f"town-{v.code[:9]}"],
            )
            for v in villages
        ]
    )
    grid_village = min(
        (v for v in villages if v.parent_id == GRID_VILLAGE_TOWN), key=lambda v: v.code
    )
    if f"grid-{grid_village.code}-1" != GRID_ORG_CODE:
        raise RuntimeError(f"the first village of 百官街道 is now {grid_village.code}")
    ids |= _upsert_orgs(
        [
            org(
                GRID_ORG_CODE,
                f"{grid_village.name}第一网格",
                OrgKind.GRID,
                grid_village.code,
                ids[f"village-{grid_village.code}"],
            )
        ]
    )
    return ids


def _load_categories() -> None:
    def upsert(rows: list[Category]) -> dict[str, int]:
        Category.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "parent", "sort_order"],
        )
        codes = [r.code for r in rows]
        return dict(Category.objects.filter(code__in=codes).values_list("code", "id"))

    parents = upsert(
        [
            Category(code=code, name=name, parent=None, sort_order=(i + 1) * 10)
            for i, (code, name, _) in enumerate(CATEGORIES)
        ]
    )
    upsert(
        [
            Category(
                code=f"{code}-{suffix}",
                name=child,
                parent_id=parents[code],
                sort_order=(i + 1) * 10 + j + 1,
            )
            for i, (code, _, children) in enumerate(CATEGORIES)
            for j, (suffix, child) in enumerate(children)
        ]
    )


def _load_accounts(org_ids: dict[str, int]) -> None:
    """Create missing demo accounts; fix role and organisation of existing ones (password kept)."""
    existing = {
        u.username: u for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
    }
    # One hash shared by the new accounts: the demo password is public anyway, and hashing it
    # (Argon2) ten times would make every test that loads the county noticeably slower.
    password = make_password(DEMO_PASSWORD) if len(existing) < len(DEMO_ACCOUNTS) else ""
    new, changed = [], []
    for index, (username, role, org_code, full_name) in enumerate(DEMO_ACCOUNTS, start=1):
        user = existing.get(username)
        if user is None:
            user = User(username=username, password=password)
            new.append(user)
        else:
            changed.append(user)
        user.role = role
        user.organisation_id = org_ids[org_code]
        user.full_name = full_name
        user.phone = user.phone or f"1385751{index:04d}"
        user.is_staff, user.is_superuser = staff_flags(role)
        user.is_active = True
    User.objects.bulk_create(new)
    fields = ["role", "organisation", "full_name", "phone", "is_staff", "is_superuser", "is_active"]
    User.objects.bulk_update(changed, fields)


def load_reference_data(force: bool = False) -> Division:
    """Load the demo county and its reference data; returns the county division."""
    if not force and is_loaded():
        return Division.objects.get(code=DEMO_COUNTY + "000000")
    with transaction.atomic():
        county = load_county(DEMO_COUNTY)
        org_ids = _load_organisations(county)
        _load_categories()
        _load_accounts(org_ids)
        load_deadline_defaults()
        load_routing_defaults()
        load_follow_up_plans()
    return county
