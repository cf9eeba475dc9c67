from django.core.management.base import BaseCommand

from concord.appointments import defaults as appointments
from concord.cases.models import Case
from concord.courts import defaults as courts
from concord.deadlines.defaults import load_defaults as load_deadline_defaults
from concord.demo.cases import seed_cases
from concord.demo.county import load_reference_data
from concord.evaluation import defaults as evaluation
from concord.integrations import demo as integrations
from concord.linkage import defaults as linkage
from concord.mediation import defaults as mediation
from concord.routing.defaults import load_defaults as load_routing_defaults

DEMO_CASES = 2000


class Command(BaseCommand):
    help = "加载演示区县、组织、类别和演示账号；尚无事项时生成 2000 件演示事项。可重复运行。"

    def handle(self, *args, **options) -> None:
        load_reference_data()
        # Databases from before these capabilities existed get their configuration too.
        load_deadline_defaults()
        load_routing_defaults()
        mediation.load_defaults()
        courts.load_defaults()
        appointments.load_defaults()
        appointments.load_demo()  # this week's and next week's slots, as time goes by
        integrations.load_demo()  # 12345 and the court's platform as connected systems
        self.stdout.write(
            "参考数据已就绪（区划、组织、类别、演示账号、节假日、时限策略、分流规则、"
            "调解员和调解室、委派案由、预约窗口、回访计划）"
        )
        # Only an empty system gets demo cases: a rerun must not pile up a second year of them.
        if Case.objects.exists():
            self.stdout.write(f"已有 {Case.objects.count()} 件事项，未生成演示事项")
            return
        created = seed_cases(DEMO_CASES)
        linkage.load_demo()
        evaluation.ratings_from_timeline()
        mediation.load_demo_agreements()
        courts.load_demo()
        integrations.load_demo()  # the seeded 12345 calls become the hotline's work orders
        self.stdout.write(self.style.SUCCESS(f"已生成 {created} 件演示事项"))
