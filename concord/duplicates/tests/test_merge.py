"""Merging the same matter registered twice, and undoing it exactly."""

from django.forms.models import model_to_dict

from concord.cases.models import Case
from concord.cases.tests.factories import CAOE, build_case
from concord.deadlines.models import Deadline

# Bumped by every change and stamped by the database: not part of what an undo restores.
MOVING = {"version", "updated_at"}


def snapshot(case: Case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {
        "case": {k: v for k, v in model_to_dict(case).items() if k not in MOVING},
        "tasks": list(case.tasks.order_by("pk").values()),
        "deadlines": list(Deadline.objects.filter(case=case).order_by("pk").values()),
        "timeline": list(case.events.order_by("pk").values()),
    }


def test_merge_then_undo_restores_both_cases_exactly(api):
    survivor = build_case("in_progress", description="工地拖欠木工工资三万八千元")
    # The citizen came to the window twice: the survivor counts both visits.
    duplicate = build_case("assigned", description="又来反映工地欠薪")
    before = {c.pk: snapshot(c) for c in (survivor, duplicate)}
    assert before[duplicate.pk]["tasks"] and before[duplicate.pk]["deadlines"]

    answer = api("dispatcher").post(f"/cases/{duplicate.pk}/merge", {"into": survivor.pk})
    assert answer.status_code == 200, answer.content
    assert answer.json()["visits_count"] == 2
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert {t.status for t in duplicate.tasks.all()} == {"cancelled"}
    assert all(d.paused_at for d in Deadline.objects.filter(case=duplicate, met_at=None))
    merge_event = survivor.events.get(action="merge")
    assert duplicate.tracking_code in merge_event.comment
    # The merged case keeps its own history and says where it went.
    assert duplicate.events.count() == len(before[duplicate.pk]["timeline"]) + 1

    answer = api("dispatcher").post(f"/cases/{duplicate.pk}/unmerge")
    assert answer.status_code == 200, answer.content
    for case in (survivor, duplicate):
        after = snapshot(case)
        history = before[case.pk]["timeline"]
        # The timeline is append-only: the history is intact, then 合并 and 撤销合并.
        assert after["timeline"][: len(history)] == history
        assert [e["action"] for e in after["timeline"][len(history) :]] == ["merge", "unmerge"]
        after["timeline"] = history
        assert after == before[case.pk]


def test_merging_a_case_into_itself_is_refused_with_a_clear_message(api):
    case = build_case()
    answer = api("dispatcher").post(f"/cases/{case.pk}/merge", {"into": case.pk})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"into": "不能将事项合并到其自身"}


def test_merging_across_scopes_is_refused_with_a_clear_message(api, town_dispatcher):
    baiguan = build_case()
    caoe = build_case(town=CAOE, handler="caoe")
    answer = api(town_dispatcher).post(f"/cases/{baiguan.pk}/merge", {"into": caoe.pk})
    assert answer.status_code == 404
    assert answer.json()["detail"] == (f"要并入的事项（编号 {caoe.pk}）不存在或不在您的管辖范围内")
    assert Case.objects.get(pk=baiguan.pk).merged_into_id is None


def test_merging_into_a_merged_case_or_twice_is_refused(api):
    a, b, c = build_case(), build_case(), build_case()
    dispatcher = api("dispatcher")
    assert dispatcher.post(f"/cases/{b.pk}/merge", {"into": a.pk}).status_code == 200
    into_merged = dispatcher.post(f"/cases/{c.pk}/merge", {"into": b.pk})
    assert into_merged.status_code == 409
    assert "已并入其他事项，请并入它最终并入的事项" in into_merged.json()["detail"]
    again = dispatcher.post(f"/cases/{b.pk}/merge", {"into": c.pk})
    assert again.status_code == 409
    assert "请先撤销原合并" in again.json()["detail"]
    holder = dispatcher.post(f"/cases/{a.pk}/merge", {"into": c.pk})
    assert holder.status_code == 409


def test_undoing_a_case_that_is_not_merged_or_by_a_handler_is_refused(api):
    a, b = build_case(), build_case()
    assert api("dispatcher").post(f"/cases/{a.pk}/unmerge").status_code == 409
    assert api("baiguan").post(f"/cases/{b.pk}/merge", {"into": a.pk}).status_code in (403, 404)
    bad = api("dispatcher").post(f"/cases/{b.pk}/merge", {"into": "x"})
    assert bad.status_code == 422


def test_a_merged_case_is_no_longer_offered_as_similar(api, persona):
    a = build_case(description="工地拖欠木工工资三万八千元，多次讨要未果")
    b = build_case(description="工地拖欠木工工资三万八千元，多次讨要未果")
    c = build_case(description="工地拖欠木工工资三万八千元，多次讨要未果")
    similar = api("clerk").get(f"/cases/{c.pk}/similar").json()
    assert {m["id"] for m in similar} == {a.pk, b.pk}
    assert similar[0]["reasons"] == ["诉求内容相似 1.00"]
    api("dispatcher").post(f"/cases/{b.pk}/merge", {"into": a.pk})
    assert [m["id"] for m in api("clerk").get(f"/cases/{c.pk}/similar").json()] == [a.pk]
    assert api("clerk").get("/cases/999999/similar").status_code == 404


def test_a_clerk_may_merge_and_a_leader_may_not(api):
    a, b = build_case(), build_case()
    refused = api("leader").post(f"/cases/{b.pk}/merge", {"into": a.pk})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "只有窗口受理员、指挥调度员和管理员可以合并事项"
    assert api("clerk").post(f"/cases/{b.pk}/merge", {"into": a.pk}).status_code == 200
    assert api("leader").post(f"/cases/{b.pk}/unmerge").status_code == 403


def test_a_merged_case_takes_no_more_steps_until_the_merge_is_undone(api):
    first, again = build_case("assigned"), build_case("accepted")
    dispatcher = api("dispatcher")
    offered = dispatcher.get(f"/cases/{again.pk}").json()["available_actions"]
    assert "assign" in offered
    assert dispatcher.post(f"/cases/{again.pk}/merge", {"into": first.pk}).status_code == 200
    assert dispatcher.get(f"/cases/{again.pk}").json()["available_actions"] == []
    refused = dispatcher.post(
        f"/cases/{again.pk}/transitions", {"action": "escalate", "comment": "x"}
    )
    assert refused.status_code == 409
    assert "已并入其他事项" in refused.json()["detail"]
    assert dispatcher.post(f"/cases/{again.pk}/unmerge").status_code == 200
    assert dispatcher.get(f"/cases/{again.pk}").json()["available_actions"] == offered
