"""Key rotation: values encrypted under an old key read back after `rotate_keys` with only the
new key configured; the command is idempotent and says what it did."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from concord.audit.models import AuditAction, AuditEntry
from concord.cases.models import Party
from concord.cases.tests.factories import build_case
from concord.core.crypto import encrypted_fields

pytestmark = pytest.mark.django_db
NEW = Fernet.generate_key().decode()


def raw(model, pk, column: str) -> str:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **options)
    return out.getvalue()


def test_every_encrypted_column_is_found():
    labels = {f"{m._meta.label}.{f.name}" for m, fields in encrypted_fields() for f in fields}
    assert labels >= {
        "cases.Party.id_number",
        "cases.Party.phone",
        "appointments.Appointment.phone",
        "courts.ReferralBatch.rows",
        "imports.ImportJob.preview",
        "imports.RowProblem.values",
        "integrations.Webhook.secret",
        "open311.ServiceRequest.email",
    }


def test_old_values_read_back_with_only_the_new_key(settings):
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    case = build_case("registered")
    parties = {p.pk: (p.id_number, p.phone) for p in case.parties.all()}
    party = case.parties.first()
    old_token = raw(Party, party.pk, "id_number")
    assert Fernet(old_keys[0].encode()).decrypt(old_token.encode()).decode() == party.id_number

    settings.FIELD_ENCRYPTION_KEYS = [NEW, *old_keys]
    preview = rotate(dry_run=True)
    assert "待轮换" in preview and raw(Party, party.pk, "id_number") == old_token
    report = rotate(batch_size=1)
    assert "cases.Party.id_number: 共" in report
    new_token = raw(Party, party.pk, "id_number")
    assert new_token != old_token
    assert Fernet(NEW.encode()).decrypt(new_token.encode()).decode() == party.id_number

    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    for p in Party.objects.filter(pk__in=parties):
        assert (p.id_number, p.phone) == parties[p.pk]
    again = rotate()
    assert "已用新密钥重新加密 0 个值" in again
    entries = AuditEntry.objects.filter(action=AuditAction.KEYS_ROTATED).order_by("seq")
    assert entries.count() == 2
    assert entries[0].detail["columns"]["cases.Party.id_number"] >= len(parties)
    assert entries[1].detail["rotated"] == 0


def test_a_value_no_configured_key_opens_stops_the_rotation(settings):
    build_case("registered")
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key dropped too early
    with pytest.raises(CommandError, match="旧密钥留在 CONCORD_FIELD_KEYS"):
        rotate()
    assert not AuditEntry.objects.filter(action=AuditAction.KEYS_ROTATED).exists()
