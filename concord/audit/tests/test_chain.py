"""The audit log is append-only and hash-chained: tampering by SQL is found by verify_audit,
an allowed purge keeps the chain verifiable, a purge within six months is refused."""

import datetime as dt
import io
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from concord.audit.chain import GENESIS, hash_of, purge, verify
from concord.audit.jobs import check_chain
from concord.audit.models import AppendOnlyError, AuditAction, AuditAnchor, AuditEntry, record
from concord.core.errors import InvalidInput
from concord.core.testing import run_at_once
from concord.notifications.models import Notification

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger and advisory lock are PostgreSQL's"
)


def entries(persona, n: int, **extra) -> list[AuditEntry]:
    clerk = persona("clerk")
    return [
        record(
            actor=clerk,
            action=AuditAction.EXPORT,
            detail={"rows": i, "ratio": 1.0, "filters": {"status": "open", "q": "欠薪"}},
            ip="10.0.0.7",
            **extra,
        )
        for i in range(n)
    ]


def run_verify(**kwargs) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out, **kwargs)
    except CommandError as exc:
        return out.getvalue() + str(exc), exc.returncode
    return out.getvalue(), 0


def sql(statement: str, params=()) -> None:
    """Raw SQL as an intruder with the database's superuser would run it: past the model,
    and on PostgreSQL past the trigger (replica mode fires no ordinary trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_entries_are_chained_in_sequence(persona):
    first, second, third = entries(persona, 3)
    assert first.prev_hash == GENESIS
    assert [second.seq, third.seq] == [first.seq + 1, first.seq + 2]
    assert second.prev_hash == first.entry_hash and third.prev_hash == second.entry_hash
    stored = AuditEntry.objects.get(pk=second.pk)
    # The hash is over the values as the database returns them (jsonb, inet, UTC time).
    assert hash_of(vars(stored)) == stored.entry_hash


def test_intact_chain_passes_with_a_summary_line(persona):
    entries(persona, 5)
    out, code = run_verify(chunk_size=2)
    assert code == 0
    assert out.startswith("审计链完好：5 条记录，序号 1–5")


def test_editing_an_audit_row_by_sql_is_reported(persona):
    rows = entries(persona, 4)
    victim = rows[1]
    sql("UPDATE audit_auditentry SET ip = '10.9.9.9' WHERE id = %s", [victim.pk])
    out, code = run_verify()
    assert code == 1
    assert f"[altered] seq={victim.seq} id={victim.pk}" in out
    assert "审计链已损坏：1 处问题" in out


def test_an_edit_that_recomputes_the_hash_breaks_the_next_link(persona):
    rows = entries(persona, 3)
    victim = rows[0]
    forged = {**vars(AuditEntry.objects.get(pk=victim.pk)), "detail": {"rows": 0}}
    sql(
        "UPDATE audit_auditentry SET detail = %s, entry_hash = %s WHERE id = %s",
        ['{"rows": 0}', hash_of(forged), victim.pk],
    )
    out, code = run_verify()
    assert code == 1
    assert f"[link] seq={rows[1].seq} id={rows[1].pk}" in out
    assert f"id={victim.pk}）被改动或替换" in out


def test_deleting_a_row_is_reported_as_a_gap(persona):
    rows = entries(persona, 5)
    sql("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [rows[1].pk, rows[2].pk])
    out, code = run_verify()
    assert code == 1
    assert f"[gap] seq={rows[3].seq} id={rows[3].pk}: 缺少第2–3条" in out


def test_the_model_refuses_to_change_or_delete(persona):
    (entry,) = entries(persona, 1)
    entry.ip = "10.1.1.1"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(ip="10.1.1.1")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert run_verify()[1] == 0


@postgres_only
def test_the_database_refuses_update_and_delete(persona):
    (entry,) = entries(persona, 1)
    for statement in ("UPDATE audit_auditentry SET ip = NULL", "DELETE FROM audit_auditentry"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).ip == "10.0.0.7"


def test_addresses_and_odd_details_hash_as_they_read_back(persona):
    entry = record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        detail={"n": 3.0, "big": 1e20, "nested": {"b": [1, "二"], "a": None}},
        ip="::FFFF:10.0.0.1",
    )
    bad = record(actor=None, action=AuditAction.LOGIN_FAILED, ip="not-an-ip")
    assert bad.ip is None and bad.detail == {"ip_text": "not-an-ip"}
    for row in AuditEntry.objects.filter(pk__in=[entry.pk, bad.pk]):
        assert hash_of(vars(row)) == row.entry_hash
    assert run_verify()[1] == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(county):
    def write():
        return record(actor=None, action=AuditAction.LOGIN_FAILED, detail={"u": "x"}).seq

    seqs = run_at_once(*[write for _ in range(12)])
    assert sorted(seqs) == list(range(1, 13))
    assert verify(on_problem=pytest.fail).intact


# ---------------------------------------------------------------- retention


def test_a_purge_within_six_months_is_refused(settings, persona):
    settings.CONCORD = {**settings.CONCORD, "AUDIT_RETENTION_DAYS": 30}  # never below 180
    entries(persona, 2)
    too_recent = timezone.localdate() - dt.timedelta(days=179)
    with pytest.raises(InvalidInput, match="至少保存180天"):
        purge(before=too_recent)
    with pytest.raises(CommandError, match="至少保存180天"):
        call_command("purge_audit", before=too_recent.isoformat(), stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("purge_audit", before="next week", stdout=io.StringIO())
    assert AuditEntry.objects.count() == 2 and not AuditAnchor.objects.exists()


def test_a_purge_keeps_the_chain_verifiable(persona):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=400)):
        old = entries(persona, 3)
    with time_machine.travel(now - dt.timedelta(days=100)):
        kept = entries(persona, 2)
    before = timezone.localdate() - dt.timedelta(days=200)
    out = io.StringIO()
    call_command("purge_audit", before=before.isoformat(), stdout=out)
    assert "已删除 3 条" in out.getvalue()
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    anchor = AuditAnchor.objects.get()
    assert anchor.seq == kept[0].seq and anchor.prev_hash == old[-1].entry_hash
    purged = AuditEntry.objects.get(action=AuditAction.AUDIT_PURGED)
    assert purged.detail["rows"] == 3 and purged.detail["anchor_seq"] == anchor.seq
    text, code = run_verify()
    assert code == 0, text
    assert f"锚点第 {anchor.seq} 条" in text
    # New entries continue the chain; a second purge to the same day removes nothing.
    entries(persona, 1)
    assert purge(before=before).rows == 0
    assert run_verify()[1] == 0


def test_a_purge_of_everything_still_chains_the_next_entry(persona):
    with time_machine.travel(timezone.now() - dt.timedelta(days=400)):
        old = entries(persona, 2)
    done = purge(before=timezone.localdate() - dt.timedelta(days=181))
    assert done.rows == 2 and done.anchor.seq == old[-1].seq + 1
    assert done.anchor.prev_hash == old[-1].entry_hash
    assert run_verify()[1] == 0


def test_an_anchor_nobody_recorded_is_reported(persona):
    rows = entries(persona, 4)
    # An intruder deletes the oldest rows and plants an anchor to hide the gap.
    sql("DELETE FROM audit_auditentry WHERE seq < %s", [rows[2].seq])
    AuditAnchor.objects.create(
        seq=rows[2].seq,
        prev_hash=rows[1].entry_hash,
        purged_before=dt.date(2020, 1, 1),
        rows_purged=2,
    )
    out, code = run_verify()
    assert code == 1 and "没有对应的清理记录" in out


def test_the_system_administrator_cannot_read_the_log_in_the_admin(signed_in, persona):
    (entry,) = entries(persona, 1)
    admin = signed_in(persona("admin"))
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/admin/audit/auditentry/").status_code == 403
    assert admin.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 403


def test_the_daily_check_logs_the_head_and_tells_the_auditors(persona, auditor, caplog):
    rows = entries(persona, 3)
    with caplog.at_level(logging.INFO, logger="concord.audit"):
        assert check_chain() is True
    assert f"head seq={rows[-1].seq} hash={rows[-1].entry_hash}" in caplog.text
    assert not Notification.objects.filter(user=auditor).exists()
    sql("UPDATE audit_auditentry SET object_id = 'x' WHERE id = %s", [rows[0].pk])
    assert check_chain() is False
    notice = Notification.objects.get(user=auditor)
    assert "1 处问题" in notice.title and f"seq={rows[0].seq}" in notice.body
