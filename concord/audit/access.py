"""谁查看了我的信息: every audit entry about one person's records, for the auditor to answer a
person's request (PIPL art. 44–45: the right to know how one's information is processed).

The person is found by the keyed hash of the ID number (or, failing one, of the phone), as
duplicates and risk find repeat visitors: the plain number is never compared or stored. The
entries are those whose object is one of the person's party records, one of their cases, or a
mediation agreement they are a party to: full views (REVEAL_PII), document downloads,
anonymisation. The lookup itself is audited, naming the person only by masked numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import reads_audit_log
from concord.cases.models import Case, Party
from concord.core.crypto import keyed_hash
from concord.core.errors import Forbidden
from concord.core.pii import mask_id_number, mask_name, mask_phone
from concord.mediation.models import Agreement

from .models import AuditAction, AuditEntry, record


@dataclass
class Person:
    id_number_masked: str
    phone_masked: str
    parties: list[Party]

    @property
    def found(self) -> bool:
        return bool(self.parties)

    def describe(self) -> str:
        return self.id_number_masked or self.phone_masked


def find_person(*, id_number: str = "", phone: str = "") -> Person:
    if id_number:
        parties = Party.objects.filter(id_number_hash=keyed_hash(id_number))
    else:
        parties = Party.objects.filter(phone_hash=keyed_hash(phone))
    parties = list(parties.select_related("case").order_by("case__received_at", "pk"))
    for party in parties:
        party.name_masked = mask_name(party.name)
    return Person(mask_id_number(id_number), "" if id_number else mask_phone(phone), parties)


def entries_about(person: Person) -> QuerySet[AuditEntry]:
    """The audit entries whose object is one of the person's records, newest first."""
    if not person.found:
        return AuditEntry.objects.none()
    party_ids = [p.pk for p in person.parties]
    agreements = Agreement.objects.filter(parties__in=party_ids).values_list("pk", flat=True)
    objects = {
        Party._meta.model_name: party_ids,
        Case._meta.model_name: {p.case_id for p in person.parties},
        Agreement._meta.model_name: set(agreements),
    }
    about = Q()
    for object_type, ids in objects.items():
        if ids:
            about |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return AuditEntry.objects.filter(about).select_related("actor__organisation").order_by("-seq")


def access_report(
    *, actor: User, id_number: str = "", phone: str = "", ip: str | None = None
) -> tuple[Person, QuerySet[AuditEntry]]:
    """The person and the entries about them; the lookup is written to the log first."""
    if not reads_audit_log(actor):
        raise Forbidden(_("只有安全审计员可以查询个人信息访问记录"))
    person = find_person(id_number=id_number, phone=phone)
    entries = entries_about(person)
    with transaction.atomic():
        record(
            actor=actor,
            action=AuditAction.ACCESS_REPORT,
            detail={
                "id_number": person.id_number_masked,
                "phone": person.phone_masked,
                "parties": len(person.parties),
            },
            ip=ip,
        )
    return person, entries
