from django.core.management.base import BaseCommand

from concord.triage.services import train_from_cases


class Command(BaseCommand):
    help = "Train the intake category suggestion from the closed cases (智能分类训练)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="newest N closed cases")

    def handle(self, *args, limit=None, **options):
        row = train_from_cases(**({"limit": limit} if limit else {}))
        if row is None:
            self.stdout.write("已办结且有类别的事项太少（或只有一个类别），继续使用关键词规则。")
            return
        self.stdout.write(
            f"已训练：{row.sample_size} 件事项，{len(row.counts)} 个类别，用时 {row.seconds} 秒。"
        )
