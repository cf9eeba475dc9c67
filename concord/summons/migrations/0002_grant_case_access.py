from django.db import migrations


def grant_summoned(apps, schema_editor):
    """Departments summoned before grants existed keep seeing their cases."""
    target = apps.get_model("summons", "SummonsTarget")
    access = apps.get_model("cases", "CaseAccess")
    pairs = target.objects.values_list("case_id", "organisation_id").distinct()
    access.objects.bulk_create(
        [access(case_id=c, organisation_id=o, reason="summons") for c, o in pairs.iterator()],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("summons", "0001_initial"),
        ("cases", "0008_case_access"),
    ]

    operations = [migrations.RunPython(grant_summoned, migrations.RunPython.noop)]
