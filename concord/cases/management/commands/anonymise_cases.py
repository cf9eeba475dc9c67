from django.core.management.base import BaseCommand, CommandError

from concord.cases.anonymise import MIN_AGE_DAYS, anonymise_due, default_age_days, due_cases
from concord.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "匿名化结案（已归档、不予受理、已转办）超过指定天数的事项：当事人姓名改为“申请人1”等，"
        "删除身份证号、电话、住址、事项详细地址、文字中的姓名和号码、照片和协议扫描件；"
        "保留类型、类别、区域、日期、状态、结果等统计所需内容。每件事项单独提交并记入审计日志，"
        f"可重复运行。天数默认取 CONCORD_ANONYMISE_AFTER_DAYS，不得少于 {MIN_AGE_DAYS} 天。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="结案超过多少天（默认 CONCORD_ANONYMISE_AFTER_DAYS，3 年）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不修改")
        parser.add_argument("--batch-size", type=int, default=200, help="每批事项数（默认 200）")

    def handle(self, *args, older_than_days, dry_run: bool, batch_size: int, **options) -> None:
        days = older_than_days if older_than_days is not None else default_age_days()
        if batch_size < 1:
            raise CommandError("--batch-size 应为正整数")
        try:
            due = due_cases(days)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if dry_run:
            count = due.count()
            parties = due.values("parties").exclude(parties=None).count()
            self.stdout.write(
                f"将匿名化 {count} 件结案超过 {days} 天的事项（{parties} 名当事人），未修改"
            )
            return
        done = None
        for done in anonymise_due(days, batch=batch_size):
            if options["verbosity"] > 1:
                self.stdout.write(f"已匿名化 {done.cases} 件")
        if done is None:
            self.stdout.write(f"没有结案超过 {days} 天且未匿名化的事项")
            return
        self.stdout.write(
            f"已匿名化 {done.cases} 件结案超过 {days} 天的事项：{done.parties} 名当事人，"
            f"删除文件 {done.files} 个"
        )
