"""The 30-day period (诉前调解期限30日) on a frozen clock, and its extension: only with both
parties' consent, up to the policy node's cap, recorded on the timeline."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.cases.choices import Action
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.courts.outcomes import extend, period, record_result
from concord.courts.services import refer
from concord.deadlines.models import Deadline

from .conftest import draft

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday


def end_of(day: dt.date) -> dt.datetime:
    """Calendar-day periods end at the close of their last day."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SH)


@pytest.fixture
def referral(types, persona):
    with time_machine.travel(T0, tick=False):
        made, _created = refer(actor=persona("court"), draft=draft())
    return made


def test_the_period_is_30_calendar_days_from_the_referral(referral):
    deadline = period(referral)
    assert deadline.code == "court_mediation" and deadline.started_at == T0
    assert deadline.unit == "calendar_days" and deadline.amount == 30
    assert deadline.due_at == end_of(dt.date(2026, 4, 1))
    assert deadline.node.extension_max == 30


def test_an_extension_with_consent_moves_the_due_date(referral, persona):
    with time_machine.travel(T0 + dt.timedelta(days=25), tick=False):
        deadline = extend(
            referral, actor=persona("court"), days=15, consent=True, note="双方书面同意延长"
        )
    assert deadline.due_at == end_of(dt.date(2026, 4, 16))
    assert Deadline.objects.get(pk=deadline.pk).extension == 15
    referral.refresh_from_db()
    assert referral.extended_days == 15 and referral.consent_note == "双方书面同意延长"
    event = referral.case.events.get(action=Action.EXTEND)
    assert event.data == {"deadline": deadline.pk, "referral": referral.pk, "days": 15}
    assert "延长15日，至2026-04-16" in event.comment and "双方当事人同意" in event.comment


def test_without_consent_the_period_does_not_move(referral, persona):
    with pytest.raises(InvalidInput) as refused:
        extend(referral, actor=persona("dispatcher"), days=15, consent=False)
    assert refused.value.errors == {"consent": "须经双方当事人同意方可延长调解期限"}
    assert period(referral).due_at == end_of(dt.date(2026, 4, 1))
    assert not referral.case.events.filter(action=Action.EXTEND).exists()


def test_extensions_stop_at_the_policy_cap_and_only_while_mediating(referral, persona):
    dispatcher = persona("dispatcher")
    extend(referral, actor=dispatcher, days=20, consent=True)
    with pytest.raises(InvalidInput, match="最多还可延长10日"):
        extend(referral, actor=dispatcher, days=15, consent=True)
    with pytest.raises(InvalidInput, match="正整数"):
        extend(referral, actor=dispatcher, days=0, consent=True)
    with pytest.raises(Forbidden):
        extend(referral, actor=persona("hrss"), days=5, consent=True)
    assert period(referral).extension == 20
    record_result(referral, actor=dispatcher, outcome="failed", note="期满未达成协议")
    referral.refresh_from_db()
    with pytest.raises(Conflict, match="已有结果"):
        extend(referral, actor=dispatcher, days=5, consent=True)


def test_an_overdue_period_extended_is_no_longer_overdue(referral, persona):
    lapsed = T0 + dt.timedelta(days=31)
    Deadline.objects.filter(pk=period(referral).pk).update(breached_at=lapsed, warned_at=lapsed)
    with time_machine.travel(lapsed, tick=False):
        deadline = extend(referral, actor=persona("dispatcher"), days=14, consent=True)
    assert deadline.due_at == end_of(dt.date(2026, 4, 15))
    assert deadline.breached_at is None and deadline.warned_at is None


def test_the_card_extends_with_consent_and_refuses_without(referral, web):
    url = f"/courts/{referral.pk}/extend"
    prefix = f"extend-{referral.pk}"
    client = web("court")
    htmx = {"HX-Request": "true"}
    refused = client.post(url, {f"{prefix}-days": "10"}, headers=htmx)
    assert refused.status_code == 422
    assert "须经双方当事人同意方可延长调解期限" in refused.content.decode()
    assert period(referral).extension == 0
    over = client.post(url, {f"{prefix}-days": "31", f"{prefix}-consent": "on"}, headers=htmx)
    assert over.status_code == 422 and "最多还可延长30日" in over.content.decode()
    done = client.post(url, {f"{prefix}-days": "14", f"{prefix}-consent": "on"}, headers=htmx)
    assert done.status_code == 204 and done["HX-Redirect"] == f"/cases/{referral.case_id}/"
    assert period(referral).due_at == end_of(dt.date(2026, 4, 15))
    assert web("caoe").post(url, {f"{prefix}-days": "10"}).status_code == 404


def test_the_extension_api(referral, api):
    url = f"/court-referrals/{referral.pk}/extension"
    assert api("court").post(url, {"days": 5, "consent": False}).status_code == 422
    assert api("court").post(url, {"days": "many", "consent": True}).status_code == 422
    response = api("court").post(url, {"days": 5, "consent": True, "note": "电话确认"})
    assert response.status_code == 200 and response.json()["extended_days"] == 5
    # 04-06 is the Qingming holiday: the period runs to the next working day (民诉法 art. 85).
    assert response.json()["due_at"] == "2026-04-07T15:59:59Z"
