"""吹哨报到 services: summon departments to a case, their 签到 and 到场, and the sweep that
flags the ones that let a due time pass.

Who sees a summons: whoever sees its case (cases.scope), and the organisations it summons —
they must find it to answer it even before they hold a task on the case.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import Action, CaseStatus
from concord.cases.models import Case
from concord.cases.scope import grant_access, visible_cases
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX
from concord.notifications.services import Notice, notify, notify_many
from concord.orgs.models import Organisation, OrgKind

from .models import Summons, SummonsTarget

log = logging.getLogger(__name__)

SUMMONABLE_KINDS = (OrgKind.DEPARTMENT, OrgKind.MEDIATION_ORG)
MINUTES_MAX = 720
TARGETS_MAX = 30
# A closed case has nobody left to call in.
CLOSED = frozenset({CaseStatus.REFUSED, CaseStatus.REFERRED, CaseStatus.ARCHIVED})
BATCH = 500


def can_summon(user: User) -> bool:
    return user.is_authenticated and user.role in SUPERVISE_ROLES


def summonable_orgs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(active=True, kind__in=SUMMONABLE_KINDS).order_by(
        "kind", "code"
    )


def visible_summonses(user: User) -> QuerySet[Summons]:
    """Summonses on cases the user sees, and those that call the user's organisation."""
    seen = Q(case__in=visible_cases(user).values("pk"))
    if user.is_authenticated and user.organisation_id:
        called = SummonsTarget.objects.filter(organisation_id=user.organisation_id)
        seen |= Q(pk__in=called.values("summons_id"))
    return Summons.objects.filter(seen)


def get_visible_summons(user: User, summons_id: int) -> Summons:
    try:
        return visible_summonses(user).select_related("case").get(pk=summons_id)
    except (Summons.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("吹哨报到不存在")) from None


def target_of(summons: Summons, user: User) -> SummonsTarget:
    """The target the user answers for: their own organisation's (403 when not summoned)."""
    target = (
        summons.targets.filter(organisation_id=user.organisation_id)
        .select_related("organisation")
        .first()
    )
    if target is None or user.organisation_id is None:
        raise Forbidden(_("您所在单位未被召集到该事项"))
    return target


def summon(
    case: Case,
    *,
    actor: User,
    organisations: Iterable[int | Organisation],
    reason: str,
    ack_minutes: int = 20,
    arrive_minutes: int = 40,
    place: str = "",
) -> Summons:
    """吹哨: call `organisations` to `case`.

    1. Only a dispatcher, leader or admin, on a case that is not closed.
    2. Each organisation an active department or mediation organisation, named once, and not
       already summoned to this case by a summons it has not yet answered by arriving.
    3. One `Summons`, one `SummonsTarget` per organisation with its due times; the
       organisations' active users are notified in the same transaction.
    """
    if actor.role not in SUPERVISE_ROLES:
        raise Forbidden(_("只有调度员、领导或管理员可以吹哨召集"))
    if actor.organisation_id is None:
        raise Forbidden(_("没有所属组织的账号不能吹哨召集"))
    if case.status in CLOSED:
        raise Conflict(_("事项已%(status)s，不能吹哨召集") % {"status": case.get_status_display()})
    reason = (reason or "").strip()
    place = (place or "").strip()
    ids = [o.pk if isinstance(o, Organisation) else o for o in organisations or []]
    errors: dict[str, str] = {}
    orgs: dict[int, Organisation] = {}
    if not ids:
        errors["organisations"] = _("请选择要召集的单位")
    elif len(ids) > TARGETS_MAX:
        errors["organisations"] = _("一次最多召集%(max)d个单位") % {"max": TARGETS_MAX}
    elif not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors["organisations"] = _("单位应以编号表示")
    elif len(set(ids)) != len(ids):
        errors["organisations"] = _("同一单位不能重复召集")
    else:
        orgs = summonable_orgs().in_bulk(ids)
        missing = [i for i in ids if i not in orgs]
        if missing:
            errors["organisations"] = _("单位不存在、已停用或不能召集：%(ids)s") % {
                "ids": "、".join(str(i) for i in missing)
            }
    if not reason:
        errors["reason"] = _("请填写召集事由")
    elif len(reason) > COMMENT_MAX:
        errors["reason"] = _("召集事由不能超过%(max)d字") % {"max": COMMENT_MAX}
    if len(place) > ADDRESS_MAX:
        errors["place"] = _("报到地点不能超过%(max)d字") % {"max": ADDRESS_MAX}
    for field, value in (("ack_minutes", ack_minutes), ("arrive_minutes", arrive_minutes)):
        if not _minutes_ok(value):
            errors[field] = _("时限应为1至%(max)d分钟") % {"max": MINUTES_MAX}
    minutes_ok = "ack_minutes" not in errors and "arrive_minutes" not in errors
    if minutes_ok and arrive_minutes < ack_minutes:
        errors["arrive_minutes"] = _("到场时限不能短于签到时限")
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            _refuse_open(case, ids, orgs)
            summons = Summons.objects.create(
                case=case,
                issued_by=actor,
                issuer_org_id=actor.organisation_id,
                reason=reason,
                issued_at=now,
                ack_minutes=ack_minutes,
                arrive_minutes=arrive_minutes,
                place=place,
            )
            SummonsTarget.objects.bulk_create(
                SummonsTarget(
                    summons=summons,
                    case=case,
                    organisation=orgs[i],
                    ack_due_at=now + dt.timedelta(minutes=ack_minutes),
                    arrive_due_at=now + dt.timedelta(minutes=arrive_minutes),
                )
                for i in ids
            )
            # Summoned departments see the case they are called to, to answer it.
            grant_access(case, [orgs[i] for i in ids], "summons")
            title = _("%(code)s 吹哨报到：请于%(ack)s前签到、%(arrive)s前到场") % {
                "code": case.tracking_code,
                "ack": local_time(now + dt.timedelta(minutes=ack_minutes), "m-d H:i"),
                "arrive": local_time(now + dt.timedelta(minutes=arrive_minutes), "m-d H:i"),
            }
            body = reason + (("\n" + _("报到地点：%(place)s") % {"place": place}) if place else "")
            record_event(
                case,
                actor=actor,
                action=Action.SUMMON,
                comment=_("召集%(orgs)s：%(reason)s")
                % {"orgs": "、".join(orgs[i].name for i in ids), "reason": reason},
                data={"summons": summons.pk, "organisations": ids},
                at=now,
            )
            people = User.objects.filter(organisation_id__in=ids, is_active=True)
            notify(people, kind="other", title=title, body=body, case=case)
    except IntegrityError:
        # Another dispatcher summoned one of them in the same instant: the constraint held.
        _refuse_open(case, ids, orgs)
        raise
    return summons


def _refuse_open(case: Case, ids: list[int], orgs: dict[int, Organisation]) -> None:
    """Conflict naming, in the order asked, the organisations still summoned to the case."""
    busy = SummonsTarget.objects.filter(case=case, organisation_id__in=ids, arrived_at=None)
    busy_ids = set(busy.values_list("organisation_id", flat=True))
    names = [orgs[i].name for i in ids if i in busy_ids]
    if names:
        raise Conflict(
            _("已召集%(names)s到该事项，尚未到场，不能重复召集") % {"names": "、".join(names)},
            field="organisations",
        )


def _minutes_ok(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MINUTES_MAX


def acknowledge(target: SummonsTarget, *, actor: User) -> SummonsTarget:
    """签到: the summoned organisation says it is coming; late past `ack_due_at`."""
    _check_member(target, actor)
    with transaction.atomic():
        target = _locked(target)
        if target.arrived_at:
            raise Conflict(_("%(org)s已到场") % {"org": target.organisation.name})
        if target.acknowledged_at:
            raise Conflict(_("%(org)s已签到") % {"org": target.organisation.name})
        now = timezone.now()
        target.acknowledged_at, target.acknowledged_by = now, actor
        target.ack_late = now > target.ack_due_at
        target.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_late"])
    return target


def arrive(target: SummonsTarget, *, actor: User) -> SummonsTarget:
    """到场: the organisation is there. Arriving without 签到 first counts as both."""
    _check_member(target, actor)
    with transaction.atomic():
        target = _locked(target)
        if target.arrived_at:
            raise Conflict(_("%(org)s已到场") % {"org": target.organisation.name})
        now = timezone.now()
        if not target.acknowledged_at:
            target.acknowledged_at, target.acknowledged_by = now, actor
            target.ack_late = now > target.ack_due_at
        target.arrived_at, target.arrived_by = now, actor
        target.arrive_late = now > target.arrive_due_at
        target.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_by",
                "ack_late",
                "arrived_at",
                "arrived_by",
                "arrive_late",
            ]
        )
    return target


def _check_member(target: SummonsTarget, actor: User) -> None:
    if actor.organisation_id is None or actor.organisation_id != target.organisation_id:
        raise Forbidden(_("只有被召集单位的人员可以签到或到场"))


def _locked(target: SummonsTarget) -> SummonsTarget:
    return (
        SummonsTarget.objects.select_for_update()
        .select_related("organisation", "summons__case")
        .get(pk=target.pk)
    )


def sweep_summons(now: dt.datetime | None = None) -> int:
    """Flag each target whose 签到 or 到场 time has passed without the act, once: claim rows
    with SKIP LOCKED, set `escalated_at` by compare-and-set, and notify the issuing and the
    summoned organisations in the same transaction. Returns how many were escalated."""
    now = now or timezone.now()
    due = SummonsTarget.objects.filter(escalated_at=None, arrived_at=None).filter(
        Q(acknowledged_at=None, ack_due_at__lte=now) | Q(arrive_due_at__lte=now)
    )
    escalated = 0
    people: dict[int, list[User]] = {}
    while True:
        with transaction.atomic():
            ids = list(
                due.order_by("ack_due_at")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:BATCH]
            )
            if ids:
                SummonsTarget.objects.filter(pk__in=ids, escalated_at=None).update(escalated_at=now)
            claimed = list(
                SummonsTarget.objects.filter(pk__in=ids, escalated_at=now).select_related(
                    "organisation", "summons__case", "summons__issuer_org"
                )
            )
            notices = [_escalation(t, _people(people, t)) for t in claimed]
            notify_many(notices)
        escalated += len(claimed)
        if len(ids) < BATCH:
            break
    if escalated:
        log.info("summons sweep at %s: %d escalated", now.isoformat(), escalated)
    return escalated


def _people(cache: dict[int, list[User]], target: SummonsTarget) -> list[User]:
    orgs = (target.summons.issuer_org_id, target.organisation_id)
    missing = [o for o in orgs if o not in cache]
    if missing:
        for org in missing:
            cache[org] = []
        for user in User.objects.filter(organisation_id__in=missing, is_active=True):
            cache[user.organisation_id].append(user)
    return [u for o in orgs for u in cache[o]]


def _escalation(target: SummonsTarget, users: list[User]) -> Notice:
    case = target.summons.case
    if target.acknowledged_at:
        text = _("%(org)s未按时到场（应于%(due)s前到场）") % {
            "org": target.organisation.name,
            "due": local_time(target.arrive_due_at, "m-d H:i"),
        }
    else:
        text = _("%(org)s未按时签到（应于%(due)s前签到）") % {
            "org": target.organisation.name,
            "due": local_time(target.ack_due_at, "m-d H:i"),
        }
    title = _("%(code)s 吹哨报到：%(text)s") % {"code": case.tracking_code, "text": text}
    return Notice(users, "other", title, case=case)
