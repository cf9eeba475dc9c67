"""Merging the same matter registered twice (B into A), and undoing it exactly.

A merge is one transaction: B points to A (`merged_into`), A counts B's visits, B's open
tasks are cancelled and its running clocks paused, and both timelines get an event. The
surviving case's 合并 event keeps in its data what the merge changed (B's visits, each
cancelled task's former status, each paused clock's former pause), so that the undo puts
back exactly that and nothing else. The timelines are append-only: an undo adds 撤销合并
events, the history before the merge is left as it was.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import ACTIVE_TASK_STATUSES, Action, CaseStatus, TaskStatus
from concord.cases.models import Case, CaseEvent, Task
from concord.cases.scope import visible_cases
from concord.cases.timeline import record_event
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.deadlines.models import Deadline

MERGE, UNMERGE = Action.MERGE, Action.UNMERGE
MERGE_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})


def can_merge(user: User) -> bool:
    return user.is_authenticated and user.role in MERGE_ROLES


def _locked(user: User, *ids: int) -> dict[int, Case]:
    """The cases, locked in id order (two merges at once cannot deadlock), within scope."""
    rows = visible_cases(user).select_for_update().filter(pk__in=ids).order_by("pk")
    return {case.pk: case for case in rows}


def merge_case(*, actor: User, case: Case, into_id: int, comment: str = "") -> Case:
    """Merge `case` (B) into the case `into_id` (A); returns A as it now stands."""
    if not can_merge(actor):
        raise Forbidden(_("只有窗口受理员、指挥调度员和管理员可以合并事项"))
    if not isinstance(into_id, int) or isinstance(into_id, bool):
        raise InvalidInput({"into": _("请指定要并入的事项编号")})
    if into_id == case.pk:
        raise InvalidInput({"into": _("不能将事项合并到其自身")})
    with transaction.atomic():
        cases = _locked(actor, case.pk, into_id)
        source = cases.get(case.pk)
        if source is None:
            raise NotFound(_("事项不存在"))
        target = cases.get(into_id)
        if target is None:
            raise NotFound(
                _("要并入的事项（编号 %(id)s）不存在或不在您的管辖范围内") % {"id": into_id},
                field="into",
            )
        _check(source, target)
        now = timezone.now()
        tasks = list(source.tasks.filter(status__in=ACTIVE_TASK_STATUSES).values("pk", "status"))
        clocks = list(
            Deadline.objects.filter(case=source, met_at=None, paused_at=None).values_list(
                "pk", flat=True
            )
        )
        Task.objects.filter(pk__in=[t["pk"] for t in tasks]).update(status=TaskStatus.CANCELLED)
        Deadline.objects.filter(pk__in=clocks).update(paused_at=now)
        Case.objects.filter(pk=source.pk).update(
            merged_into=target, version=F("version") + 1, updated_at=now
        )
        Case.objects.filter(pk=target.pk).update(
            visits_count=F("visits_count") + source.visits_count,
            version=F("version") + 1,
            updated_at=now,
        )
        source.refresh_from_db()
        target.refresh_from_db()
        record_event(
            source,
            actor=actor,
            action=MERGE,
            at=now,
            comment=comment or _("并入事项 %(code)s（同一事项）") % {"code": target.tracking_code},
            data={"into": target.pk},
        )
        record_event(
            target,
            actor=actor,
            action=MERGE,
            at=now,
            comment=comment
            or _("事项 %(code)s 并入本事项，来访次数 +%(visits)d")
            % {"code": source.tracking_code, "visits": source.visits_count},
            data={
                "merged": source.pk,
                "visits": source.visits_count,
                "tasks": [[t["pk"], t["status"]] for t in tasks],
                "deadlines": clocks,
                "at": now.isoformat(),
            },
        )
    return target


def _check(source: Case, target: Case) -> None:
    if source.merged_into_id:
        raise Conflict(
            _("事项 %(code)s 已并入其他事项，请先撤销原合并") % {"code": source.tracking_code}
        )
    if target.merged_into_id:
        raise Conflict(
            _("事项 %(code)s 已并入其他事项，请并入它最终并入的事项")
            % {"code": target.tracking_code},
            field="into",
        )
    if source.merged_cases.exists():
        raise Conflict(
            _("已有其他事项并入 %(code)s，请将本事项作为保留事项，或先撤销那些合并")
            % {"code": source.tracking_code}
        )
    for one in (source, target):
        if one.status == CaseStatus.ARCHIVED:
            raise Conflict(
                _("事项 %(code)s 已归档，只能查阅，不能合并") % {"code": one.tracking_code}
            )


def merge_record(case: Case) -> CaseEvent | None:
    """The 合并 event on the surviving case that merged `case` into it, if `case` is merged."""
    if not case.merged_into_id:
        return None
    return (
        CaseEvent.objects.filter(case_id=case.merged_into_id, action=MERGE, data__merged=case.pk)
        .order_by("-created_at", "-pk")
        .first()
    )


def unmerge_case(*, actor: User, case: Case, comment: str = "") -> Case:
    """Undo the merge of `case` (B): B stands alone again, A loses B's visits, B's cancelled
    tasks and paused clocks are as they were before. Returns B."""
    if not can_merge(actor):
        raise Forbidden(_("只有窗口受理员、指挥调度员和管理员可以撤销合并"))
    with transaction.atomic():
        source = _locked(actor, case.pk).get(case.pk)
        if source is None:
            raise NotFound(_("事项不存在"))
        if not source.merged_into_id:
            raise Conflict(_("事项 %(code)s 未被合并，无需撤销") % {"code": source.tracking_code})
        target = _locked(actor, source.merged_into_id).get(source.merged_into_id)
        if target is None:
            raise NotFound(_("该事项并入的事项不在您的管辖范围内，不能撤销合并"))
        record = merge_record(source)
        if record is None:
            raise Conflict(_("找不到该合并的记录，不能撤销"))
        data = record.data
        now = timezone.now()
        for task_id, status in data.get("tasks", []):
            Task.objects.filter(pk=task_id, case=source, status=TaskStatus.CANCELLED).update(
                status=status
            )
        Deadline.objects.filter(
            pk__in=data.get("deadlines", []), case=source, paused_at=parse_datetime(data["at"])
        ).update(paused_at=None)
        Case.objects.filter(pk=source.pk).update(
            merged_into=None, version=F("version") + 1, updated_at=now
        )
        Case.objects.filter(pk=target.pk).update(
            visits_count=F("visits_count") - data.get("visits", 0),
            version=F("version") + 1,
            updated_at=now,
        )
        source.refresh_from_db()
        target.refresh_from_db()
        record_event(
            target,
            actor=actor,
            action=UNMERGE,
            at=now,
            comment=comment or _("撤销事项 %(code)s 的合并") % {"code": source.tracking_code},
            data={"merged": source.pk, "merge_event": record.pk},
        )
        record_event(
            source,
            actor=actor,
            action=UNMERGE,
            at=now,
            comment=comment or _("撤销并入事项 %(code)s") % {"code": target.tracking_code},
            data={"from": target.pk, "merge_event": record.pk},
        )
    return source
