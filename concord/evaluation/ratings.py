"""评价: the citizen's rating of each round of handling, through a signed link or recorded by
staff, and the review of a dissatisfied one (reopen, or close with an explanation).

Every rating is the lifecycle's `rate` action; the Rating row (and the review of a 不满意) is
written when that action is recorded (`record_rating`, from the event), so a rating given
through the case page's generic action or the public transitions API is kept the same way.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases import lifecycle
from concord.cases.choices import Action, CaseStatus, Satisfaction
from concord.cases.models import Case, CaseEvent
from concord.cases.timeline import record_event
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import COMMENT_MAX
from concord.notifications.services import notify
from concord.orgs.models import OrgKind

from .choices import STAFF_CHANNELS, RatingChannel, ReviewDecision, ReviewStatus
from .models import Rating, Review
from .visits import archive_if_done

TOKEN_SALT = "rating"
TOKEN_DAYS = 30
DECIDE_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
GOOD = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def rating_token(case: Case) -> str:
    """The citizen's rating link for the case's current round, valid TOKEN_DAYS days."""
    return signing.dumps({"case": case.pk, "round": case.reopen_count}, salt=TOKEN_SALT)


def case_for_token(token: str) -> Case:
    """The case a rating link is for, if the link is genuine, fresh and still this round's."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=dt.timedelta(days=TOKEN_DAYS))
    except signing.SignatureExpired:
        raise Conflict(
            _("评价链接已过期（有效期%(days)d天），请联系矛调中心重新发送") % {"days": TOKEN_DAYS},
            code="expired",
        ) from None
    except signing.BadSignature:
        raise NotFound(_("评价链接无效，请核对链接是否完整")) from None
    case_id, round_ = (data.get("case"), data.get("round")) if isinstance(data, dict) else (0, 0)
    case = Case.objects.filter(pk=case_id).first() if isinstance(case_id, int) else None
    if case is None or not isinstance(round_, int):
        raise NotFound(_("评价链接无效，请核对链接是否完整"))
    if round_ != case.reopen_count:
        raise Conflict(_("该评价链接已失效：事项已重新办理，请使用新的评价链接"), code="stale")
    return case


def rated_this_round(case: Case) -> Rating | None:
    return Rating.objects.filter(case=case, round=case.reopen_count).first()


def rate_case(
    case: Case,
    *,
    satisfaction: str,
    comment: str = "",
    channel: str,
    actor: User | None = None,
) -> Rating:
    """Rate the case's current round.

    1. The satisfaction and channel must be known ones: staff record a rating taken by phone,
       on a visit or otherwise; no actor means the citizen through the verified link (portal).
    2. A round already rated is refused, naming the rating; a case that is not resolved is
       refused by the lifecycle with its state.
    3. The lifecycle's `rate` (RESOLVED → RATED) writes the event; `record_rating` keeps the
       Rating and opens a review when 不满意.
    """
    comment = (comment or "").strip()
    errors = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = _("请选择满意度：%(choices)s") % {
            "choices": "、".join(str(label) for label in Satisfaction.labels)
        }
    allowed = [RatingChannel.PORTAL] if actor is None else STAFF_CHANNELS
    if channel not in allowed:
        errors["channel"] = _("评价渠道应为：%(choices)s") % {
            "choices": "、".join(str(RatingChannel(c).label) for c in allowed)
        }
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("评价意见不能超过%(max)d字") % {"max": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        earlier = rated_this_round(case)
        if earlier is not None and case.status != CaseStatus.ARCHIVED:
            raise Conflict(
                _("本轮办理已于%(at)s评价为「%(satisfaction)s」，同一轮只能评价一次")
                % {
                    "at": timezone.localtime(earlier.at).strftime("%Y-%m-%d %H:%M"),
                    "satisfaction": earlier.get_satisfaction_display(),
                },
                code="already_rated",
            )
        case = lifecycle.transition(
            case,
            actor=actor,
            action=Action.RATE,
            comment=comment,
            satisfaction=satisfaction,
            channel=channel,
        )
        return Rating.objects.get(case=case, round=case.reopen_count)


def record_rating(case: Case, event: CaseEvent) -> None:
    """Keep the rating the `rate` event recorded; a 不满意 opens a review for the county
    center's dispatchers."""
    data = event.data or {}
    if Rating.objects.filter(event=event).exists():
        return  # the event sent again (a retried job)
    rating = Rating.objects.create(
        event=event,
        case=case,
        round=case.reopen_count,
        satisfaction=data["satisfaction"],
        comment=event.comment,
        channel=data.get("channel") or RatingChannel.OTHER,
        recorded_by=event.actor,
        at=event.created_at,
    )
    if rating.satisfaction != Satisfaction.DISSATISFIED:
        return
    Review.objects.create(case=case, rating=rating, opened_at=event.created_at)
    dispatchers = User.objects.filter(
        role=Role.DISPATCHER, organisation__kind=OrgKind.COUNTY_CENTER, is_active=True
    )
    notify(
        dispatchers,
        kind="other",
        title=_("%(code)s 群众评价不满意，请复核：重新办理或说明后结案")
        % {"code": case.tracking_code},
        body=rating.comment,
        case=case,
    )


def open_review(case: Case) -> Review | None:
    return case.reviews.filter(status=ReviewStatus.OPEN).select_related("rating").first()


def can_decide(user: User) -> bool:
    return user.is_authenticated and user.role in DECIDE_ROLES


def decide_review(review: Review, *, actor: User, decision: str, explanation: str) -> Review:
    """Decide a 不满意 review once: reopen (the lifecycle's `reopen`, back to handling and
    counted), or close with an explanation (the case stays rated; a timeline entry)."""
    if not can_decide(actor):
        raise Forbidden(_("只有调度员或管理员可以处理不满意复核"))
    explanation = (explanation or "").strip()
    errors = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = _("请选择处理决定：重新办理或说明后结案")
    if not explanation:
        errors["explanation"] = _("请填写说明：重新办理的理由或结案的解释")
    elif len(explanation) > COMMENT_MAX:
        errors["explanation"] = _("说明不能超过%(max)d字") % {"max": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # The case before the review, in the order a transition's own effects lock them.
        Case.objects.select_for_update().filter(pk=review.case_id).first()
        review = Review.objects.select_for_update().select_related("case").get(pk=review.pk)
        if review.status == ReviewStatus.DECIDED:
            raise Conflict(
                _("该复核已于%(at)s处理（%(decision)s），不能再次处理")
                % {
                    "at": timezone.localtime(review.decided_at).strftime("%Y-%m-%d %H:%M"),
                    "decision": review.get_decision_display(),
                },
                code="decided",
            )
        case = review.case
        if decision == ReviewDecision.REOPEN:
            # The reopen's event decides the review (`settle_reviews`), as a reopen taken
            # from the case page's generic action does.
            lifecycle.transition(case, actor=actor, action=Action.REOPEN, comment=explanation)
        else:
            if case.status == CaseStatus.ARCHIVED:
                raise Conflict(_("事项已归档，只能查阅，不能处理复核"), code="illegal_transition")
            event = record_event(
                case,
                actor=actor,
                action=Action.REVIEW_CLOSED,
                comment=explanation,
                data={"review": review.pk},
            )
            _decide(Review.objects.filter(pk=review.pk), ReviewDecision.CLOSE, event)
            archive_if_done(case)
    review.refresh_from_db()
    return review


def settle_reviews(case: Case, event: CaseEvent) -> None:
    """A reopen decides the case's open review (reopened, with the reopen's reason), however
    it was taken; an archive closes it (the case is read-only from then on)."""
    reviews = case.reviews.filter(status=ReviewStatus.OPEN)
    if event.action == Action.REOPEN:
        # Those of the rounds the reopen ended, not a later one's (the event sent again).
        _decide(reviews.filter(rating__round__lt=case.reopen_count), ReviewDecision.REOPEN, event)
    else:
        _decide(reviews, ReviewDecision.CLOSE, event)


def _decide(reviews, decision: str, event: CaseEvent) -> None:
    reviews.update(
        status=ReviewStatus.DECIDED,
        decision=decision,
        explanation=event.comment,
        decided_by=event.actor,
        decided_at=event.created_at,
    )
