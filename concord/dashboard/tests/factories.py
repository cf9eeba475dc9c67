"""Rows the KPIs read that the case factory does not make: deadlines and summonses."""

import datetime as dt

import factory

from concord.accounts.models import User
from concord.deadlines.models import Deadline, PolicyNode
from concord.orgs.models import Organisation
from concord.summons.models import Summons, SummonsTarget


class DeadlineFactory(factory.django.DjangoModelFactory):
    """A 办结 node of the case, due `due_at`; started ten days before."""

    class Meta:
        model = Deadline

    node = factory.LazyFunction(lambda: PolicyNode.objects.filter(code="resolve").first())
    code = "resolve"
    label = "办结"
    unit = factory.LazyAttribute(lambda d: d.node.unit)
    amount = factory.LazyAttribute(lambda d: d.node.amount)
    started_at = factory.LazyAttribute(lambda d: d.due_at - dt.timedelta(days=10))
    warn_at = factory.LazyAttribute(lambda d: d.due_at - dt.timedelta(days=1))


class SummonsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Summons

    reason = "群体性纠纷需多部门到场"
    issued_by = factory.LazyFunction(lambda: User.objects.get(username="dispatcher"))
    issuer_org = factory.LazyFunction(lambda: Organisation.objects.get(code="county-center"))


class SummonsTargetFactory(factory.django.DjangoModelFactory):
    """A summoned organisation, due to arrive 40 minutes after the summons."""

    class Meta:
        model = SummonsTarget

    summons = factory.SubFactory(SummonsFactory, case=factory.SelfAttribute("..case"))
    organisation = factory.LazyFunction(lambda: Organisation.objects.get(code="hrss"))
    ack_due_at = factory.LazyAttribute(lambda t: t.summons.issued_at + dt.timedelta(minutes=20))
    arrive_due_at = factory.LazyAttribute(lambda t: t.summons.issued_at + dt.timedelta(minutes=40))
