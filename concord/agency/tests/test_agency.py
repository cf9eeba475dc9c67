"""信访代办: assigning an agent (one active per case, reassigning records both), the errand
log, finishing, and the visits count on the card and the agent's page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.agency import services
from concord.agency.models import Agency, Errand
from concord.cases.models import Case, CaseEvent
from concord.cases.tests.factories import CAOE, build_case
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")
HTMX = {"HX-Request": "true"}


def assign(case, persona, agent="baiguan", actor="clerk", **kwargs) -> Agency:
    return services.assign(case, actor=persona(actor), agent=persona(agent).pk, **kwargs)


def errand(agency, persona, who="baiguan", **overrides) -> Errand:
    params = {
        "department": "上虞区人力资源和社会保障局",
        "what": "递交工伤认定申请表、病历和劳动关系证明",
        "result": "材料齐全，已受理",
        "next_step": "10个工作日后领取认定书",
        **overrides,
    }
    return services.log_errand(agency, actor=persona(who), **params)


def test_the_clerk_assigns_an_agent_and_the_agent_is_told(petition, persona):
    agency = assign(petition, persona, note="帮助办理工伤认定")
    assert agency.agent == persona("baiguan") and agency.is_active
    event = CaseEvent.objects.get(case=petition, action="agency")
    assert event.data == {"step": "assigned", "agency": agency.pk, "agent": persona("baiguan").pk}
    assert "刘芳" in event.comment and "帮助办理工伤认定" in event.comment
    assert Notification.objects.filter(user=persona("baiguan"), title__contains="代办员").exists()


def test_one_active_agency_per_case(petition, persona):
    assign(petition, persona)
    with pytest.raises(Conflict, match="已由刘芳代办，如需更换请改派"):
        assign(petition, persona, agent="dispatcher")
    with pytest.raises(Conflict, match="刘芳已是该事项的代办员"):
        assign(petition, persona, reassign=True)
    assert Agency.objects.filter(case=petition).count() == 1


def test_reassigning_records_both(petition, persona):
    first = assign(petition, persona)
    second = assign(petition, persona, agent="dispatcher", reassign=True)
    first.refresh_from_db()
    assert first.status == "reassigned" and first.ended_at and second.is_active
    steps = list(
        CaseEvent.objects.filter(case=petition, action="agency")
        .order_by("pk")
        .values_list("data__step", flat=True)
    )
    assert steps == ["assigned", "reassigned", "assigned"]
    assert Notification.objects.filter(user=persona("baiguan"), title__contains="已改派").exists()
    with pytest.raises(Conflict, match="该代办已改派，不能再记录"):
        errand(first, persona)  # the old agent's agency is over
    with pytest.raises(Forbidden):
        errand(second, persona)  # and the new one is not theirs


@pytest.mark.parametrize(
    ("agent", "why"),
    [("hrss", "department"), ("caoe", "another town"), ("grid", "a grid")],
)
def test_the_agent_is_staff_of_the_center_or_the_towns_center(petition, persona, agent, why):
    with pytest.raises(InvalidInput) as caught:
        assign(petition, persona, agent=agent)
    assert "矛调中心" in caught.value.errors["agent"], why
    assert Agency.objects.count() == 0


def test_bad_assignments_change_nothing(petition, persona):
    for kwargs in [{"agent": None}, {"agent": "baiguan"}, {"agent": 999999}]:
        with pytest.raises(InvalidInput):
            services.assign(petition, actor=persona("clerk"), **kwargs)
    with pytest.raises(InvalidInput, match="不能超过2000字"):
        assign(petition, persona, note="要" * 2001)
    assert Agency.objects.count() == 0 and not CaseEvent.objects.filter(action="agency").exists()


@pytest.mark.parametrize("who", ["hrss", "court", "caoe", "grid"])
def test_only_assigners_assign(petition, persona, who):
    with pytest.raises(Forbidden):
        assign(petition, persona, actor=who)


def test_the_lead_organisations_handler_may_assign(county, persona):
    case = build_case("in_progress", type="petition")
    assert assign(case, persona, actor="baiguan").assigned_by == persona("baiguan")


def test_only_petitions_and_disputes_get_an_agency(county, persona):
    complaint = build_case("accepted", type="complaint")
    with pytest.raises(Conflict, match="信访件和矛盾纠纷"):
        assign(complaint, persona)
    closed = build_case("archived", type="petition")
    with pytest.raises(Conflict, match="已归档"):
        assign(closed, persona)


def test_the_agent_logs_errands(petition, persona):
    agency = assign(petition, persona)
    first = errand(agency, persona)
    assert first.department == "上虞区人力资源和社会保障局"
    assert first.recorded_by == persona("baiguan")
    for who in ("clerk", "dispatcher"):
        with pytest.raises(Forbidden, match="代办员本人"):
            errand(agency, persona, who=who)
    assert Errand.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"department": ""}, "department"),
        ({"department": "部" * 101}, "department"),
        ({"what": ""}, "what"),
        ({"result": "果" * 2001}, "result"),
        ({"next_step": "步" * 2001}, "next_step"),
        ({"at": "昨天"}, "at"),
    ],
)
def test_bad_errands_change_nothing(petition, persona, overrides, field):
    agency = assign(petition, persona)
    with pytest.raises(InvalidInput) as caught:
        errand(agency, persona, **overrides)
    assert field in caught.value.errors
    assert Errand.objects.count() == 0


def test_an_errand_is_not_in_the_future_nor_before_the_agency(petition, persona):
    T0 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH)
    with time_machine.travel(T0, tick=False):
        agency = assign(petition, persona)
        for moment, words in [
            (T0 + dt.timedelta(hours=1), "将来"),
            (T0 - dt.timedelta(days=1), "早于指派"),
        ]:
            with pytest.raises(InvalidInput, match=words):
                errand(agency, persona, at=moment)
        early = errand(agency, persona, at=T0.replace(hour=8))  # earlier the same day
    assert early.at == T0.replace(hour=8)


def test_errands_on_a_finished_agency_are_refused(petition, persona):
    agency = assign(petition, persona)
    errand(agency, persona)
    with pytest.raises(InvalidInput, match="请填写办结说明"):
        services.finish(agency, actor=persona("baiguan"), note=" ")
    with pytest.raises(Forbidden):
        services.finish(agency, actor=persona("hrss"), note="x")
    done = services.finish(agency, actor=persona("baiguan"), note="工伤认定书已送达信访人")
    assert done.status == "finished" and done.closing_note == "工伤认定书已送达信访人"
    event = CaseEvent.objects.filter(case=petition, action="agency").latest("pk")
    assert event.data["step"] == "finished" and "工伤认定书已送达" in event.comment
    with pytest.raises(Conflict, match="该代办已办结，不能再记录"):
        errand(done, persona)
    with pytest.raises(Conflict, match="已结束"):
        services.finish(done, actor=persona("clerk"), note="再次")
    assert Errand.objects.count() == 1
    again = assign(petition, persona, agent="dispatcher")  # a new agency after the last ended
    assert again.is_active


# ---------------------------------------------------------------- the card and the page


def test_the_card_shows_the_agent_the_log_and_the_visits(petition, web, persona):
    agency = assign(petition, persona)
    errand(agency, persona)
    page = web("clerk").get(f"/cases/{petition.pk}/").content.decode()
    card = page.split('id="agency"', 1)[1].split("</section>", 1)[0]
    assert "群众跑腿次数" in card and 'data-visits="1"' in card and "未实现" not in card
    assert "刘芳" in card and "递交工伤认定申请表" in card and "改派代办员" in card
    assert 'id="log-errand"' not in card  # only the agent logs errands
    mine = web("baiguan").get(f"/cases/{petition.pk}/").content.decode()
    assert f'id="errand-form-{agency.pk}"' in mine and f'id="finish-form-{agency.pk}"' in mine
    Case.objects.filter(pk=petition.pk).update(visits_count=3)
    page = web("clerk").get(f"/cases/{petition.pk}/").content.decode()
    assert 'id="not-once"' in page and "未实现“最多跑一次”" in page and 'data-visits="3"' in page


def test_the_card_is_not_shown_for_other_case_types(county, web):
    complaint = build_case("accepted", type="complaint")
    assert 'id="agency"' not in web("clerk").get(f"/cases/{complaint.pk}/").content.decode()


def test_assigning_from_the_card(petition, web, persona):
    url = f"/agency/cases/{petition.pk}/assign"
    empty = web("clerk").post(url, {"agency-agent": ""}, headers=HTMX)
    assert empty.status_code == 422 and "请选择代办员" in empty.content.decode()
    hrss = web("clerk").post(url, {"agency-agent": persona("hrss").pk}, headers=HTMX)
    assert hrss.status_code == 422 and "在岗人员" in hrss.content.decode()
    ok = web("clerk").post(url, {"agency-agent": persona("baiguan").pk}, headers=HTMX)
    assert ok.status_code == 204 and ok["HX-Redirect"] == f"/cases/{petition.pk}/"
    twice = web("clerk").post(url, {"agency-agent": persona("dispatcher").pk}, headers=HTMX)
    assert twice.status_code == 422 and "如需更换请改派" in twice.content.decode()
    data = {"agency-agent": persona("dispatcher").pk, "agency-reassign": "True"}
    moved = web("clerk").post(url, data, headers=HTMX)
    assert moved.status_code == 204
    assert Agency.objects.get(status="active").agent == persona("dispatcher")


def test_the_agents_page_lists_the_last_errand_and_the_days_since(petition, web, persona):
    T0 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH)
    with time_machine.travel(T0, tick=False):
        agency = assign(petition, persona)
        errand(agency, persona, department="区医保中心", what="领取医疗费用清单")
    other = build_case("accepted", type="dispute")
    with time_machine.travel(T0, tick=False):
        quiet = assign(other, persona)
    Case.objects.filter(pk=other.pk).update(visits_count=2)
    with time_machine.travel(T0 + dt.timedelta(days=4), tick=False):
        page = web("baiguan").get("/agency/").content.decode()
        clerk = web("clerk").get("/agency/").content.decode()
    row = page.split(f'data-agency="{agency.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "区医保中心" in row and "领取医疗费用清单" in row and ">4 天<" in row
    assert f'id="errand-form-{agency.pk}"' in row
    quiet_row = page.split(f'data-agency="{quiet.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "尚无代办记录" in quiet_row and "未实现“最多跑一次”" in quiet_row
    assert quiet_row.startswith(' class="overdue not-once"')
    assert not row.startswith(" class=")  # one visit: not highlighted
    assert 'id="other-agencies"' in clerk and petition.tracking_code in clerk
    assert "我代办的事项" in clerk
    hrss = web("hrss").get("/agency/").content.decode()
    assert petition.tracking_code not in hrss and 'id="other-agencies"' not in hrss


def test_logging_an_errand_from_the_page(petition, web, persona):
    agency = assign(petition, persona)
    prefix = f"errand-{agency.pk}"
    data = {
        "back": "mine",
        f"{prefix}-at": "",
        f"{prefix}-department": "人社局",
        f"{prefix}-what": "递交材料",
        f"{prefix}-result": "已受理",
    }
    bad = web("baiguan").post(f"/agency/{agency.pk}/errands", data, headers=HTMX)
    assert bad.status_code == 422 and "请填写办理时间" in bad.content.decode()
    data[f"{prefix}-at"] = dt.datetime.now(SH).strftime("%Y-%m-%dT%H:%M")
    ok = web("baiguan").post(f"/agency/{agency.pk}/errands", data, headers=HTMX)
    assert ok.status_code == 204 and ok["HX-Redirect"] == "/agency/"
    clerk = web("clerk").post(f"/agency/{agency.pk}/errands", data, headers=HTMX)
    assert clerk.status_code == 422 and "代办员本人" in clerk.content.decode()
    caoe = web("caoe").post(f"/agency/{agency.pk}/errands", data, headers=HTMX)
    assert caoe.status_code == 404
    assert Errand.objects.count() == 1


def test_another_towns_agent_never_sees_the_case(county, persona):
    caoe_case = build_case("in_progress", type="petition", town=CAOE, handler="caoe")
    with pytest.raises(InvalidInput):
        assign(caoe_case, persona, agent="baiguan")
    assert assign(caoe_case, persona, agent="caoe").agent == persona("caoe")
