"""The objects the authorisation matrix requests: one of each kind a URL names, all hanging on
one case in 百官街道 (town X), so that every role of the county center and of 百官 reaches them
and the people of 曹娥街道 and of an uninvolved department (the foreign scope) must not.

`build_world()` walks the objects through their real services, as the pages would, and returns
the value to put in each URL parameter, by parameter name (`World.kwargs`). The tests using it
build it once per module inside `rolled_back()` and add who they sign in as (`principals`,
`headers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from concord.accounts.models import User
from concord.agency.services import assign as assign_agent
from concord.appointments import defaults as appointment_defaults
from concord.appointments.models import Desk, Slot
from concord.appointments.services import book
from concord.cases.attachments import attach_photos, check_photos
from concord.cases.models import Case, Category
from concord.cases.scope import grant_access
from concord.cases.tests.factories import build_case, organisation
from concord.cases.tests.images import png_bytes
from concord.consultations.services import record_minutes
from concord.consultations.services import schedule as schedule_consultation
from concord.courts import defaults as court_defaults
from concord.courts.models import ReferralBatch
from concord.courts.services import Person, ReferralDraft, refer
from concord.dashboard.choices import ReportStatus
from concord.dashboard.models import Report
from concord.deadlines.extensions import request_extension
from concord.deadlines.supervision import issue_supervision
from concord.evaluation.models import FollowUpVisit, Review
from concord.evaluation.ratings import rate_case, rating_token
from concord.imports.profiles import CANONICAL_COLUMNS
from concord.imports.services import stage
from concord.integrations.keys import register_system
from concord.integrations.models import Scope, Webhook, WebhookDelivery
from concord.linkage.services import hand_over
from concord.mediation import defaults as mediation_defaults
from concord.mediation.agreements import (
    AgreementDraft,
    attach_scan,
    create_agreement,
    record_effect,
)
from concord.mediation.confirmation import apply_for_confirmation
from concord.mediation.models import Mediator, Room
from concord.mediation.services import finish_mediation, schedule_session, start_mediation
from concord.notifications.services import notify
from concord.open311.services import submit_request
from concord.risk.choices import LetterKind
from concord.risk.letters import issue_letter
from concord.risk.models import SpikeWarning
from concord.routing.models import RoutingRule
from concord.summons.services import summon

# A staged import: one good row of the canonical layout, one without a description.
IMPORT_CSV = (
    ",".join(CANONICAL_COLUMNS)
    + "\nM-1,2025-03-01 09:00,dispute,phone,,,楼上噪音扰民,,,张三,13800000001,,,,,,"
    + "\nM-2,2025-03-01 09:00,dispute,phone,,,,,,李四,13800000002,,,,,,\n"
)
# For the modules that send hundreds of requests a minute from one token and one address:
# the API's rate limit is concord.core.tests.test_rate_limits' subject, not theirs.
UNLIMITED = {**settings.CONCORD, "API_RATE_LIMITS": {"user": (10**9, 60), "anonymous": (10**9, 60)}}


@contextmanager
def rolled_back(django_db_blocker, media_root) -> Iterator[pytest.MonkeyPatch]:
    """A module's own database state, rolled back on leaving: API limits off, files under
    `media_root`, PDFs not drawn (WeasyPrint takes a second a page: who gets the file, or
    whether a request fails, is what these modules look at)."""
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(MEDIA_ROOT=media_root, CONCORD=UNLIMITED),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr("weasyprint.HTML.write_pdf", lambda self, *a, **k: b"%PDF-1.7 test")
        yield patch
        transaction.set_rollback(True)


TITLE = "矩阵测试：楼道堆物引发邻里纠纷"
BAIGUAN_TOWN = "330604001000"


@dataclass
class World:
    case: Case
    kwargs: dict[str, object]
    system_key: str = ""
    principals: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    @property
    def secrets(self) -> list[str]:
        """Text of the case that must never reach a foreign user."""
        return [self.case.tracking_code, TITLE]


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build_world() -> World:
    mediation_defaults.load_defaults()
    court_defaults.load_defaults()
    appointment_defaults.load_defaults()
    users = {u.username: u for u in User.objects.select_related("organisation")}
    dispatcher, clerk, handler = users["dispatcher"], users["clerk"], users["baiguan"]

    case = build_case("in_progress", title=TITLE)
    party = case.parties.order_by("pk").first()
    # The handling node: the one the leading organisation may ask to extend.
    deadline = (
        case.deadlines.filter(met_at__isnull=True, node__extension_max__gt=0).order_by("pk").first()
    )

    # The field's photo, a note in the dispatcher's bell.
    upload = SimpleUploadedFile("现场.png", png_bytes(), "image/png")
    (attachment,) = attach_photos(case=case, actor=clerk, photos=check_photos([upload]))
    (notification,) = notify([dispatcher], kind="other", title="矩阵测试提醒", case=case)

    extension = request_extension(
        deadline, actor=handler, amount=1, reason="需要补充材料", party_told=True
    )
    supervision = issue_supervision(case, actor=dispatcher, reason="请加快办理", reply_days=3)

    # Mediation by the demo mediator, to success, its agreement applied for confirmation.
    mediator = Mediator.objects.get(user=users["mediator"])
    mediation = start_mediation(case, actor=dispatcher, mediators=[mediator])
    room = Room.objects.filter(organisation__code="county-center").order_by("pk").first()
    session = schedule_session(
        mediation, actor=dispatcher, starts_at=_at(1, 9), ends_at=_at(1, 10), room=room
    )
    mediation = finish_mediation(mediation, actor=dispatcher, outcome="succeeded", note="达成协议")
    agreement = create_agreement(
        mediation,
        actor=dispatcher,
        draft=AgreementDraft(
            parties=list(case.parties.all()),
            facts="楼道堆物影响通行。",
            disputes="是否清理杂物。",
            responsibility="堆物一方承担主要责任。",
            terms="三日内清理楼道杂物。",
            performance_method="当场清理",
            performance_due=timezone.localdate() + dt.timedelta(days=30),
        ),
    )
    agreement = record_effect(
        agreement,
        actor=dispatcher,
        effective_at=timezone.now(),
        parties_signed=True,
        mediator_signed=True,
        sealed=True,
    )
    agreement = attach_scan(
        agreement,
        actor=dispatcher,
        upload=SimpleUploadedFile("协议.png", png_bytes(), "image/png"),
    )
    confirmation = apply_for_confirmation(
        agreement, actor=dispatcher, applied_on=timezone.localdate(), joint=True
    )

    # The court is called in: its liaison (the `court` principal) answers the whistle.
    summons = summon(case, actor=dispatcher, organisations=[organisation("court")], reason="会商")
    target = summons.targets.get()

    consultation = schedule_consultation(
        case,
        actor=dispatcher,
        scheduled_at=_at(2, 9),
        agenda="研究化解方案",
        place="三楼会商室",
        judge_user=users["court"].pk,
        chief_mediator=mediator.pk,
        lawyer=Mediator.objects.filter(is_lawyer=True).order_by("pk").first().pk,
        departments=[organisation("housing").pk],
    )
    consultation = record_minutes(
        consultation,
        actor=dispatcher,
        held_at=timezone.now(),
        minutes="各方同意先行清理。",
        attended=[p.pk for p in consultation.participants.all()],
        decisions=[
            {
                "text": "三日内清理楼道",
                "organisation": organisation("town-330604001").pk,
                "due_date": timezone.localdate() + dt.timedelta(days=3),
            }
        ],
    )
    decision = consultation.decisions.get()

    petition = build_case("accepted", type="petition", title=TITLE + "（信访）")
    agency = assign_agent(petition, actor=clerk, agent=clerk.pk)

    handover = hand_over(
        case,
        actor=dispatcher,
        linkage_type="police",
        direction="out",
        partner=organisation("police"),
    )

    desk = Desk.objects.get(code="counselling")
    slot = Slot.objects.create(desk=desk, starts_at=_at(3, 9), ends_at=_at(3, 10), capacity=2)
    appointment = book(
        slot=slot, name="李四", phone="13800000000", topic="咨询", actor=clerk, case=case
    )

    # A resolved case of 百官 for its follow-up visits, its rating link and its review.
    resolved = build_case("resolved", title=TITLE + "（已办结）")
    visit = FollowUpVisit.objects.filter(case=resolved).order_by("pk").first()
    token = rating_token(resolved)
    rate_case(resolved, satisfaction="dissatisfied", channel="phone", actor=clerk)
    review = Review.objects.get(case=resolved)

    court = users["court"]
    referral, _created = refer(
        actor=court,
        draft=ReferralDraft(
            court_case_number="(2026)浙0604民诉前调9001号",
            type="物业服务合同纠纷",
            description="原告主张被告拖欠物业费。",
            plaintiffs=[Person("上虞某物业服务有限公司", "0575-82123456")],
            defendants=[Person("王建国", "13857510001", "330682199001011233")],
            division="百官街道",
        ),
    )
    batch = ReferralBatch.objects.create(
        court=court.organisation, uploaded_by=court, filename="batch.csv", rows="[]", row_count=0
    )

    # A made report of 百官 (its files stand in for the generated ones).
    report = Report.objects.create(
        division_id=BAIGUAN_TOWN,
        period_kind="month",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        generated_by=dispatcher,
        status=ReportStatus.READY,
    )
    report.xlsx.save("matrix.xlsx", ContentFile(b"xlsx"), save=False)
    report.docx.save("matrix.docx", ContentFile(b"docx"), save=False)
    report.save()

    # A connected system with every scope; the world's cases are not its own.
    system, system_key = register_system(
        "matrix-12345", "矩阵测试热线", "hotline_12345", list(Scope.values)
    )
    webhook = Webhook.objects.create(
        system=system, url="https://example.org/hook", secret="x" * 32, events=["accepted"]
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, case=case, case_event=case.events.last(), event="accepted", payload={}
    )

    job = stage(
        actor=dispatcher,
        upload=SimpleUploadedFile("cases.csv", IMPORT_CSV.encode(), "text/csv"),
        profile="canonical",
        source="matrix",
    )
    warning = SpikeWarning.objects.create(
        town_id=BAIGUAN_TOWN,
        category=Category.objects.filter(parent__isnull=False).order_by("pk").first(),
        window_start=timezone.localdate() - dt.timedelta(days=7),
        window_end=timezone.localdate(),
        count=6,
        baseline=1.0,
        baseline_weeks=8,
        ratio=6.0,
        case_ids=[case.pk],
    )

    # A letter from the command room to 百官's center about the case (its handler replies).
    letter = issue_letter(
        actor=dispatcher,
        kind=LetterKind.NOTICE,
        target=organisation("town-330604001"),
        subject="楼道堆物可能引发冲突",
        measures="请三日内上门化解",
        reply_days=3,
        case=case,
    )
    # A request the system sent through Open311: its case is the system's own.
    service = Category.objects.filter(parent__isnull=False, active=True).order_by("pk").first()
    sent = submit_request(
        system,
        {
            "service_code": service.code,
            "description": "小区门口垃圾堆放",
            "address_string": "百官街道",
            "first_name": "三",
            "last_name": "张",
            "phone": "13800000003",
        },
    )

    # Every person acting for a role sees every case of the world: the mediator's committee and
    # the grid are brought into the cases they would not hold otherwise.
    outsiders = [u.organisation for u in (users["mediator"], users["grid"], users["court"])]
    for other in (petition, resolved, referral.case):
        grant_access(other, outsiders, reason="matrix")

    kwargs = {
        "case_id": case.pk,
        "case_content_type": ContentType.objects.get_for_model(Case).pk,
        "action": "resolve",
        "attachment_id": attachment.pk,
        "party_id": party.pk,
        "notification_id": notification.pk,
        "deadline_id": deadline.pk,
        "extension_id": extension.pk,
        "supervision_id": supervision.pk,
        "kind": "pdf",
        "rule_id": RoutingRule.objects.order_by("pk").first().pk,
        "mediator_id": mediator.pk,
        "mediation_id": mediation.pk,
        "session_id": session.pk,
        "agreement_id": agreement.pk,
        "confirmation_id": confirmation.pk,
        "target_id": target.pk,
        "summons_id": summons.pk,
        "batch_id": batch.pk,
        "referral_id": referral.pk,
        "consultation_id": consultation.pk,
        "decision_id": decision.pk,
        "agency_id": agency.pk,
        "handover_id": handover.pk,
        "appointment_id": appointment.pk,
        "visit_id": visit.pk,
        "review_id": review.pk,
        "token": token,
        "report_id": report.pk,
        "delivery_id": delivery.pk,
        "code": system.code,
        "job_id": job.pk,
        "warning_id": warning.pk,
        "letter_id": letter.pk,
        "service_code": service.code,
        "open311_token": sent.token,
        "fmt": "json",
        "service_request_id": case.tracking_code,
        "path": "nowhere",
    }
    return World(case=case, kwargs=kwargs, system_key=system_key)
