"""Chain the entries written before the hash chain existed, oldest first."""

from django.db import migrations

from concord.audit.chain import FIELDS, GENESIS, hash_of


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    rows = AuditEntry.objects.filter(seq__isnull=True).order_by("created_at", "id")
    previous = GENESIS
    for seq, entry in enumerate(rows.iterator(chunk_size=2000), start=1):
        entry.seq, entry.prev_hash = seq, previous
        previous = hash_of({name: getattr(entry, name) for name in FIELDS})
        AuditEntry.objects.filter(pk=entry.pk).update(
            seq=seq, prev_hash=entry.prev_hash, entry_hash=previous
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_fields")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
