"""Build the duplicate check's text index for cases registered past the signal (imports,
seeding) or before the index existed."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from concord.duplicates.services import index_missing


class Command(BaseCommand):
    help = "为已有事项建立重复件检索索引（MinHash 分段键）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="重建全部事项的索引（默认只补未建索引的事项）"
        )

    def handle(self, *args, **options):
        done = index_missing(rebuild=options["all"])
        self.stdout.write(self.style.SUCCESS(_("已为 %(count)d 件事项建立索引") % {"count": done}))
