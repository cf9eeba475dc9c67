"""The audit log's daily check (a periodic job: concord.core.jobs.PERIODIC)."""

import logging

from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.notifications.choices import Kind
from concord.notifications.services import notify

from .chain import Problem, verify

log = logging.getLogger("concord.audit")
SHOWN_PROBLEMS = 20


def check_chain() -> bool:
    """Walk the chain; log its head, so that a later run (or whoever reads the logs) can tell
    if the newest entries were cut off; tell the auditors when a link is broken."""
    problems: list[Problem] = []

    def keep(problem: Problem) -> None:
        if len(problems) < SHOWN_PROBLEMS:
            problems.append(problem)

    summary = verify(on_problem=keep)
    log.info(
        "audit chain: %d entries, head seq=%s hash=%s, %d problems",
        summary.rows,
        summary.last_seq,
        summary.head_hash,
        summary.problems,
    )
    if summary.intact:
        return True
    for problem in problems:
        log.error("audit chain broken: %s", problem)
    auditors = User.objects.filter(role=Role.AUDITOR, is_active=True)
    notify(
        auditors,
        kind=Kind.OTHER,
        title=_("审计日志校验发现 %(count)d 处问题") % {"count": summary.problems},
        body="\n".join(str(p) for p in problems),
    )
    return False
