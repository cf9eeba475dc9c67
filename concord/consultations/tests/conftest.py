"""A group wage-arrears case at 百官街道 (30 people), the mediator pool, and the seats of a
3+X: the court's judge, a labour chief mediator, a lawyer, and 人社局 and 总工会."""

import datetime as dt

import pytest
from django.utils import timezone

from concord.cases.tests.factories import build_case, organisation
from concord.consultations import services
from concord.mediation.defaults import load_defaults
from concord.mediation.models import Mediator


@pytest.fixture
def pool(county):
    load_defaults()


@pytest.fixture
def group_case(pool):
    return build_case(
        "in_progress",
        category="labour-wage-arrears",
        people_count=30,
        title="某建筑公司拖欠30名农民工工资",
        description="某建筑公司拖欠30名农民工工资共计约90万元，工人多次讨要未果。",
    )


@pytest.fixture
def chief(pool) -> Mediator:
    return Mediator.objects.filter(organisation__code="labour-mediation").order_by("pk").first()


@pytest.fixture
def lawyer(pool) -> Mediator:
    return Mediator.objects.filter(organisation__code="lawyer-mediation", is_lawyer=True).first()


@pytest.fixture
def seats(persona, chief, lawyer):
    """The keyword arguments of a valid 3+X, tomorrow at 09:30 (override any of them)."""

    def make(**overrides) -> dict:
        when = timezone.localtime() + dt.timedelta(days=1)
        return {
            "scheduled_at": when.replace(hour=9, minute=30, second=0, microsecond=0),
            "place": "区矛调中心三楼会商室",
            "agenda": "研究欠薪群体事项的化解方案",
            "judge_user": persona("court").pk,
            "chief_mediator": chief.pk,
            "lawyer": lawyer.pk,
            "departments": [organisation("hrss").pk, organisation("union").pk],
            **overrides,
        }

    return make


@pytest.fixture
def scheduled(group_case, persona, seats):
    return services.schedule(group_case, actor=persona("dispatcher"), **seats())


def minutes_params(consultation, **overrides) -> dict:
    """Held just now, everybody came, two decisions: 人社局 in 7 days, 百官街道 in 3."""
    today = timezone.localdate()
    return {
        "held_at": timezone.now(),
        "minutes": "各方一致同意：先由人社局责令企业限期支付，工会协助核对工资清单。",
        "attended": [p.pk for p in consultation.participants.all()],
        "decisions": [
            {
                "text": "责令企业于7日内支付拖欠工资",
                "organisation": organisation("hrss").pk,
                "due_date": today + dt.timedelta(days=7),
            },
            {
                "text": "核对30名工人的工资清单",
                "organisation": organisation("town-330604001").pk,
                "due_date": today + dt.timedelta(days=3),
            },
        ],
        **overrides,
    }
