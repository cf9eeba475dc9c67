"""Anonymisation of closed cases past their age (PIPL art. 19: personal information is kept no
longer than its purpose needs; art. 47: then deleted or de-identified).

What goes: the parties' names (replaced by 申请人1, 被申请人1, …), ID numbers, phones and
addresses and the keyed hashes that found them; the case's street address; the names and any
ID, mobile or landline number written in the case's free text and in the records around it
(timeline comments, answers, mediation records, agreements, visits, letters …); appointment
contacts; uploaded photos and agreement scans (the files themselves); the text fingerprints of
the duplicate check.

What stays, for statistics: type, channel, category, division and town, dates and times,
statuses, result and satisfaction, amounts, people counts, the organisations and the staff
who acted. The map point is rounded to about a kilometre.

Each case is done in its own transaction, under a row lock, and marked (audit.AnonymisedCase)
with an audit entry: running again does nothing twice; a case reopened meanwhile is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concord.audit.models import AnonymisedCase, AuditAction, record
from concord.core.errors import InvalidInput
from concord.core.pii import erase_in_text

from .choices import CaseStatus, PartyRole
from .models import Attachment, Case, Party

# Statuses a case ends in: each sets closed_at (lifecycle._close).
CLOSED_STATUSES = frozenset({CaseStatus.ARCHIVED, CaseStatus.REFUSED, CaseStatus.REFERRED})
# Below this age a case may still be rated, visited (90 days) or reopened: never anonymised.
MIN_AGE_DAYS = 180
ERASED = "〔已删除〕"

# Free text kept with a case elsewhere: (model, path from it to the case, fields to scrub).
TEXTS = [
    ("cases.Task", "case", ["answer", "return_reason"]),
    ("cases.CaseEvent", "case", ["comment"]),
    ("deadlines.Supervision", "case", ["reason", "reply"]),
    ("notifications.Notification", "case", ["title", "body"]),
    ("mediation.Mediation", "case", ["outcome_note"]),
    ("mediation.Session", "mediation__case", ["attendees", "record"]),
    (
        "mediation.Agreement",
        "mediation__case",
        ["facts", "disputes", "responsibility", "terms", "performance_method"],
    ),
    ("mediation.LitigationReferral", "case", ["note", "aid_note"]),
    ("summons.Summons", "case", ["reason"]),
    ("courts.CourtReferral", "case", ["note", "consent_note"]),
    ("consultations.Consultation", "case", ["agenda", "minutes"]),
    ("consultations.Decision", "case", ["text", "done_note"]),
    ("consultations.JointReception", "case", ["record", "outcome"]),
    ("agency.Agency", "case", ["note", "closing_note"]),
    ("linkage.Handover", "case", ["note"]),
    ("appointments.Appointment", "case", ["topic", "cancel_reason"]),
    ("evaluation.Rating", "case", ["comment"]),
    ("evaluation.Review", "case", ["explanation"]),
    ("evaluation.FollowUpVisit", "case", ["findings"]),
    ("risk.RiskLetter", "case", ["subject", "measures", "reply"]),
]


@dataclass
class Done:
    cases: int = 0
    parties: int = 0
    files: int = 0


def default_age_days() -> int:
    return int(settings.CONCORD.get("ANONYMISE_AFTER_DAYS", 3 * 365))


def due_cases(older_than_days: int, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Closed cases closed more than `older_than_days` ago and not yet anonymised."""
    if older_than_days < MIN_AGE_DAYS:
        raise InvalidInput(
            {"older_than_days": _("只能匿名化结案%(days)d天以上的事项") % {"days": MIN_AGE_DAYS}}
        )
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    return Case.objects.filter(
        status__in=CLOSED_STATUSES, closed_at__lt=cutoff, anonymisation__isnull=True
    ).order_by("pk")


class _Scrubber:
    """Replaces the case's personal names and every identifying number in a text."""

    def __init__(self, names: dict[str, str]):
        # Longest first: 王建国 before 王建.
        self.names = sorted(
            ((n, p) for n, p in names.items() if len(n) >= 2), key=lambda x: -len(x[0])
        )

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for name, pseudonym in self.names:
            text = text.replace(name, pseudonym)
        return erase_in_text(text, ERASED)


def _pseudonyms(parties: list[Party]) -> dict[int, str]:
    counters: dict[str, int] = {}
    labels = {role: str(label) for role, label in PartyRole.choices}
    names = {}
    for party in parties:
        counters[party.role] = counters.get(party.role, 0) + 1
        names[party.pk] = f"{labels.get(party.role, _('当事人'))}{counters[party.role]}"
    return names


def _scrub_rows(label: str, path: str, fields: list[str], case: Case, scrub: _Scrubber) -> None:
    model = apps.get_model(label)
    for row in model.objects.filter(**{path: case}).only("pk", *fields):
        changed = {f: scrub(getattr(row, f)) for f in fields}
        changed = {f: v for f, v in changed.items() if v != getattr(row, f)}
        if changed:
            model.objects.filter(pk=row.pk).update(**changed)


def _remove_files(case: Case) -> int:
    """Delete the case's photos and agreement scans: the rows now, the files once committed."""
    names = []
    storage = Attachment._meta.get_field("file").storage
    for attachment in Attachment.objects.filter(case=case):
        names.append((storage, attachment.file.name))
    Attachment.objects.filter(case=case).delete()
    Agreement = apps.get_model("mediation.Agreement")
    scan_storage = Agreement._meta.get_field("scan").storage
    scans = Agreement.objects.filter(mediation__case=case).exclude(scan="")
    for name in scans.values_list("scan", flat=True):
        names.append((scan_storage, name))
    scans.update(scan="", scan_name="", scan_type="", scan_size=0, scan_sha256="")

    def delete_files() -> None:
        for store, name in names:
            store.delete(name)

    transaction.on_commit(delete_files)
    return len(names)


def anonymise_case(case_id: int) -> AnonymisedCase | None:
    """Anonymise one case; None when it was done already or is no longer closed. The
    pseudonyms are written in the site's language, whoever runs it."""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if (
            case is None
            or case.status not in CLOSED_STATUSES
            or AnonymisedCase.objects.filter(case_id=case_id).exists()
        ):
            return None
        parties = list(case.parties.order_by("pk"))
        pseudonyms = _pseudonyms(parties)
        Appointment = apps.get_model("appointments.Appointment")
        contacts = list(Appointment.objects.filter(case=case).values_list("name", flat=True))
        names = {p.name: pseudonyms[p.pk] for p in parties}
        names |= {n: _("预约人") for n in contacts if n not in names}
        scrub = _Scrubber(names)

        for party in parties:
            Party.objects.filter(pk=party.pk).update(
                name=pseudonyms[party.pk],
                id_number="",
                id_number_hash="",
                phone="",
                phone_hash="",
                address="",
            )
        Case.objects.filter(pk=case.pk).update(
            title=scrub(case.title),
            description=scrub(case.description),
            reply=scrub(case.reply),
            rating_comment=scrub(case.rating_comment),
            address="",
            lat=round(case.lat, 2) if case.lat is not None else None,
            lng=round(case.lng, 2) if case.lng is not None else None,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        for label, path, fields in TEXTS:
            _scrub_rows(label, path, fields, case, scrub)
        Appointment.objects.filter(case=case).update(name=_("预约人"), phone="", phone_hash="")
        apps.get_model("open311.ServiceRequest").objects.filter(case=case).update(email="")
        apps.get_model("duplicates.TextBand").objects.filter(case=case).delete()
        files = _remove_files(case)

        mark = AnonymisedCase.objects.create(case=case, parties=len(parties), files_removed=files)
        record(
            actor=None,
            action=AuditAction.ANONYMISE,
            obj=case,
            detail={
                "tracking_code": case.tracking_code,
                "closed_at": case.closed_at.isoformat() if case.closed_at else None,
                "parties": len(parties),
                "files": files,
            },
        )
    return mark


def anonymise_due(older_than_days: int, *, batch: int = 200) -> Iterator[Done]:
    """Anonymise every due case, one transaction each; yields the running totals per batch."""
    done = Done()
    last = 0
    while True:
        ids = list(
            due_cases(older_than_days).filter(pk__gt=last).values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        for case_id in ids:
            if (mark := anonymise_case(case_id)) is not None:
                done.cases += 1
                done.parties += mark.parties
                done.files += mark.files_removed
        last = ids[-1]
        yield done
