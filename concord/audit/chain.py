"""The audit log's hash chain: appending, verifying, and purging past the retention period.

Entry n stores `prev_hash` = entry_hash of entry n-1 and `entry_hash` = SHA-256 of the canonical
JSON of its own content and `prev_hash`. Editing a row changes its content (its hash no longer
matches), deleting one leaves a gap in `seq`, and rewriting a hash breaks the next link.

Appending is serialised so two writers never take the same head: on PostgreSQL by a
transaction-level advisory lock held until the caller's transaction ends; on SQLite every write
transaction is already exclusive (transaction_mode IMMEDIATE in settings). The unique `seq` is
the last guard on any database.

Truncating the newest rows is not visible in the chain itself: `verify_audit` prints the head
(seq and hash) so it can be kept elsewhere (the operations log, a daily report) and compared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.errors import InvalidInput

from .models import AuditAction, AuditAnchor, AuditEntry, record

GENESIS = "0" * 64
# Any constant shared by every process: pg_advisory_xact_lock's key for "the audit chain head".
LOCK_KEY = 0x636F6E636F7264  # "concord"
# 网络安全法 art. 21 (art. 23 from 2026-01-01): network logs kept no less than six months.
MIN_RETENTION_DAYS = 180

FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "detail",
    "ip",
    "prev_hash",
)


# ---------------------------------------------------------------- the canonical form


def _stable(value):
    # A float with no fraction comes back from PostgreSQL's jsonb as an int (1e20, 3.0):
    # hash it as the int it will read back as.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    return value


def canonical(values: dict) -> bytes:
    """The bytes an entry's hash covers: JSON with sorted keys, the time in UTC (ISO 8601 with
    microseconds), the actor's id, action, object, detail, IP, seq and the previous hash."""
    body = {name: values[name] for name in FIELDS}
    body["created_at"] = values["created_at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    body["detail"] = _stable(values["detail"])
    body["ip"] = values["ip"] or None
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def hash_of(values: dict) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


def _clean_ip(value) -> tuple[str | None, str]:
    """The address as the database will return it, or None and the text that was no address."""
    if not value:
        return None, ""
    text = str(value).strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None, text[:64]
    return AuditEntry._meta.get_field("ip").get_prep_value(str(address)), ""


# ---------------------------------------------------------------- appending


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _head() -> tuple[int, str]:
    """The seq and prev_hash the next entry takes. Call under the lock."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    if last is not None:
        return last[0] + 1, last[1]
    anchor = AuditAnchor.objects.order_by("-seq").first()
    return (anchor.seq, anchor.prev_hash) if anchor else (1, GENESIS)


def append(entry: AuditEntry) -> None:
    """Seal `entry` at the head of the chain and insert it (AuditEntry.save calls this)."""
    ip, bad_ip = _clean_ip(entry.ip)
    detail = json.loads(json.dumps(entry.detail or {}))
    if bad_ip:
        detail["ip_text"] = bad_ip
    entry.ip, entry.detail = ip, detail
    if entry.created_at is None:
        entry.created_at = timezone.now()
    with transaction.atomic():
        _lock()
        entry.seq, entry.prev_hash = _head()
        entry.entry_hash = hash_of({name: getattr(entry, name) for name in FIELDS})
        super(AuditEntry, entry).save(force_insert=True)


# ---------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Problem:
    kind: str  # altered, link, gap, anchor
    seq: int | None
    entry_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"seq={self.seq} id={self.entry_id}" if self.seq is not None else "-"
        return f"[{self.kind}] {where}: {self.message}"


@dataclass
class Summary:
    rows: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    head_hash: str = GENESIS
    anchor_seq: int | None = None
    problems: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.problems == 0


def verify(*, chunk_size: int = 5000, on_problem: Callable[[Problem], None] = print) -> Summary:
    """Walk the whole chain in seq order, streaming, and hand every problem to `on_problem`.

    1. Start from the latest anchor (after a purge) or from seq 1 and the genesis hash.
    2. Each row: a seq above the expected one is a gap (rows deleted); otherwise its prev_hash
       must be the previous row's entry_hash (else the previous row was replaced, or rows
       were reordered); its content must hash to its entry_hash (else it was edited).
    3. An anchor must be confirmed by the AUDIT_PURGED entry the purge wrote.
    """
    summary = Summary()

    def report(problem: Problem) -> None:
        summary.problems += 1
        summary.kinds[problem.kind] = summary.kinds.get(problem.kind, 0) + 1
        on_problem(problem)

    anchor = AuditAnchor.objects.order_by("-seq").first()
    expected_seq, expected_prev = (anchor.seq, anchor.prev_hash) if anchor else (1, GENESIS)
    summary.anchor_seq = anchor.seq if anchor else None
    anchor_confirmed = anchor is None
    previous_id = None
    rows = AuditEntry.objects.order_by("seq").values_list("id", *FIELDS, "entry_hash")
    for row in rows.iterator(chunk_size=chunk_size):
        entry_id, values, stored = row[0], dict(zip(FIELDS, row[1:-1], strict=True)), row[-1]
        seq = values["seq"]
        summary.rows += 1
        if summary.first_seq is None:
            summary.first_seq = seq
        if seq < expected_seq:
            report(
                Problem(
                    "anchor",
                    seq,
                    entry_id,
                    _("序号早于审计链锚点（第%(anchor)d条）：锚点与记录不符")
                    % {"anchor": expected_seq},
                )
            )
        elif seq > expected_seq:
            missing = str(expected_seq) if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
            report(
                Problem(
                    "gap",
                    seq,
                    entry_id,
                    _("缺少第%(missing)s条：记录被删除") % {"missing": missing},
                )
            )
        elif values["prev_hash"] != expected_prev:
            report(
                Problem(
                    "link",
                    seq,
                    entry_id,
                    _("前一条哈希不符：前一条记录（id=%(previous)s）被改动或替换")
                    % {"previous": previous_id if previous_id is not None else "-"},
                )
            )
        if hash_of(values) != stored:
            report(Problem("altered", seq, entry_id, _("内容与本条哈希不符：记录被改动")))
        if (
            not anchor_confirmed
            and values["action"] == AuditAction.AUDIT_PURGED
            and values["detail"].get("anchor_seq") == anchor.seq
            and values["detail"].get("anchor_hash") == anchor.prev_hash
        ):
            anchor_confirmed = True
        expected_seq, expected_prev, previous_id = seq + 1, stored, entry_id
        summary.last_seq, summary.head_hash = seq, stored
    if not anchor_confirmed:
        report(
            Problem(
                "anchor",
                anchor.seq,
                None,
                _("审计链锚点（第%(seq)d条起）没有对应的清理记录") % {"seq": anchor.seq},
            )
        )
    return summary


# ---------------------------------------------------------------- retention


def retention_days() -> int:
    """Days an entry is kept at least: CONCORD["AUDIT_RETENTION_DAYS"], never under 180."""
    return max(MIN_RETENTION_DAYS, int(settings.CONCORD.get("AUDIT_RETENTION_DAYS", 0)))


def latest_purge_date(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=retention_days())


@dataclass(frozen=True)
class Purged:
    rows: int
    anchor: AuditAnchor | None


def purge(*, before: dt.date, actor=None, dry_run: bool = False) -> Purged:
    """Remove the entries older than `before` (local midnight), keeping the chain verifiable.

    1. Refuse a date within the retention period.
    2. Under the chain lock, the first kept entry is the lowest seq at or after the cutoff;
       every entry below it is older than the cutoff and goes.
    3. An anchor keeps the first kept entry's prev_hash as the chain's new start, and an
       AUDIT_PURGED entry (the newest, so kept) records the same seq and hash.
    """
    latest = latest_purge_date()
    if before > latest:
        raise InvalidInput(
            {
                "before": _(
                    "审计记录至少保存%(days)d天：清理日期不能晚于%(date)s（不含当日及以后的记录）"
                )
                % {"days": retention_days(), "date": latest.isoformat()}
            }
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    with transaction.atomic():
        _lock()
        kept = (
            AuditEntry.objects.filter(created_at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", "prev_hash")
            .first()
        )
        first_seq, anchor_hash = kept if kept is not None else _head()
        doomed = AuditEntry.objects.filter(seq__lt=first_seq).count()
        if not doomed or dry_run:
            return Purged(doomed, None)
        anchor = AuditAnchor.objects.create(
            seq=first_seq, prev_hash=anchor_hash, purged_before=before, rows_purged=doomed
        )
        _delete_below(first_seq)
        record(
            actor=actor,
            action=AuditAction.AUDIT_PURGED,
            obj=anchor,
            detail={
                "before": before.isoformat(),
                "rows": doomed,
                "anchor_seq": first_seq,
                "anchor_hash": anchor_hash,
            },
        )
    return Purged(doomed, anchor)


def _delete_below(seq: int) -> None:
    # The model and its queryset refuse deletes; on PostgreSQL the trigger lets a DELETE
    # through only while this transaction-local flag is on.
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('concord.audit_purge', 'on', true)")
        cursor.execute(f"DELETE FROM {table} WHERE seq < %s", [seq])  # noqa: S608
        if postgres:
            cursor.execute("SELECT set_config('concord.audit_purge', 'off', true)")
