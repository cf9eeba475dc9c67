"""What an imported case is: closed history with its result, rating and a timeline that says
it was imported (and no clock running); an open order registered with its deadlines; a 12345
export read through its own headers and words, placed in its town and village; categories
created only when asked; only the center's desk may import, and each sees its own files."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from concord.cases.models import Case, Category
from concord.deadlines.models import Deadline
from concord.imports.models import ImportJob

from .conftest import CANONICAL, canonical, csv_bytes, upload, xlsx_bytes
from .test_files import import_now, post

LOCAL = timezone.get_current_timezone()


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def test_closed_cases_import_as_history_and_open_ones_start_their_clocks(web, media, persona):
    rows = [
        canonical(1, type="信访", status="", received_at="2025-03-01 09:00"),
        canonical(
            2,
            status="archived",
            result="调解成功",
            received_at="2025-03-02 10:00",
            resolved_at="2025-03-09 16:30",
            satisfaction="基本满意",
        ),
        canonical(
            3,
            status="resolved",
            result="answered",
            received_at="2025-03-31 10:00",
            resolved_at="2025-04-01",
            satisfaction="",
        ),
        canonical(
            4,
            status="已办结",
            result="solved",
            received_at="2025-04-30 10:00",
            resolved_at="2025-05-01",
            satisfaction="满意",
        ),
    ]
    client = web("clerk")
    job = import_now(client, post(client, csv_bytes(rows), "历史事项.csv"))
    assert job.created_count == 4
    clerk = persona("clerk")

    open_case = Case.objects.get(source_id="LEGACY-000001")
    assert (open_case.status, open_case.received_at) == ("registered", at("2025-03-01 09:00"))
    assert open_case.registered_by == clerk and open_case.registered_org == clerk.organisation
    (event,) = open_case.events.all()
    assert (event.action, event.actor, event.created_at) == (
        "register",
        clerk,
        open_case.received_at,
    )
    assert event.comment == "批量导入：历史事项.csv 第2行（来源 import LEGACY-000001）"
    assert event.data["import"] == job.pk
    # A petition's 15 days to say whether it is accepted run from its registration; long
    # past, the clock is marked breached as seeding marks it, without a flood of warnings.
    clock = Deadline.objects.get(case=open_case)
    assert (clock.code, clock.started_at) == ("petition_accept", open_case.received_at)
    assert at("2025-03-16 00:00") < clock.due_at < at("2025-03-18 00:00")
    assert clock.breached_at == clock.due_at

    archived = Case.objects.get(source_id="LEGACY-000002")
    assert (archived.status, archived.result, archived.satisfaction) == (
        "archived",
        "mediated",
        "basically_satisfied",
    )
    assert archived.resolved_at == archived.closed_at == at("2025-03-09 16:30")
    assert archived.version == 4
    steps = [(e.action, e.from_status, e.to_status, e.actor_id) for e in archived.events.all()]
    assert steps == [
        ("register", "", "registered", clerk.pk),
        ("resolve", "registered", "resolved", None),
        ("rate", "resolved", "rated", None),
        ("archive", "rated", "archived", None),
    ]
    assert all("历史记录导入" in e.comment for e in archived.events.all()[1:])
    assert not Deadline.objects.filter(case=archived).exists()

    resolved = Case.objects.get(source_id="LEGACY-000003")
    assert (resolved.status, resolved.result, resolved.satisfaction) == ("resolved", "answered", "")
    assert resolved.resolved_at == at("2025-04-01 00:00")
    rated = Case.objects.get(source_id="LEGACY-000004")
    assert (rated.status, rated.satisfaction) == ("rated", "satisfied")  # 已办结 with a rating
    assert not Deadline.objects.filter(case__in=[resolved, rated]).exists()

    # The case page shows the imported timeline like any other.
    page = client.get(f"/cases/{archived.pk}/").content.decode()
    assert "批量导入：历史事项.csv 第3行" in page


HOTLINE = [
    "工单编号",
    "来电时间",
    "来电人",
    "来电号码",
    "所属区域",
    "诉求地址",
    "工单类别",
    "诉求类型",
    "诉求内容",
    "办理状态",
    "办理结果",
    "办结时间",
    "满意度",
    "答复内容",
    "承办单位",
]


def test_a_12345_export_is_read_through_its_own_headers_and_words(web, media):
    # fmt: off
    rows = [
        [
            "ZJ12345-2025-000101", "2025/6/3 8:15:00", "", "13957500001", "崧厦街道",
            "祝温村3组", "噪音扰民", "投诉", "村口加工厂夜间噪音扰民。", "办理中", "", "", "", "",
            "崧厦街道",
        ],
        [
            "ZJ12345-2025-000102", "2025年6月4日 9时30分", "李女士", "0575-82123456",
            "百官街道", "龙山社区3幢", "物业纠纷", "求助", "电梯停运一个月。", "已办结",
            "已解决", "2025-06-10 17:00", "非常满意", "已督促物业维修，电梯恢复运行。", "住建局",
        ],
        [
            "ZJ12345-2025-000103", "2025-06-05 10:00", "王先生", "13957500003", "上虞区",
            "不知道在哪", "物业纠纷", "咨询", "咨询物业费标准。", "已办结", "已答复",
            "2025-06-05 11:00", "未评价", "已解释收费标准。", "",
        ],
        [
            "ZJ12345-2025-000104", "2025-06-06 10:00", "赵", "13957500004", "越城区", "",
            "物业纠纷", "投诉", "外区工单。", "办理中", "", "", "", "", "",
        ],
    ]
    # fmt: on
    client = web("clerk")
    response = post(client, xlsx_bytes(rows, header=HOTLINE), "12345工单.xlsx")
    preview = client.get(response.url).content.decode()
    assert "12345 热线工单导出" in preview and "忽略的列：承办单位" in preview
    assert "139****0001" in preview and "13957500001" not in preview  # masked on the page
    job = import_now(client, response)
    assert (job.profile, job.source, job.created_count, job.bad_count) == ("12345", "12345", 3, 1)
    assert (
        job.problems.get().reasons == "所属区域：「越城区」不是本县（区）的乡镇（街道）或村（社区）"
    )

    noise = Case.objects.get(source="12345", source_id="ZJ12345-2025-000101")
    assert (noise.channel, noise.type, noise.status) == ("hotline_12345", "complaint", "registered")
    assert (noise.town_id, noise.division_id) == ("330604007000", "330604007314")  # 祝温村
    assert noise.received_at == at("2025-06-03 08:15")
    caller = noise.parties.get()
    assert (caller.name, caller.phone) == ("未留姓名", "13957500001")
    assert noise.category.name == "噪音扰民"

    lift = Case.objects.get(source_id="ZJ12345-2025-000102")
    assert (lift.status, lift.result, lift.satisfaction, lift.type) == (
        "rated",
        "solved",
        "satisfied",
        "request",
    )
    assert lift.reply == "已督促物业维修，电梯恢复运行。"
    assert lift.division_id == "330604001001" and lift.received_at == at("2025-06-04 09:30")

    question = Case.objects.get(source_id="ZJ12345-2025-000103")
    assert (question.status, question.result, question.satisfaction) == (
        "resolved",
        "answered",
        "",
    )
    assert (question.division_id, question.town_id) == ("330604000000", None)  # county level
    assert question.address == "不知道在哪"


def test_unknown_categories_are_refused_unless_creating_them_is_asked(web, media):
    rows = [
        canonical(1, category="婚姻家庭/彩礼纠纷"),
        canonical(2, category="新业态 > 外卖骑手"),
        canonical(3, category="新业态 > 外卖骑手"),
        canonical(4, category="婚姻家庭/彩礼纠纷", description=""),
    ]
    client = web("clerk")
    refused_job = import_now(client, post(client, csv_bytes(rows[:1]), "a.csv"))
    assert refused_job.problems.get().reasons == "category：类别「婚姻家庭/彩礼纠纷」不存在或已停用"
    assert not Category.objects.filter(name="彩礼纠纷").exists()

    response = post(client, csv_bytes(rows), "b.csv")
    job = ImportJob.objects.latest("pk")
    client.post(f"/imports/{job.pk}/start", {"create_categories": "on"})
    from concord.imports import services

    services.run_import(job.pk)
    job.refresh_from_db()
    assert (job.created_count, job.bad_count, job.categories_created) == (3, 1, 3)
    bride = Category.objects.get(name="彩礼纠纷")
    assert bride.parent.code == "family"
    rider = Category.objects.get(name="外卖骑手")
    assert rider.parent.name == "新业态" and rider.parent.parent is None
    assert Case.objects.filter(category=rider).count() == 2
    assert response.status_code == 302


def test_a_source_id_twice_in_one_file_is_a_bad_row_naming_the_first(web, media):
    rows = [canonical(1), canonical(2), canonical(3, source_id="LEGACY-000001")]
    client = web("clerk")
    job = import_now(client, post(client, csv_bytes(rows), "a.csv"))
    assert job.created_count == 2
    assert job.problems.get().reasons == "source_id：与第2行重复"


def test_the_source_names_which_rows_are_the_same(web, media):
    rows = [canonical(1)]
    client = web("clerk")
    import_now(client, post(client, csv_bytes(rows), "a.csv"))
    again = import_now(client, post(client, csv_bytes(rows), "a.csv", source="legacy-2"))
    assert again.created_count == 1  # another system's LEGACY-000001 is another case
    response = post(client, csv_bytes(rows), "a.csv", source="bad source!")
    assert response.status_code == 422
    assert "来源系统应为1至32个字母、数字、下划线、点或连字符" in response.content.decode()
    assert ImportJob.objects.count() == 2


@pytest.mark.parametrize("username", ["baiguan", "leader", "grid", "mediator", "hrss"])
def test_only_the_centers_desk_may_import(web, username):
    client = web(username)
    assert client.get("/imports/").status_code == 404
    assert client.post("/imports/", {"file": upload(b"a,b", "a.csv")}).status_code == 404
    assert client.get("/imports/template.xlsx").status_code == 404


def test_each_sees_their_own_imports_and_the_admin_all(web, media):
    clerk = web("clerk")
    post(clerk, csv_bytes([canonical(1)]), "a.csv")
    job = ImportJob.objects.get()
    assert web("dispatcher").get(f"/imports/{job.pk}/").status_code == 404
    assert web("dispatcher").get(f"/imports/{job.pk}/errors.csv").status_code == 404
    assert web("admin").get(f"/imports/{job.pk}/").status_code == 200
    assert "a.csv" in clerk.get("/imports/").content.decode()
    assert "a.csv" not in web("dispatcher").get("/imports/").content.decode()


def test_the_templates_are_the_canonical_format(web):
    client = web("clerk")
    body = client.get("/imports/template.csv").content.decode("utf-8-sig")
    assert body.splitlines()[0] == ",".join([*CANONICAL, "reply"])
    assert client.get("/imports/template.xlsx").status_code == 200
    assert client.get("/imports/template.pdf").status_code == 404


def test_the_command_prints_a_summary_and_writes_the_error_report(tmp_path, county):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes([canonical(1), canonical(2, received_at="昨天")]))
    report = tmp_path / "errors.csv"
    out = StringIO()
    call_command(
        "import_cases", str(path), "--source", "legacy", "--report", str(report), stdout=out
    )
    text = out.getvalue()
    assert "line 3: received_at：无法识别的日期「昨天」" in text
    assert "(profile canonical, source legacy): 1 created, 0 already imported, 1 bad rows" in text
    assert Case.objects.get().registered_by is None  # the system imported it
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("行号,错误原因,source_id") and lines[1].startswith("3,")


def test_the_command_registers_a_systems_rows_as_that_system(tmp_path, county):
    from concord.integrations.keys import register_system

    system, _key = register_system("12345", "12345热线", "hotline_12345", ["cases:create"])
    path = tmp_path / "orders.csv"
    row = ["ZJ-1", "2025-06-03 08:15", "13957500001", "百官街道", "噪音扰民。", "办理中"]
    header = ["工单编号", "来电时间", "来电号码", "所属区域", "诉求内容", "办理状态"]
    path.write_bytes(csv_bytes([row], header=header, encoding="gbk"))
    call_command("import_cases", str(path), stdout=StringIO())
    case = Case.objects.get()
    assert (case.source, case.registered_by) == ("12345", system.account)
    assert case.registered_org == system.account.organisation
    assert case.events.get().actor == system.account
