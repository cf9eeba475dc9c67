"""The demo county's service desks, and a fortnight of their slots.

`load_defaults()` is idempotent: desks are found again by code and what the admin changed on
them is left alone. `load_demo()` generates this week's and next week's slots (the generator
adds only the missing ones)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from concord.orgs.models import Organisation

from .choices import DeskKind
from .models import Desk
from .slots import generate_week

# (code, name, kind, organisation code, place, minutes per slot, places, staff), in the order
# the page lists them.
DESKS = [
    (
        "legal-aid",
        "法律援助窗口",
        DeskKind.LEGAL_AID,
        "justice",
        "区矛调中心一楼 法律援助窗口",
        60,
        2,
        "值班律师",
    ),
    (
        "counselling",
        "心理咨询室",
        DeskKind.COUNSELLING,
        "county-center",
        "区矛调中心二楼 心理咨询室",
        60,
        1,
        "心理咨询师",
    ),
]


def load_defaults() -> int:
    """The legal-aid desk (justice bureau) and the counselling room (county center), where
    their organisations exist; returns how many desks were added."""
    orgs = Organisation.objects.in_bulk([d[3] for d in DESKS], field_name="code")
    added = 0
    with transaction.atomic():
        for position, row in enumerate(DESKS, start=1):
            code, name, kind, org, place, minutes, capacity, staff = row
            if org not in orgs:
                continue
            _desk, created = Desk.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "organisation": orgs[org],
                    "place": place,
                    "slot_minutes": minutes,
                    "capacity": capacity,
                    "staff_name": staff,
                    "position": position,
                },
            )
            added += created
    return added


def load_demo() -> int:
    """This week's and next week's slots of every active desk; returns how many were added."""
    load_defaults()
    today = timezone.localdate()
    added = 0
    for desk in Desk.objects.filter(active=True):
        for week in (today, today + dt.timedelta(days=7)):
            added += len(generate_week(desk, day=week))
    return added
