"""anonymise_cases: closed cases past the age lose their parties' personal data and files, keep
what statistics need, are marked and audited once; younger or open cases are untouched."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from concord.audit.access import find_person
from concord.audit.models import AnonymisedCase, AuditAction, AuditEntry
from concord.cases.anonymise import ERASED, anonymise_case
from concord.cases.attachments import attach_photos, check_photos
from concord.cases.models import Case, CaseEvent, Party
from concord.cases.services import PartyDraft
from concord.cases.tests.factories import build_case
from concord.cases.tests.images import png_bytes
from concord.duplicates.models import TextBand

pytestmark = pytest.mark.django_db

APPLICANT = PartyDraft("applicant", "王建国", "330602199001011231", "13857512345", "龙山社区3幢")
RESPONDENT = PartyDraft("respondent", "李明", "", "0575-82123456", "龙山社区4幢")
STORY = "王建国称李明夜间装修扰民，王建国电话13857512345，身份证330602199001011231。"


def old_case(years: float = 4, status: str = "archived") -> Case:
    with time_machine.travel(timezone.now() - dt.timedelta(days=365 * years), tick=False):
        return build_case(
            status, parties=[APPLICANT, RESPONDENT], description=STORY, address="龙山社区3幢"
        )


def run(**options) -> str:
    out = io.StringIO()
    call_command("anonymise_cases", stdout=out, **options)
    return out.getvalue()


def test_an_old_archived_case_is_anonymised_and_keeps_its_statistics(
    persona, media, django_capture_on_commit_callbacks
):
    case = old_case()
    photo = SimpleUploadedFile("现场.png", png_bytes(), "image/png")
    (attachment,) = attach_photos(case=case, actor=persona("clerk"), photos=check_photos([photo]))
    path = attachment.file.path
    CaseEvent.objects.filter(case=case, action="register").update(comment="来访人王建国")
    before = Case.objects.get(pk=case.pk)
    recent, still_open = old_case(years=0.1), old_case(status="in_progress")

    with django_capture_on_commit_callbacks(execute=True):
        out = run()
    assert "已匿名化 1 件" in out and "2 名当事人" in out and "删除文件 1 个" in out

    after = Case.objects.get(pk=case.pk)
    for kept in ("type", "channel", "category_id", "division_id", "town_id", "status", "result"):
        assert getattr(after, kept) == getattr(before, kept), kept
    assert after.received_at == before.received_at and after.closed_at == before.closed_at
    assert after.address == "" and after.version == before.version + 1
    assert (
        after.description
        == f"申请人1称被申请人1夜间装修扰民，申请人1电话{ERASED}，身份证{ERASED}。"
    )
    parties = list(Party.objects.filter(case=case).order_by("pk"))
    assert [p.name for p in parties] == ["申请人1", "被申请人1"]
    assert all(not (p.id_number or p.phone or p.address or p.id_number_hash) for p in parties)
    assert CaseEvent.objects.get(case=case, action="register").comment == "来访人申请人1"
    assert not case.attachments.exists() and not (media / path).exists()
    assert not TextBand.objects.filter(case=case).exists()
    mark = AnonymisedCase.objects.get(case=case)
    assert mark.parties == 2 and mark.files_removed == 1
    entry = AuditEntry.objects.get(action=AuditAction.ANONYMISE)
    assert entry.object_type == "case" and entry.object_id == str(case.pk)
    assert entry.detail["tracking_code"] == case.tracking_code
    # By ID number the person is found only in the cases not anonymised.
    found = find_person(id_number=APPLICANT.id_number).parties
    assert {p.case_id for p in found} == {recent.pk, still_open.pk}
    # The younger and the open case are untouched.
    for other in (recent, still_open):
        assert Party.objects.filter(case=other, name="王建国").exists()
        assert not AnonymisedCase.objects.filter(case=other).exists()


def test_running_again_changes_nothing(django_capture_on_commit_callbacks):
    case = old_case()
    run()
    description = Case.objects.get(pk=case.pk).description
    assert "没有结案超过 1095 天且未匿名化的事项" in run()
    assert anonymise_case(case.pk) is None
    assert Case.objects.get(pk=case.pk).description == description
    assert AuditEntry.objects.filter(action=AuditAction.ANONYMISE).count() == 1


def test_dry_run_counts_and_changes_nothing():
    case = old_case()
    out = run(dry_run=True)
    assert "将匿名化 1 件" in out and "2 名当事人" in out
    assert Party.objects.filter(case=case, name="王建国").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.ANONYMISE).exists()


def test_the_age_is_configurable_but_never_too_young(settings):
    case = old_case(years=1.5)
    assert "没有结案超过" in run()  # default 3 years
    settings.CONCORD = {**settings.CONCORD, "ANONYMISE_AFTER_DAYS": 365}
    assert "已匿名化 1 件" in run()
    assert AnonymisedCase.objects.filter(case=case).exists()
    with pytest.raises(CommandError, match="只能匿名化结案180天以上"):
        run(older_than_days=30)
