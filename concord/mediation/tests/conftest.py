"""The demo mediator pool and rooms on top of the demo county, a medical dispute at 百官街道
led by the town center, and that dispute mediated to success with its agreement."""

import datetime as dt

import pytest
from django.utils import timezone

from concord.cases.tests.factories import build_case
from concord.mediation.agreements import AgreementDraft, create_agreement, record_effect
from concord.mediation.defaults import load_defaults
from concord.mediation.models import Mediator, Room
from concord.mediation.services import finish_mediation, start_mediation


@pytest.fixture
def pool(county):
    load_defaults()


@pytest.fixture
def medical_case(pool):
    return build_case(
        "in_progress",
        category="medical-malpractice",
        description="患者术后感染，家属要求医院赔偿，双方协商未果。",
    )


@pytest.fixture
def room(pool):
    return Room.objects.get(organisation__code="county-center", name="第一调解室")


@pytest.fixture
def medics(pool):
    """The medical committee's three mediators without a login (the demo account is a fourth)."""
    medical = Mediator.objects.filter(organisation__code="medical-mediation", user=None)
    return list(medical.order_by("pk"))


def at(days: int = 1, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local time `days` from today (tomorrow 09:00 by default)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


FACTS = "患者于2026年3月在医院行阑尾切除术，术后切口感染，住院延长十二天。"
DISPUTES = "医院是否存在过错，以及赔偿金额。"
RESPONSIBILITY = "医院对术后护理不到位承担主要责任。"
TERMS = (
    "医院一次性补偿患者医疗费、误工费等共计人民币三万八千元。\n患者不再就此事向医院主张其他权利。"
)
METHOD = "银行转账至患者本人账户"


@pytest.fixture
def succeeded(medical_case, persona, medics):
    """The medical dispute, mediated to success by the dispatcher."""
    dispatcher = persona("dispatcher")
    mediation = start_mediation(medical_case, actor=dispatcher, mediators=[medics[0]])
    return finish_mediation(
        mediation, actor=dispatcher, outcome="succeeded", note="双方达成赔偿协议。"
    )


def draft(case, **changes) -> AgreementDraft:
    """A complete written agreement between all the case's parties, paid within 30 days."""
    fields = {
        "parties": list(case.parties.all()),
        "facts": FACTS,
        "disputes": DISPUTES,
        "responsibility": RESPONSIBILITY,
        "terms": TERMS,
        "performance_method": METHOD,
        "performance_due": timezone.localdate() + dt.timedelta(days=30),
        **changes,
    }
    return AgreementDraft(**fields)


@pytest.fixture
def agreement(succeeded, persona):
    return create_agreement(succeeded, actor=persona("dispatcher"), draft=draft(succeeded.case))


def sign(agreement, user, at=None):
    """Record that a written agreement took effect, signed and sealed (now by default)."""
    return record_effect(
        agreement,
        actor=user,
        effective_at=at or timezone.now(),
        parties_signed=True,
        mediator_signed=True,
        sealed=True,
    )
