"""Demo mediators and rooms for the demo county (concord.demo.county).

`load_defaults()` is idempotent: mediators are found again by organisation and name (the names
come from a seeded Faker, so every run draws the same ones), rooms by organisation and name;
what the admin changed on an existing row is left alone.
"""

from __future__ import annotations

from django.db import transaction
from faker import Faker

from concord.accounts.models import User
from concord.orgs.models import Organisation, OrgKind

from .choices import RoomKind, Specialty
from .models import Mediator, Room

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
