"""Demo mediators and rooms for the demo county (concord.demo.county), and a few demo cases
mediated to an agreement.

`load_defaults()` is idempotent: mediators are found again by organisation and name (the names
come from a seeded Faker, so every run draws the same ones), rooms by organisation and name;
what the admin changed on an existing row is left alone. `load_demo_agreements()` runs once
the demo cases are seeded, and does nothing when an agreement exists already.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from concord.accounts.models import User
from concord.cases.choices import CaseStatus
from concord.cases.models import Case
from concord.orgs.models import Organisation, OrgKind

from .agreements import AgreementDraft, create_agreement, record_effect
from .choices import RoomKind, Specialty
from .confirmation import apply_for_confirmation
from .models import Agreement, Mediator, Room
from .pool import suggest_mediators
from .services import finish_mediation, start_mediation

S = Specialty
SEED = 20110101  # 人民调解法 came into force on 2011-01-01
DEMO_MEDIATOR_USER = "mediator"
DEMO_MEDIATOR_ORG = "medical-mediation"

# organisation code → (how many, specialties, how many of them are lawyers): 30 in all.
POOL = {
    "medical-mediation": (3, [S.MEDICAL], 1),
    "labour-mediation": (3, [S.LABOUR], 0),
    "traffic-mediation": (3, [S.TRAFFIC], 1),
    "property-mediation": (3, [S.PROPERTY, S.NEIGHBOUR], 0),
    "family-mediation": (3, [S.FAMILY, S.NEIGHBOUR], 0),
    "fishery-mediation": (2, [S.FISHERY], 0),
    "consumer-mediation": (2, [S.CONSUMER], 0),
    "construction-mediation": (2, [S.CONSTRUCTION], 1),
    "land-mediation": (3, [S.LAND], 0),
    "environment-mediation": (2, [S.NEIGHBOUR, S.OTHER], 0),
    "enterprise-mediation": (2, [S.OTHER, S.LABOUR], 1),
    "lawyer-mediation": (2, [S.OTHER, S.FAMILY, S.CONSTRUCTION], 2),
}
CERTIFICATES = {
    False: "人民调解员证（浙江省司法厅）",
    True: "律师执业证；人民调解员证（浙江省司法厅）",
}
# At the county center: (name, kind, capacity).
CENTER_ROOMS = [
    ("第一调解室", RoomKind.MEDIATION, 8),
    ("第二调解室", RoomKind.MEDIATION, 8),
    ("第三调解室", RoomKind.MEDIATION, 12),
    ("律师调解室一", RoomKind.LAWYER, 6),
    ("律师调解室二", RoomKind.LAWYER, 6),
]


def load_defaults() -> None:
    """About 30 mediators across the 12 professional mediation organisations (the demo account
    `mediator` is one of the medical committee's), 5 rooms at the county center and one per
    town center."""
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=[*POOL, "county-center"])}
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    with transaction.atomic():
        _link_demo_mediator(orgs)
        number = 0
        for code, (count, specialties, lawyers) in POOL.items():
            org = orgs.get(code)
            for i in range(count):
                number += 1
                name = fake.unique.name()
                if org is None:
                    continue
                lawyer = i < lawyers
                Mediator.objects.get_or_create(
                    organisation=org,
                    name=name,
                    defaults={
                        "specialties": list(specialties),
                        "is_lawyer": lawyer,
                        "certificates": CERTIFICATES[lawyer],
                        "phone": f"1395751{number:04d}",
                    },
                )
        center = orgs.get("county-center")
        if center is not None:
            for name, kind, capacity in CENTER_ROOMS:
                Room.objects.get_or_create(
                    organisation=center, name=name, defaults={"kind": kind, "capacity": capacity}
                )
        for town in Organisation.objects.filter(kind=OrgKind.TOWN_CENTER):
            Room.objects.get_or_create(
                organisation=town, name="调解室", defaults={"kind": RoomKind.MEDIATION}
            )


def _link_demo_mediator(orgs: dict[str, Organisation]) -> None:
    user = User.objects.filter(username=DEMO_MEDIATOR_USER).first()
    org = orgs.get(DEMO_MEDIATOR_ORG)
    if user is None or org is None or Mediator.objects.filter(user=user).exists():
        return
    Mediator.objects.create(
        user=user,
        name=user.full_name or user.username,
        organisation=org,
        specialties=[Specialty.MEDICAL],
        certificates=CERTIFICATES[False],
        phone=user.phone,
    )


DEMO_AGREEMENTS = 3
DEMO_CATEGORIES = ("property", "neighbour", "family", "consumer", "contract")


def load_demo_agreements() -> int:
    """Mediate a few in-progress demo disputes (物业、邻里、婚姻家庭…) to success, by the demo
    dispatcher: one agreement waiting for its signatures, one in effect (its judicial-confirmation
    window running), one applied for confirmation. Returns how many were made."""
    dispatcher = User.objects.filter(username="dispatcher").first()
    if dispatcher is None or Agreement.objects.exists():
        return 0
    cases = (
        Case.objects.filter(
            status=CaseStatus.IN_PROGRESS,
            category__parent__code__in=DEMO_CATEGORIES,
            mediations__isnull=True,
        )
        .annotate(party_count=Count("parties"))
        .filter(party_count__gte=2)
        .order_by("-received_at")[:DEMO_AGREEMENTS]
    )
    made = 0
    for index, case in enumerate(cases):
        suggestions = suggest_mediators(case, limit=1)
        if not suggestions:
            break
        with transaction.atomic():
            _settle(case, dispatcher, suggestions[0].mediator, steps=index)
        made += 1
    return made


def _settle(case: Case, dispatcher: User, mediator: Mediator, *, steps: int) -> None:
    mediation = start_mediation(case, actor=dispatcher, mediators=[mediator])
    note = "经调解，双方当事人自愿达成协议。"
    finish_mediation(mediation, actor=dispatcher, outcome="succeeded", note=note, rating=5)
    category = case.category.name if case.category_id else "本纠纷"
    agreement = create_agreement(
        mediation,
        actor=dispatcher,
        draft=AgreementDraft(
            parties=list(case.parties.all()[:2]),
            facts=case.description[:2000],
            disputes=f"双方就{category}的责任承担和补偿数额存在争议。",
            responsibility="双方各自承担相应责任。",
            terms="一、被申请人向申请人支付补偿款人民币五千元。\n二、双方就本纠纷再无其他争议。",
            performance_method="被申请人以银行转账方式一次性支付",
            performance_due=timezone.localdate() + dt.timedelta(days=15),
        ),
    )
    if steps < 1:
        return
    signed = {"parties_signed": True, "mediator_signed": True, "sealed": True}
    record_effect(agreement, actor=dispatcher, effective_at=timezone.now(), **signed)
    if steps < 2:
        return
    apply_for_confirmation(agreement, actor=dispatcher, applied_on=timezone.localdate(), joint=True)
