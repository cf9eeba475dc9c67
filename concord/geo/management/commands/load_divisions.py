from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from concord.geo.loader import county_outline, load_county
from concord.geo.models import Division


class Command(BaseCommand):
    help = "Load (or update) a county's towns, villages and outline from the npm data packages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--county",
            default=settings.CONCORD["COUNTY_CODE"],
            help="6-digit county code (default: CONCORD_COUNTY_CODE, 330604 上虞区)",
        )

    def handle(self, *args: object, county: str, **options: object) -> None:
        if len(county) != 6 or not county.isdigit():
            raise CommandError(f"--county takes a 6-digit code, not {county!r}")
        try:
            division = load_county(county)
        except (ImproperlyConfigured, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        below = Division.objects.filter(code__startswith=county).exclude(code=division.code)
        towns = below.filter(level="town").count()
        villages = below.filter(level="village").count()
        outline = "with outline" if county_outline(division.code) else "without outline"
        self.stdout.write(
            self.style.SUCCESS(f"{division.name}: {towns} towns, {villages} villages, {outline}")
        )
