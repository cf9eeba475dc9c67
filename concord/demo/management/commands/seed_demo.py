import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from concord.deadlines.defaults import load_defaults as load_deadline_defaults
from concord.demo.cases import seed_cases
from concord.demo.county import load_reference_data


class Command(BaseCommand):
    help = "加载演示区县参考数据，并生成指定数量的演示事项（可用于压力测试）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="要生成的事项数量")
        parser.add_argument("--seed", type=int, default=0, help="随机种子（相同种子结果可复现）")

    def handle(self, *args, cases: int, seed: int, **options) -> None:
        if cases < 1:
            raise CommandError("--cases 应为正整数")
        started = time.monotonic()
        load_reference_data()
        # Databases from before deadlines existed get the calendar and policies too: seeded
        # cases get the deadlines their timelines started.
        load_deadline_defaults()
        created = seed_cases(cases, seed=seed)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"已生成 {created} 件演示事项，用时 {elapsed:.1f} 秒"))
