from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from concord.audit.models import AuditAction, record
from concord.core.crypto import encrypted_fields, rotate_table

HELP = """用最新的密钥（CONCORD_FIELD_KEYS 的第一个）重新加密所有加密字段（身份证号、电话、\
导入的原始内容、对接密钥等），分批进行，每批一个事务；可重复运行，中断后再运行即从头跳过已完成的值。

轮换步骤：
1. 生成新密钥：
   python -c "from cryptography.fernet import Fernet as F; print(F.generate_key().decode())"
2. 把新密钥放在 CONCORD_FIELD_KEYS 最前面，旧密钥保留在后面（逗号分隔），重启所有 Web 和后台进程；
   此后新写入的值用新密钥，旧值仍可读。
3. 运行 python manage.py rotate_keys，直到报告“待轮换 0”。
4. 从 CONCORD_FIELD_KEYS 删除旧密钥，再次重启。轮换前的备份仍用旧密钥加密：
   旧密钥须离线另行保管，直到这些备份过了保留期。"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批行数（默认 500）")
        parser.add_argument("--dry-run", action="store_true", help="只统计待轮换的值，不写入")

    def handle(self, *args, batch_size: int, dry_run: bool, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数")
        totals = []
        try:
            for model, fields in encrypted_fields():
                counts = []
                for counts in rotate_table(model, fields, batch=batch_size, dry_run=dry_run):
                    if options["verbosity"] > 1:
                        self.stdout.write(" ".join(f"{c.label} {c.scanned}" for c in counts))
                totals.extend(counts or [])
        except ImproperlyConfigured as exc:
            raise CommandError(f"{exc}：请把加密这些值的旧密钥留在 CONCORD_FIELD_KEYS 中") from None
        for c in totals:
            self.stdout.write(
                f"{c.label}: 共 {c.scanned} 个值，已是新密钥 {c.current}，"
                f"{'待轮换' if dry_run else '已轮换'} {c.rotated}"
                + (f"，期间被修改而跳过 {c.changed_meanwhile}" if c.changed_meanwhile else "")
            )
        rotated = sum(c.rotated for c in totals)
        if dry_run:
            self.stdout.write(f"待轮换 {rotated} 个值（未写入）")
            return
        with transaction.atomic():
            record(
                actor=None,
                action=AuditAction.KEYS_ROTATED,
                detail={"rotated": rotated, "columns": {c.label: c.rotated for c in totals}},
            )
        self.stdout.write(f"已用新密钥重新加密 {rotated} 个值；再次运行应报告待轮换 0")
