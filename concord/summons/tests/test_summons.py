"""吹哨报到: summon departments, 签到 and 到场 in time or late, the sweep that flags the late
ones once, and the card on the case page."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.cases.tests.factories import build_case
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import run_at_once
from concord.notifications.models import Notification
from concord.orgs.models import Organisation
from concord.summons import services
from concord.summons.models import Summons, SummonsTarget

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)
HTMX = {"HX-Request": "true"}


def minute(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def case(county):
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        return build_case("in_progress")


def summon(case, persona, *who, **kwargs) -> Summons:
    orgs = [persona(w).organisation.pk for w in who]
    with time_machine.travel(T0, tick=False):
        return services.summon(
            case, actor=persona("dispatcher"), organisations=orgs, reason="现场协调", **kwargs
        )


def target(summons, persona, who: str) -> SummonsTarget:
    return summons.targets.get(organisation=persona(who).organisation)


def at(moment, call, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return call(*args, **kwargs)


def test_summoning_sets_due_times_and_notifies_the_departments(case, persona):
    summons = summon(case, persona, "hrss", "court", place="三楼调解室")
    hrss = target(summons, persona, "hrss")
    assert hrss.ack_due_at == minute(20) and hrss.arrive_due_at == minute(40)
    assert hrss.state_at(minute(5)) == "waiting"
    note = Notification.objects.get(user=persona("hrss"), case=case)
    assert "请于11-02 09:20前签到、11-02 09:40前到场" in note.title and note.kind == "other"
    assert Notification.objects.filter(user=persona("court"), case=case).exists()
    assert not Notification.objects.filter(user=persona("baiguan"), case=case).exists()


def test_a_department_acknowledging_at_minute_25_is_late_and_escalated_once(case, persona):
    summons = summon(case, persona, "hrss")
    assert services.sweep_summons(minute(19)) == 0
    assert services.sweep_summons(minute(21)) == 1
    assert services.sweep_summons(minute(21)) == 0
    assert services.sweep_summons(minute(45)) == 0  # flagged once, not again for 到场
    hrss = target(summons, persona, "hrss")
    assert hrss.escalated_at == minute(21) and hrss.state_at(minute(21)) == "overdue"
    titles = Notification.objects.filter(case=case, title__contains="未按时签到")
    assert {n.user.username for n in titles} >= {"dispatcher", "hrss"}
    assert titles.filter(user__username="hrss").count() == 1
    hrss = at(minute(25), services.acknowledge, hrss, actor=persona("hrss"))
    assert hrss.ack_late and not hrss.arrive_late
    hrss = at(minute(30), services.arrive, hrss, actor=persona("hrss"))
    assert hrss.arrived_at == minute(30) and not hrss.arrive_late
    assert hrss.state_at(minute(31)) == "arrived" and hrss.late


def test_in_time_is_not_late_and_the_sweep_leaves_it_alone(case, persona):
    hrss = target(summon(case, persona, "hrss"), persona, "hrss")
    at(minute(10), services.acknowledge, hrss, actor=persona("hrss"))
    assert services.sweep_summons(minute(30)) == 0
    hrss = at(minute(35), services.arrive, hrss, actor=persona("hrss"))
    assert not hrss.ack_late and not hrss.arrive_late and hrss.escalated_at is None
    assert services.sweep_summons(minute(60)) == 0


def test_an_acknowledged_department_that_does_not_arrive_is_flagged(case, persona):
    hrss = target(summon(case, persona, "hrss"), persona, "hrss")
    at(minute(10), services.acknowledge, hrss, actor=persona("hrss"))
    assert services.sweep_summons(minute(41)) == 1
    assert Notification.objects.filter(case=case, title__contains="未按时到场").exists()


def test_arriving_without_acknowledging_does_both(case, persona):
    hrss = target(summon(case, persona, "hrss"), persona, "hrss")
    hrss = at(minute(22), services.arrive, hrss, actor=persona("hrss"))
    assert hrss.acknowledged_at == hrss.arrived_at == minute(22)
    assert hrss.ack_late and not hrss.arrive_late


def test_acknowledging_twice_or_after_arrival_is_a_conflict(case, persona):
    hrss = target(summon(case, persona, "hrss"), persona, "hrss")
    at(minute(1), services.acknowledge, hrss, actor=persona("hrss"))
    with pytest.raises(Conflict, match="已签到"):
        at(minute(2), services.acknowledge, hrss, actor=persona("hrss"))
    at(minute(3), services.arrive, hrss, actor=persona("hrss"))
    with pytest.raises(Conflict, match="已到场"):
        at(minute(4), services.arrive, hrss, actor=persona("hrss"))


def test_another_organisation_cannot_answer_for_the_summoned_one(case, persona):
    hrss = target(summon(case, persona, "hrss"), persona, "hrss")
    for who in ("court", "dispatcher"):
        with pytest.raises(Forbidden):
            services.acknowledge(hrss, actor=persona(who))
    hrss.refresh_from_db()
    assert hrss.acknowledged_at is None


def test_summoning_a_department_twice_is_refused_and_nothing_changes(case, persona):
    summon(case, persona, "hrss")
    before = (Summons.objects.count(), SummonsTarget.objects.count(), Notification.objects.count())
    with pytest.raises(Conflict, match="已召集上虞区人力资源和社会保障局"):
        summon(case, persona, "court", "hrss")
    after = (Summons.objects.count(), SummonsTarget.objects.count(), Notification.objects.count())
    assert after == before


def test_a_department_that_arrived_may_be_summoned_again(case, persona):
    hrss = target(summon(case, persona, "hrss"), persona, "hrss")
    at(minute(5), services.arrive, hrss, actor=persona("hrss"))
    again = summon(case, persona, "hrss")
    assert again.targets.count() == 1


@pytest.mark.parametrize(
    ("who", "kwargs", "field"),
    [
        (("hrss", "hrss"), {}, "organisations"),
        ((), {}, "organisations"),
        (("hrss",), {"ack_minutes": 0}, "ack_minutes"),
        (("hrss",), {"arrive_minutes": 721}, "arrive_minutes"),
        (("hrss",), {"ack_minutes": 30, "arrive_minutes": 20}, "arrive_minutes"),
        (("hrss",), {"reason": "  "}, "reason"),
        (("baiguan",), {}, "organisations"),  # a town center is not summoned, it is assigned
    ],
)
def test_bad_summons_input_says_which_field(case, persona, who, kwargs, field):
    params = {"reason": "现场协调", **kwargs}
    orgs = [persona(w).organisation.pk for w in who]
    with pytest.raises(InvalidInput) as caught:
        services.summon(case, actor=persona("dispatcher"), organisations=orgs, **params)
    assert field in caught.value.errors
    assert Summons.objects.count() == 0


def test_an_inactive_department_cannot_be_summoned(case, persona):
    org = persona("hrss").organisation
    Organisation.objects.filter(pk=org.pk).update(active=False)
    with pytest.raises(InvalidInput):
        services.summon(case, actor=persona("dispatcher"), organisations=[org.pk], reason="x")


@pytest.mark.parametrize("who", ["clerk", "baiguan", "hrss", "mediator"])
def test_only_dispatchers_leaders_and_admins_summon(case, persona, who):
    with pytest.raises(Forbidden):
        services.summon(
            case, actor=persona(who), organisations=[persona("hrss").organisation.pk], reason="x"
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sweeps need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_target_once(county, persona):
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        cases = [build_case("in_progress") for _ in range(3)]
    for case in cases:
        summon(case, persona, "hrss", "court")
    results = run_at_once(
        lambda: services.sweep_summons(minute(21)), lambda: services.sweep_summons(minute(21))
    )
    assert sorted(results) in ([0, 6], [1, 5], [2, 4], [3, 3]) and sum(results) == 6
    assert SummonsTarget.objects.filter(escalated_at=minute(21)).count() == 6
    hrss = Notification.objects.filter(user=persona("hrss"), title__contains="未按时签到")
    assert hrss.count() == 3


# The case page


def test_the_dispatcher_summons_from_the_case_page(case, web, persona):
    page = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="summons-form"' in page and "上虞区人力资源和社会保障局" in page
    orgs = [persona("hrss").organisation.pk, persona("court").organisation.pk]
    data = {
        "summons-organisations": orgs,
        "summons-reason": "工资纠纷现场协调",
        "summons-ack_minutes": "20",
        "summons-arrive_minutes": "40",
        "summons-place": "三楼调解室",
    }
    response = web("dispatcher").post(f"/summons/cases/{case.pk}", data, headers=HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == f"/cases/{case.pk}/"
    again = web("dispatcher").post(f"/summons/cases/{case.pk}", data, headers=HTMX)
    html = again.content.decode()
    assert again.status_code == 422 and "已召集上虞区人民法院、上虞区人力资源和社会保障局" in html
    assert 'id="summons-form"' in html
    assert SummonsTarget.objects.count() == 2
    page = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "工资纠纷现场协调" in page and 'data-state="waiting"' in page


def test_a_bad_summons_form_comes_back_with_the_errors(case, web):
    response = web("dispatcher").post(
        f"/summons/cases/{case.pk}",
        {"summons-reason": "", "summons-ack_minutes": "0", "summons-arrive_minutes": "40"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "请选择要召集的单位" in html and "请填写召集事由" in html
    assert Summons.objects.count() == 0


def test_a_refused_summons_form_keeps_the_departments_chosen(case, web, persona):
    hrss = persona("hrss").organisation.pk
    response = web("dispatcher").post(
        f"/summons/cases/{case.pk}",
        {"summons-organisations": [hrss], "summons-reason": "", "summons-ack_minutes": "20"},
        headers=HTMX,
    )
    assert response.status_code == 422
    boxes = re.findall(
        r'<input type="checkbox" name="summons-organisations" value="(\d+)"'
        r' id="[\w-]+"( checked)?>',
        response.content.decode(),
    )
    assert len(boxes) > 10 and [int(v) for v, on in boxes if on] == [hrss]


def test_the_summoned_department_answers_from_its_list(case, web, persona):
    summons = summon(case, persona, "hrss")
    hrss = target(summons, persona, "hrss")
    client = web("hrss")
    with time_machine.travel(minute(3), tick=False):
        listing = client.get("/summons/").content.decode()
        assert (
            case.tracking_code in listing and f"/summons/targets/{hrss.pk}/acknowledge" in listing
        )
        done = client.post(f"/summons/targets/{hrss.pk}/acknowledge", headers=HTMX)
        assert done.status_code == 204 and done["HX-Redirect"] == "/summons/"
        twice = client.post(f"/summons/targets/{hrss.pk}/acknowledge", headers=HTMX)
        assert (
            twice.status_code == 422
            and "上虞区人力资源和社会保障局已签到" in twice.content.decode()
        )
    court = web("court").post(f"/summons/targets/{hrss.pk}/arrive", headers=HTMX)
    assert court.status_code == 404  # court neither sees the case nor is summoned
    wrong = web("dispatcher").post(f"/summons/targets/{hrss.pk}/arrive", headers=HTMX)
    assert wrong.status_code == 422 and "只有被召集单位的人员" in wrong.content.decode()


def test_the_case_card_shows_states_and_buttons_to_the_summoned(case, web, persona):
    summons = summon(case, persona, "hrss", "court")
    at(minute(25), services.acknowledge, target(summons, persona, "hrss"), actor=persona("hrss"))
    with time_machine.travel(minute(26), tick=False):
        html = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    hrss_row = html.split('data-org="上虞区人力资源和社会保障局"', 1)[1].split("</tr>", 1)[0]
    court_row = html.split('data-org="上虞区人民法院"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="acknowledged"' in hrss_row and "09:25" in hrss_row and "迟" in hrss_row
    assert 'data-state="overdue"' in court_row
    assert "/acknowledge" not in html  # the dispatcher's organisation is not summoned


def test_the_card_costs_a_bounded_number_of_queries(case, web, persona):
    for _ in range(3):
        summons = summon(case, persona, "hrss", "court")
        for who in ("hrss", "court"):
            at(minute(5), services.arrive, target(summons, persona, who), actor=persona(who))
    client = web("dispatcher")
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/cases/{case.pk}/")
    summons_queries = [q for q in queries.captured_queries if "summons_" in q["sql"]]
    assert len(summons_queries) == 2
