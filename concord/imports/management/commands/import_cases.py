"""`manage.py import_cases FILE [--source NAME] [--create-categories] [--profile NAME]`:
import a CSV or XLSX file of cases here and now (SPEC §11), and print what happened."""

import csv
import time

from django.core.management.base import BaseCommand, CommandError

from concord.accounts.models import User
from concord.core.errors import ServiceError
from concord.imports.models import RowProblem
from concord.imports.profiles import PROFILES
from concord.imports.report import report_rows
from concord.imports.services import import_path

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Import cases from a CSV or XLSX file (canonical format or a 12345 export). Bad rows "
        "are skipped and listed; rows already imported (same source and source_id) are "
        "counted, not imported again; the good rows are written in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument(
            "--source",
            default="",
            help="source system: with source_id it identifies a row (default: the profile's, "
            "'import' for the canonical format, '12345' for a 12345 export)",
        )
        parser.add_argument(
            "--create-categories",
            action="store_true",
            help="create the categories the file names that do not exist",
        )
        parser.add_argument(
            "--profile",
            choices=sorted(PROFILES),
            default="",
            help="column layout (default: recognised from the header)",
        )
        parser.add_argument(
            "--user", default="", help="username registering the cases (default: the system)"
        )
        parser.add_argument(
            "--report", default="", help="write every bad row with its reasons to this CSV file"
        )

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user {options['user']!r}")
        started = time.monotonic()
        try:
            job = import_path(
                options["file"],
                source=options["source"],
                profile=options["profile"],
                create_categories=options["create_categories"],
                user=user,
            )
        except FileNotFoundError:
            raise CommandError(f"no such file: {options['file']}") from None
        except ServiceError as exc:
            errors = getattr(exc, "errors", None)
            raise CommandError("; ".join(errors.values()) if errors else exc.message) from None
        seconds = time.monotonic() - started
        problems = RowProblem.objects.filter(job=job).order_by("line")
        for problem in problems[:SHOWN_PROBLEMS]:
            self.stdout.write(f"line {problem.line}: {problem.reasons}")
        if job.bad_count > SHOWN_PROBLEMS:
            self.stdout.write(f"… and {job.bad_count - SHOWN_PROBLEMS} more bad rows")
        if options["report"]:
            with open(options["report"], "w", newline="", encoding="utf-8-sig") as out:
                csv.writer(out).writerows(report_rows(job))
        rate = job.done / seconds if seconds else 0
        self.stdout.write(
            f"import #{job.pk} {job.filename} (profile {job.profile}, source {job.source}): "
            f"{job.created_count} created, {job.existing_count} already imported, "
            f"{job.bad_count} bad rows, {job.categories_created} categories created; "
            f"{job.done} rows in {seconds:.1f} s ({rate:,.0f} rows/s)"
        )
