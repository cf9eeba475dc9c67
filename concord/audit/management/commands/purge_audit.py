import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from concord.audit.chain import latest_purge_date, purge, retention_days
from concord.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "删除某日期之前的审计记录。记录至少保存 CONCORD_AUDIT_RETENTION_DAYS 天"
        "（默认且最少 180 天，网络安全法：网络日志留存不少于六个月），更近的日期会被拒绝。"
        "删除后写入锚点和一条清理记录，verify_audit 仍能校验剩余的链。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--before", required=True, help="删除此日期（YYYY-MM-DD）零点以前的记录"
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的条数")

    def handle(self, *args, before: str, dry_run: bool, **options) -> None:
        try:
            day = dt.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"--before 应为日期 YYYY-MM-DD，而不是 {before!r}") from None
        try:
            done = purge(before=day, dry_run=dry_run)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if dry_run:
            self.stdout.write(f"将删除 {done.rows} 条 {day} 以前的审计记录（未删除）")
        elif done.anchor is None:
            self.stdout.write(f"没有 {day} 以前的审计记录可删除")
        else:
            self.stdout.write(
                f"已删除 {done.rows} 条 {day} 以前的审计记录；审计链自第 {done.anchor.seq} 条起，"
                f"锚定哈希 {done.anchor.prev_hash}（保存期 {retention_days()} 天，"
                f"目前最晚可清理到 {latest_purge_date()}）"
            )
