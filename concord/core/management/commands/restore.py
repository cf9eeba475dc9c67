from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from concord.core.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 backup 生成的文件恢复数据库和上传的文件。先停止网站和后台任务；"
        "数据库或文件目录不是空的时须加 --yes。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="备份文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖不是空的数据库和文件目录")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名")
        parser.add_argument(
            "--database-url",
            help="恢复到这个数据库（如 postgres://…/scratch），而不是 --database：用来演练恢复",
        )

    def handle(
        self, *args, path: Path, yes: bool, database: str, database_url: str | None, **options
    ) -> None:
        if not path.is_file():
            raise CommandError(_("找不到备份文件 %(path)s") % {"path": path})
        if database_url:
            db = dj_database_url.parse(database_url)
        else:
            db = connections[database].settings_dict
        try:
            manifest = restore_backup(path, db, Path(settings.MEDIA_ROOT), replace=yes)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("已从 %(path)s 恢复（备份于 %(created)s）：%(tables)s 张表，%(rows)s 行，"
              "%(files)s 个文件，行数与备份记录一致")
            % {
                "path": path,
                "created": manifest["created_at"],
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "files": manifest["media_files"],
            }
        )  # fmt: skip
