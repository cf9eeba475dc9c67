"""The admin configures the calendar and the policies; bad values are refused with a reason."""

import datetime as dt

import pytest

from concord.deadlines.models import CalendarDay, DeadlinePolicy, PolicyNode


@pytest.fixture
def admin_web(web):
    return web("admin")


def test_a_day_is_added_and_a_day_of_an_unset_year_refused(
    admin_web, django_capture_on_commit_callbacks
):
    refused = admin_web.post(
        "/admin/deadlines/calendarday/add/",
        {"day": "2031-05-01", "is_workday": "", "name": "劳动节"},
    )
    assert refused.status_code == 200
    assert "2031年的节假日安排尚未建立" in refused.content.decode()
    assert not CalendarDay.objects.filter(day=dt.date(2031, 5, 1)).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        added = admin_web.post(
            "/admin/deadlines/calendarday/add/",
            {"day": "2026-12-31", "is_workday": "", "name": "县级调休"},
        )
    assert added.status_code == 302
    assert CalendarDay.objects.get(day=dt.date(2026, 12, 31)).source == "admin"
    assert callbacks  # the running deadlines are set again once this commits


def _policy_form(**node) -> dict:
    fields = {
        "code": "visit",
        "label": "首次联系",
        "start_action": "sign",
        "stop_actions": '["answer"]',
        "amount": "2",
        "unit": "working_days",
        "art85": "on",
        "warn_amount": "1",
        "warn_unit": "working_hours",
        "extension_max": "0",
        "escalate_to": "parent",
        "basis": "",
        **node,
    }
    data = {
        "name": "首次联系时限",
        "case_type": "",
        "level": "",
        "active": "on",
        "note": "",
        "nodes-TOTAL_FORMS": "1",
        "nodes-INITIAL_FORMS": "0",
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
    }
    data.update({f"nodes-0-{k}": v for k, v in fields.items()})
    return data


def test_a_policy_with_a_good_node_is_saved(admin_web):
    answer = admin_web.post("/admin/deadlines/deadlinepolicy/add/", _policy_form())
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert PolicyNode.objects.get(code="visit").unit == "working_days"


@pytest.mark.parametrize(
    ("node", "message"),
    [
        ({"amount": "-3"}, "大于或等于"),
        ({"amount": "0"}, "时限应为1至3650"),
        ({"unit": "fortnights"}, "fortnights"),
        ({"stop_actions": '["teleport"]'}, "请列出完成该节点的操作"),
        ({"stop_actions": '["sign"]'}, "完成操作不能与起算操作相同"),
        ({"escalate_to": "organisation"}, "须指定督办单位"),
    ],
)
def test_a_bad_node_is_refused_with_a_message_and_nothing_saved(admin_web, node, message):
    before = DeadlinePolicy.objects.count()
    answer = admin_web.post("/admin/deadlines/deadlinepolicy/add/", _policy_form(**node))
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert DeadlinePolicy.objects.count() == before
