"""Notifying users: a row under their bell, and the same message queued as SMS and email.

`notify` writes in the caller's transaction; `deliver_outbox` (a periodic job, see
concord.core.jobs) sends what is queued once that transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .choices import Kind, OutboxChannel, OutboxStatus
from .models import Notification, OutboxMessage
from .senders import Sender, sender_for

if TYPE_CHECKING:
    from concord.accounts.models import User
    from concord.cases.models import Case

log = logging.getLogger("concord.notifications")

# A failing message is tried again after 1, 2, 4, 8 minutes; the fifth failure is final.
MAX_ATTEMPTS = 5
TITLE_MAX = Notification._meta.get_field("title").max_length
ERROR_MAX = 2000


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass(frozen=True)
class Notice:
    """One message for some users, as `notify` takes it; `notify_many` writes many at once."""

    users: Iterable[User]
    kind: str
    title: str
    body: str = ""
    case: Case | None = None


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str = "",
    case: Case | None = None,
) -> list[Notification]:
    """Notify each distinct active user in `users`; returns the new notifications.

    1. One `Notification` per user, in one insert.
    2. For a user with a phone an SMS, with an email address an email, in one more insert.
    Joins the caller's transaction (no savepoint, no commit): if the caller rolls back, nobody
    is notified. Nothing is sent here; `deliver_outbox` sends after the commit.
    """
    return notify_many([Notice(users, kind, title, body, case)])


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """`notify` for many notices in two inserts (the deadline sweep fires hundreds at once)."""
    now = timezone.now()
    notifications, recipients, texts = [], [], []
    for notice in notices:
        kind = Kind(notice.kind)  # a wrong kind is a programming error: fail here
        title = _clip(notice.title.strip(), TITLE_MAX)
        text = "\n".join(part for part in (title, notice.body.strip()) if part)
        for user in {user.pk: user for user in notice.users if user.is_active}.values():
            notifications.append(
                Notification(
                    user=user,
                    case=notice.case,
                    kind=kind,
                    title=title,
                    body=notice.body,
                    created_at=now,
                )
            )
            recipients.append(user)
            texts.append(text)
    if not notifications:
        return []
    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(notifications)
        outbox = [
            OutboxMessage(
                notification=notification,
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=text,
                next_attempt_at=now,
                created_at=now,
            )
            for notification, user, text in zip(notifications, recipients, texts, strict=True)
            for channel, recipient, subject in (
                (OutboxChannel.SMS, user.phone.strip(), ""),
                (OutboxChannel.EMAIL, user.email.strip(), notification.title),
            )
            if recipient
        ]
        OutboxMessage.objects.bulk_create(outbox)
    return notifications


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s unread notifications read: those in `ids`, or all of them when None.
    Other users' ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        # An id beyond the bigint range matches nothing, but SQLite would raise on it.
        unread = unread.filter(pk__in=[int(i) for i in ids if 0 < int(i) < 2**63])
    return unread.update(read_at=timezone.now())


def deliver_outbox(now: datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Send up to `batch` due outbox messages; returns how many were sent, will be retried,
    and failed for good.

    1. In one transaction, lock the pending messages due by `now`, skipping those another
       delivery holds (PostgreSQL; on SQLite the IMMEDIATE transactions queue up instead).
    2. Hand each to its channel's sender (settings.CONCORD_SENDERS).
    3. Mark it sent, or count the failure and retry after 1, 2, 4, 8 minutes; the fifth
       failure marks it failed.
    The row locks last until the results are written, so two deliveries at once never send
    the same message. A crash before the commit leaves the batch pending: it is sent again
    (at least once; a sender cannot be rolled back). A misconfigured sender raises before
    anything is sent.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:batch]
        )
        if not due:
            return counts
        senders: dict[str, Sender] = {m.channel: sender_for(m.channel) for m in due}
        for message in due:
            message.attempts += 1
            try:
                senders[message.channel].send(message)
            except Exception as exc:
                message.last_error = _clip(f"{type(exc).__name__}: {exc}", ERROR_MAX)
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = OutboxStatus.FAILED
                    counts["failed"] += 1
                else:
                    message.next_attempt_at = now + timedelta(minutes=2 ** (message.attempts - 1))
                    counts["retrying"] += 1
                log.warning(
                    "outbox message %s (%s) failed, attempt %s of %s: %s",
                    message.pk,
                    message.channel,
                    message.attempts,
                    MAX_ATTEMPTS,
                    message.last_error,
                )
            else:
                message.status = OutboxStatus.SENT
                message.sent_at = now
                counts["sent"] += 1
        OutboxMessage.objects.bulk_update(
            due, ["status", "attempts", "next_attempt_at", "sent_at", "last_error"]
        )
    return counts


def requeue(messages: QuerySet[OutboxMessage], *, now: datetime | None = None) -> int:
    """Give failed messages another round of tries, starting now (the admin's action)."""
    return messages.filter(status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now or timezone.now()
    )
