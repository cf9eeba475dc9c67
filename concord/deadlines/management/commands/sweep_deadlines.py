from django.core.management.base import BaseCommand

from concord.deadlines.sweep import sweep


class Command(BaseCommand):
    help = "运行一次时限巡检：发出到期预警、超期督办（可重复运行，不会重复发出）。"

    def handle(self, *args, **options) -> None:
        fired = sweep()
        self.stdout.write(f"预警 {fired['warned']} 个节点，超期 {fired['breached']} 个节点")
