from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from concord.core.backups import BackupError, create_backup, default_path


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）和上传的文件到一个文件。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="备份文件路径，或放备份文件的目录（默认 CONCORD_BACKUP_DIR，即 var/backups）",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名")

    def handle(self, *args, output: Path | None, database: str, **options) -> None:
        output = output or Path(settings.BACKUP_DIR)
        if output.is_dir():
            output = default_path(output)
        try:
            manifest = create_backup(
                output, connections[database].settings_dict, Path(settings.MEDIA_ROOT)
            )
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("已备份到 %(path)s：%(tables)s 张表，%(rows)s 行，%(files)s 个文件")
            % {
                "path": output,
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": manifest["media_files"],
            }
        )
