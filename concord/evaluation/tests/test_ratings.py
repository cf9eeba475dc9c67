"""Ratings: one per round, by the citizen's signed link or recorded by staff; a 不满意 opens a
review the dispatcher decides once (reopen, counted; or close with an explanation)."""

import datetime as dt

import pytest
import time_machine
from django.core import signing

from concord.cases.choices import Action
from concord.cases.models import Case, CaseEvent
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.deadlines.models import Deadline
from concord.evaluation.models import FollowUpVisit, Rating, Review
from concord.evaluation.ratings import (
    case_for_token,
    decide_review,
    rate_case,
    rating_token,
)
from concord.notifications.models import Notification

from .conftest import RESOLVED_AT, at, domestic_dispute


def rate(case, who=None, satisfaction="dissatisfied", persona=None, **kw):
    actor = persona(who) if who else None
    channel = kw.pop("channel", "phone" if actor else "portal")
    with time_machine.travel(at(2026, 9, 16, 10, 0), tick=False):
        return rate_case(
            case,
            satisfaction=satisfaction,
            comment=kw.pop("comment", "调解结果没有落实。"),
            channel=channel,
            actor=actor,
        )


def test_a_citizen_rates_through_the_link_and_a_dissatisfied_rating_opens_a_review(county):
    case = domestic_dispute()
    rating = rate(case_for_token(rating_token(case)))
    assert (rating.round, rating.satisfaction, rating.channel) == (0, "dissatisfied", "portal")
    assert rating.recorded_by is None and rating.comment == "调解结果没有落实。"
    case.refresh_from_db()
    assert case.status == "rated" and case.satisfaction == "dissatisfied"
    event = CaseEvent.objects.get(case=case, action="rate")
    assert event.actor is None and event.data["channel"] == "portal"
    review = Review.objects.get(case=case)
    assert review.rating == rating and review.status == "open"
    told = Notification.objects.filter(case=case, title__contains="不满意")
    assert {n.user.username for n in told} == {"dispatcher"}


def test_staff_record_a_phone_rating_and_a_satisfied_one_opens_no_review(persona):
    case = domestic_dispute()
    rating = rate(case, "clerk", "basically_satisfied", persona)
    assert rating.channel == "phone" and rating.recorded_by == persona("clerk")
    assert not Review.objects.filter(case=case).exists()


def test_the_generic_rate_action_is_kept_as_a_rating_too(persona):
    """The case page's 评价 action and the public transitions API rate the same way."""
    case = domestic_dispute("rated")
    rating = Rating.objects.get(case=case)
    assert (rating.satisfaction, rating.channel) == ("satisfied", "other")


def test_rating_a_case_that_is_not_resolved_is_refused_and_changes_nothing(persona):
    case = domestic_dispute("in_progress")
    with pytest.raises(Conflict, match="事项当前状态为「办理中」，不能评价"):
        rate(case, "clerk", persona=persona)
    assert not Rating.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_a_second_rating_in_the_same_round_is_refused(persona):
    case = domestic_dispute()
    rate(case, "clerk", "satisfied", persona)
    with pytest.raises(Conflict, match="本轮办理已于2026-09-16 10:00评价为「满意」"):
        rate(case, "clerk", "dissatisfied", persona)
    assert Rating.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="rate").count() == 1


def test_bad_rating_input_is_refused_by_field(persona):
    case = domestic_dispute()
    with pytest.raises(InvalidInput) as raised:
        rate(case, "clerk", "great", persona, channel="portal", comment="很" * 2001)
    assert set(raised.value.errors) == {"satisfaction", "channel", "comment"}
    with pytest.raises(Forbidden, match="窗口受理员不能评价|承办人不能评价"):
        rate(case, "baiguan", persona=persona)
    assert not Rating.objects.filter(case=case).exists()


def test_a_tampered_expired_or_stale_link_is_refused(persona):
    case = domestic_dispute()
    with time_machine.travel(RESOLVED_AT, tick=False):
        token = rating_token(case)
    with pytest.raises(NotFound, match="评价链接无效"):
        case_for_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    forged = signing.dumps({"case": case.pk, "round": 0}, salt="other")
    with pytest.raises(NotFound, match="评价链接无效"):
        case_for_token(forged)
    with time_machine.travel(RESOLVED_AT + dt.timedelta(days=29)):
        assert case_for_token(token) == case
    late = time_machine.travel(RESOLVED_AT + dt.timedelta(days=31))
    with late, pytest.raises(Conflict, match="评价链接已过期"):
        case_for_token(token)
    Case.objects.filter(pk=case.pk).update(reopen_count=1)
    next_day = time_machine.travel(RESOLVED_AT + dt.timedelta(days=1))
    with next_day, pytest.raises(Conflict, match="事项已重新办理"):
        case_for_token(token)
    assert not Rating.objects.filter(case=case).exists()


def test_the_dispatcher_reopens_from_the_review_and_the_reopen_is_counted(persona):
    case = domestic_dispute()
    review = rate(case).review
    planned = list(FollowUpVisit.objects.filter(case=case))
    decided = decide_review(
        review, actor=persona("dispatcher"), decision="reopen", explanation="协议未履行，重新调解"
    )
    assert decided.status == "decided" and decided.decision == "reopen"
    case.refresh_from_db()
    assert case.status == "in_progress" and case.reopen_count == 1 and not case.satisfaction
    reopen = CaseEvent.objects.get(case=case, action=Action.REOPEN)
    assert reopen.comment == "协议未履行，重新调解" and reopen.actor == persona("dispatcher")
    # The earlier round's visits are cancelled with their clocks: nothing left to be late.
    assert {v.status for v in FollowUpVisit.objects.filter(case=case)} == {"cancelled"}
    assert not Deadline.objects.filter(pk__in=[v.deadline_id for v in planned]).exists()
    with pytest.raises(Conflict, match="该复核已于.*处理（重新办理），不能再次处理"):
        decide_review(review, actor=persona("dispatcher"), decision="close", explanation="说明")


def test_resolving_again_plans_new_visits_and_opens_a_new_round_of_rating(persona):
    from concord.cases import lifecycle

    case = domestic_dispute()
    decide_review(
        rate(case).review, actor=persona("dispatcher"), decision="reopen", explanation="重办"
    )
    case = lifecycle.transition(
        case, actor=persona("baiguan"), action="resolve", result="mediated", reply="重新调解成功。"
    )
    assert FollowUpVisit.objects.filter(case=case, round=1, status="planned").count() == 3
    second = rate(case, "clerk", "satisfied", persona)
    assert second.round == 1 and Rating.objects.filter(case=case).count() == 2


def test_the_dispatcher_closes_a_review_with_an_explanation_and_the_case_stays_rated(persona):
    case = domestic_dispute()
    review = rate(case).review
    with pytest.raises(InvalidInput, match="请填写说明"):
        decide_review(review, actor=persona("dispatcher"), decision="close", explanation=" ")
    with pytest.raises(Forbidden, match="只有调度员或管理员"):
        decide_review(review, actor=persona("clerk"), decision="close", explanation="已解释")
    decide_review(
        review, actor=persona("dispatcher"), decision="close", explanation="已当面解释法律规定"
    )
    case.refresh_from_db()
    assert case.status == "rated" and case.reopen_count == 0
    closed = CaseEvent.objects.get(case=case, action=Action.REVIEW_CLOSED)
    assert closed.comment == "已当面解释法律规定" and closed.data == {"review": review.pk}
    assert FollowUpVisit.objects.filter(case=case, status="planned").count() == 3


def test_a_reopen_by_the_generic_action_decides_the_review_too(persona):
    from concord.cases import lifecycle

    case = domestic_dispute()
    review = rate(case).review
    lifecycle.transition(case, actor=persona("dispatcher"), action="reopen", comment="直接重办")
    review.refresh_from_db()
    assert (review.status, review.decision, review.explanation) == ("decided", "reopen", "直接重办")
    assert review.decided_by == persona("dispatcher")


def test_archiving_by_hand_closes_the_open_review(persona):
    from concord.cases import lifecycle

    case = domestic_dispute()
    review = rate(case).review
    lifecycle.transition(case, actor=persona("dispatcher"), action="archive")
    review.refresh_from_db()
    assert (review.status, review.decision) == ("decided", "close")
    with pytest.raises(Conflict, match="不能再次处理"):
        decide_review(review, actor=persona("dispatcher"), decision="reopen", explanation="晚了")


def test_the_timeline_sent_again_changes_no_rating_review_or_visit(persona):
    """A retried job or a second listener may send an event twice (cases.signals)."""
    from concord.cases import lifecycle
    from concord.cases.signals import event_recorded

    case = domestic_dispute()
    decide_review(
        rate(case).review, actor=persona("dispatcher"), decision="reopen", explanation="重办"
    )
    case = lifecycle.transition(
        case, actor=persona("baiguan"), action="resolve", result="mediated", reply="再次调解成功"
    )
    rate(case, "clerk", "dissatisfied", persona)

    def state():
        return (
            sorted(Rating.objects.filter(case=case).values_list("round", "satisfaction")),
            sorted(Review.objects.filter(case=case).values_list("rating__round", "status")),
            sorted(
                FollowUpVisit.objects.filter(case=case).values_list("round", "number", "status")
            ),
        )

    before = state()
    assert before[1] == [(0, "decided"), (1, "open")]
    case.refresh_from_db()
    for event in case.events.order_by("created_at", "pk"):
        event_recorded.send(sender=Case, case=case, event=event)
    assert state() == before
