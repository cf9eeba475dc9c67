"""The 回访 node starts when the visits are planned at resolution (one clock per planned
visit), no longer at the resolution itself; nodes the admin pointed elsewhere are left alone."""

import secrets

from django.db import migrations


def plan_starts_follow_up(apps, schema_editor):
    _move(apps, "resolve", "follow_up_plan")


def resolve_starts_follow_up(apps, schema_editor):
    _move(apps, "follow_up_plan", "resolve")


def _move(apps, old: str, new: str) -> None:
    PolicyNode = apps.get_model("deadlines", "PolicyNode")
    if PolicyNode.objects.filter(code="follow_up", start_action=old).update(start_action=new):
        # Running processes keep the policies until this revision changes (Revision.bump).
        Revision = apps.get_model("core", "Revision")
        Revision.objects.update_or_create(
            key="deadline_policies", defaults={"number": secrets.randbits(62)}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("deadlines", "0006_alter_policynode_start_action"),
    ]

    operations = [migrations.RunPython(plan_starts_follow_up, resolve_starts_follow_up)]
