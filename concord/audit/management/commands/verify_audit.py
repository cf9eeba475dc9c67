from django.core.management.base import BaseCommand, CommandError

from concord.audit.chain import verify


class Command(BaseCommand):
    help = (
        "校验审计日志的哈希链：逐条（流式）检查序号连续、前后哈希相接、内容与哈希一致，"
        "列出每一处问题（序号和 id）。完好时退出码为 0 并输出一行摘要，有问题时退出码为 1。"
        "摘要中的链头哈希可另行保存，用于发现末尾记录被删除。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=5000, help="每次从数据库读取的条数（默认 5000）"
        )

    def handle(self, *args, chunk_size: int, **options) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size 应为正整数")
        summary = verify(chunk_size=chunk_size, on_problem=lambda p: self.stdout.write(str(p)))
        span = f"{summary.first_seq}–{summary.last_seq}" if summary.rows else "-"
        line = f"{summary.rows} 条记录，序号 {span}，链头哈希 {summary.head_hash}" + (
            f"，锚点第 {summary.anchor_seq} 条" if summary.anchor_seq else ""
        )
        if not summary.intact:
            kinds = "，".join(f"{kind} {count}" for kind, count in sorted(summary.kinds.items()))
            raise CommandError(
                f"审计链已损坏：{summary.problems} 处问题（{kinds}）；{line}", returncode=1
            )
        self.stdout.write(f"审计链完好：{line}")
