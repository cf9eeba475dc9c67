"""Factories for cases and parties (bulk data), and a builder that walks a case through the
real lifecycle to any status (behaviour)."""

import factory
from faker import Faker

from concord.accounts.models import User
from concord.cases import lifecycle
from concord.cases.choices import CaseStatus, CaseType, Channel, PartyRole, Result, Satisfaction
from concord.cases.models import Case, Category, Party
from concord.cases.services import CaseDraft, PartyDraft, register_case
from concord.core.crypto import keyed_hash
from concord.geo.models import Division
from concord.orgs.models import Organisation

fake = Faker("zh_CN")
BAIGUAN = "330604001000"
CAOE = "330604002000"


def first_village(town_code: str) -> Division:
    return Division.objects.filter(parent_id=town_code).order_by("code").first()


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    tracking_code = factory.Sequence(lambda n: f"TF{n:08d}")
    type = CaseType.DISPUTE
    channel = Channel.WALK_IN
    title = factory.LazyFunction(lambda: fake.sentence(nb_words=6))
    description = factory.LazyFunction(lambda: fake.paragraph())
    division = factory.LazyFunction(lambda: first_village(BAIGUAN))
    town_id = factory.LazyAttribute(lambda case: case.division.town_code)
    category = factory.LazyFunction(lambda: Category.objects.filter(parent__isnull=False).first())


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    case = factory.SubFactory(CaseFactory)
    role = PartyRole.APPLICANT
    name = factory.LazyFunction(fake.name)
    id_number = factory.LazyFunction(fake.ssn)
    id_number_hash = factory.LazyAttribute(lambda p: keyed_hash(p.id_number))
    phone = factory.LazyFunction(fake.phone_number)
    phone_hash = factory.LazyAttribute(lambda p: keyed_hash(p.phone))


def two_parties() -> list[PartyDraft]:
    return [
        PartyDraft(
            PartyRole.APPLICANT, fake.name(), fake.ssn(), fake.phone_number(), fake.address()
        ),
        PartyDraft(
            PartyRole.RESPONDENT, fake.name(), fake.ssn(), fake.phone_number(), fake.address()
        ),
    ]


# The path through the loop, and who takes each step, for the demo county's personas.
PATH = [
    (CaseStatus.ACCEPTED, "clerk", "accept", {}),
    (CaseStatus.ASSIGNED, "dispatcher", "assign", {}),
    (CaseStatus.IN_PROGRESS, None, "sign", {}),
    (
        CaseStatus.RESOLVED,
        None,
        "resolve",
        {"result": Result.MEDIATED, "reply": "经调解双方达成一致。"},
    ),
    (CaseStatus.RATED, "clerk", "rate", {"satisfaction": Satisfaction.SATISFIED}),
    (CaseStatus.ARCHIVED, "dispatcher", "archive", {}),
]


def build_case(
    status: str = CaseStatus.REGISTERED, *, town: str = BAIGUAN, handler: str = "baiguan", **draft
) -> Case:
    """A case registered by `clerk` in a village of `town`, walked to `status` by the personas;
    `handler` is the user whose organisation leads it."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    fields = {
        "type": CaseType.DISPUTE,
        "channel": Channel.WALK_IN,
        "description": "邻居在楼道堆放杂物，多次协商未果。",
        "division": first_village(town).code,
        "parties": two_parties(),
        **draft,
    }
    case = register_case(actor=users["clerk"], draft=CaseDraft(**fields))
    lead = users[handler].organisation
    for _reached, who, action, params in PATH:
        if case.status == status:
            break
        if action == "assign":
            params = {"lead_org": lead.pk}
        actor = users[who or handler]
        case = lifecycle.transition(case, actor=actor, action=action, comment="", **params)
    assert case.status == status, f"cannot build a case in status {status}"
    return case


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)
