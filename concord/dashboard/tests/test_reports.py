"""统计报表: periods as typed, what the XLSX and the DOCX hold (ranks, 样本不足, charts), the
page's generation and downloads within one's territory, and the schedule that makes each
county report once."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from docx import Document as Word
from openpyxl import load_workbook

from concord.accounts.models import Role, User
from concord.audit.models import AuditAction, AuditEntry
from concord.cases.models import Case
from concord.core.errors import InvalidInput
from concord.dashboard import reports
from concord.dashboard.choices import PeriodKind, ReportStatus
from concord.dashboard.models import Report
from concord.dashboard.report_periods import due_periods, parse_period
from concord.demo.cases import seed_cases
from concord.demo.county import load_reference_data
from concord.geo.models import Division
from concord.orgs.models import Organisation

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
COUNTY, BAIGUAN = "330604000000", "330604001000"
URL = "/dashboard/reports/"
SHEETS = ["总体", "乡镇（街道）", "部门", "分类", "渠道", "月度趋势"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """A year of demo cases up to NOW, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()
        seed_cases(1500, seed=11, now=NOW)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ask(seeded, frozen, media, web, django_capture_on_commit_callbacks):
    """ask("dispatcher", period="2026-10") → the page's answer; the queued job runs as it
    would after the request's commit."""

    def post(who: str, **data):
        data.setdefault("kind", "")
        with django_capture_on_commit_callbacks(execute=True):
            return web(who).post(URL, data)

    return post


@pytest.fixture
def town_leader(county):
    baiguan = Organisation.objects.get(code="town-330604001")
    return User.objects.create_user(
        "baiguan-leader", organisation=baiguan, role=Role.LEADER, full_name="何建国"
    )


def received_in(first: dt.date, last: dt.date, **filters) -> int:
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SH)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SH)
    cases = Case.objects.filter(received_at__gte=start, received_at__lt=end, merged_into=None)
    return cases.filter(**filters).count()


def download(client, report: Report, kind: str):
    response = client.get(reverse("dashboard:report_file", args=[report.pk, kind]))
    assert response.status_code == 200, response
    return b"".join(response.streaming_content), response


def rows_of(sheet) -> list[tuple]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def table_after_header(rows: list[tuple], first: str) -> list[tuple]:
    """The rows under the header row that starts with `first`, up to the first empty one."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first) + 1
    body = []
    for row in rows[start:]:
        if not any(cell is not None for cell in row):
            break
        body.append(row)
    return body


# ---------------------------------------------------------------- periods


def test_a_month_and_a_quarter_are_read_as_typed():
    today = dt.date(2026, 11, 20)
    month = parse_period("month", "2026-10", today=today)
    assert (month.first, month.last, month.code, month.label) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        "2026-10",
        "2026年10月",
    )
    quarter = parse_period("", "2026-q3", today=today)
    assert quarter.kind == PeriodKind.QUARTER
    assert (quarter.first, quarter.last, quarter.code) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        "2026-Q3",
    )
    assert quarter.label == "2026年第三季度"
    current = parse_period("month", "2026-11", today=today).counted(today)
    assert (current.first, current.last) == (dt.date(2026, 11, 1), today)


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("month", "2026-13", "月份应为 01 至 12"),
        ("quarter", "2026-Q5", "季度应为 Q1 至 Q4"),
        ("month", "2026-Q3", "月报的期间应为“年-月”"),
        ("quarter", "2026-09", "季报的期间应为“年-Q季度”"),
        ("", "2026-12", "2026年12月尚未开始，不能生成报表"),
        ("", "2027-Q1", "2027年第一季度尚未开始"),
        ("", "1999-12", "年份应在 2000 至 2100 之间"),
        ("", " ", "请填写报表期间"),
        ("weekly", "2026-10", "报表类型应为月报或季报"),
    ],
)
def test_a_bad_period_is_refused_with_its_reason(kind, text, message):
    with pytest.raises(InvalidInput) as refused:
        parse_period(kind, text, today=dt.date(2026, 11, 20))
    assert message in " ".join(refused.value.errors.values())


def test_the_schedule_reports_the_last_month_and_quarter_that_are_over():
    codes = lambda day: [p.code for p in due_periods(day)]  # noqa: E731
    assert codes(dt.date(2026, 10, 31)) == ["2026-09", "2026-Q3"]
    assert codes(dt.date(2026, 11, 1)) == ["2026-10", "2026-Q3"]
    assert codes(dt.date(2027, 1, 1)) == ["2026-12", "2026-Q4"]


# ---------------------------------------------------------------- the county's month report


def test_the_dispatcher_generates_the_county_month_report_and_downloads_both_files(
    ask, web, persona
):
    response = ask("dispatcher", kind="month", period="2026-10", division=COUNTY)
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == ReportStatus.READY, report.error
    assert report.generated_by == persona("dispatcher")
    assert (report.period_start, report.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))

    client = web("dispatcher")
    page = client.get(URL).content.decode()
    assert "上虞区社会矛盾纠纷调处化解工作月报（2026年10月）" in page
    assert reverse("dashboard:report_file", args=[report.pk, "docx"]) in page

    body, response = download(client, report, "xlsx")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == SHEETS
    october = received_in(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert october > 50
    overall = table_after_header(rows_of(book["总体"]), "指标")
    assert overall[0][:4] == ("受理量（件）", october, october, october)
    assert len(overall) == 13

    towns = table_after_header(rows_of(book["乡镇（街道）"]), "排名")
    assert len(towns) == Division.objects.filter(parent_id=COUNTY).count()
    ranked = [row for row in towns if row[0] is not None]
    assert ranked and ranked[0][0] == 1
    assert [row[0] for row in ranked] == list(range(1, len(ranked) + 1))
    assert [row[2] for row in ranked] == sorted((row[2] for row in ranked), reverse=True)
    assert sum(row[3] for row in towns) == october - received_in(
        dt.date(2026, 10, 1), dt.date(2026, 10, 31), town=None
    )
    assert "综合得分：按考核方案" in book["乡镇（街道）"]["A2"].value
    # A town with fewer than 10 cases is not ranked, and its 化解率 says why.
    small = next(row for row in towns if 0 < row[3] < 10)
    assert small[0] is None and small[2] is None
    assert small[4].startswith("样本不足（")
    categories = table_after_header(rows_of(book["分类"]), "类别")
    assert categories[-1][:2] == ("合计", october)

    body, _response = download(client, report, "docx")
    word = Word(io.BytesIO(body))
    texts = [p.text for p in word.paragraphs if p.text.strip()]
    assert texts[0] == "上虞区社会矛盾纠纷调处化解工作月报（2026年10月）"
    for heading in ("一、总体情况", "二、各乡镇（街道）排名", "三、各部门排名", "四、说明"):
        assert heading in texts
    assert f"2026年10月，上虞区共受理矛盾纠纷{october}件" in " ".join(texts)
    first_town = ranked[0][1]
    assert f"综合得分居前的是{first_town}（" in " ".join(texts)
    town_table = word.tables[1]
    assert [c.text for c in town_table.rows[1].cells[:2]] == ["1", first_town]
    images = [shape for shape in word.inline_shapes]
    assert len(images) == 3  # the trend, categories and towns
    parts = word.part.related_parts.values()
    assert sum(1 for part in parts if part.blob.startswith(PNG)) == 3

    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT, object_id=str(report.pk))
    assert sorted(e.detail["file"] for e in exports) == ["docx", "xlsx"]


def test_a_quarter_report_counts_the_quarter_against_the_same_quarter_last_year(ask, web):
    ask("leader", kind="quarter", period="2026-Q3")
    report = Report.objects.get()
    assert report.title == "上虞区社会矛盾纠纷调处化解工作季报（2026年第三季度）"
    body, _response = download(web("leader"), report, "xlsx")
    overall = table_after_header(rows_of(load_workbook(io.BytesIO(body))["总体"]), "指标")
    volume = received_in(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    # No case before the demo year: last year's column is empty, every rate 样本不足.
    assert overall[0][1] == volume and overall[0][4] == 0 and overall[0][5] == volume
    assert overall[1][4] == "样本不足（0件）"


def test_the_current_month_is_counted_up_to_today(ask, web):
    ask("dispatcher", kind="month", period="2026-11")
    report = Report.objects.get()
    assert report.period_end == NOW.date() and report.partial
    _body, response = download(web("dispatcher"), report, "docx")
    assert "%E6%88%AA%E8%87%B31120" in response["Content-Disposition"]  # 截至1120


def test_a_period_without_cases_still_makes_a_report(ask, web):
    ask("dispatcher", kind="month", period="2024-03")
    report = Report.objects.get()
    assert report.status == ReportStatus.READY, report.error
    body, _response = download(web("dispatcher"), report, "docx")
    word = Word(io.BytesIO(body))
    assert "上虞区共受理矛盾纠纷0件，上年同期无受理。" in " ".join(p.text for p in word.paragraphs)
    assert len(word.inline_shapes) == 1  # only the trend: no category or town has a case


def test_names_are_written_as_text_never_as_formulas(ask, web):
    Division.objects.filter(code=BAIGUAN).update(name='=HYPERLINK("http://x","百官")')
    ask("dispatcher", kind="quarter", period="2026-Q3")
    body, _response = download(web("dispatcher"), Report.objects.get(), "xlsx")
    names = [row[1] for row in rows_of(load_workbook(io.BytesIO(body))["乡镇（街道）"])]
    assert '\'=HYPERLINK("http://x","百官")' in names


# ---------------------------------------------------------------- bad input on the page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "month", "period": "2026-13"}, "月份应为 01 至 12"),
        ({"kind": "quarter", "period": "2026-Q5"}, "季度应为 Q1 至 Q4"),
        ({"kind": "month", "period": "2027-01"}, "2027年1月尚未开始，不能生成报表"),
        ({"kind": "month", "period": "2026-10", "division": "33060400"}, "区划代码应为12位数字"),
    ],
)
def test_bad_input_comes_back_with_its_reason_and_makes_nothing(ask, data, message):
    response = ask("dispatcher", **data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Report.objects.exists()


def test_a_town_leader_gets_their_town_report_and_nothing_else(ask, web, town_leader):
    ask("dispatcher", kind="month", period="2026-10")  # the county's
    county_report = Report.objects.get()
    client = web("baiguan-leader")

    page = client.get(URL).content.decode()
    assert 'value="330604001000"' in page and 'value="330604000000"' not in page
    assert county_report.title not in page

    refused = ask("baiguan-leader", kind="month", period="2026-10", division=COUNTY)
    assert refused.status_code == 403
    assert "无权查看该区划的数据" in refused.content.decode()

    ask("baiguan-leader", kind="month", period="2026-10")
    report = Report.objects.exclude(pk=county_report.pk).get()
    assert report.division_id == BAIGUAN
    assert report.title == "百官街道社会矛盾纠纷调处化解工作月报（2026年10月）"
    body, _response = download(client, report, "xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames[1] == "村（社区）"
    overall = table_after_header(rows_of(book["总体"]), "指标")
    assert overall[0][1] == received_in(
        dt.date(2026, 10, 1), dt.date(2026, 10, 31), town_id=BAIGUAN
    )
    url = reverse("dashboard:report_file", args=[county_report.pk, "xlsx"])
    assert client.get(url).status_code == 404


def test_staff_outside_supervision_have_no_reports_page(seeded, web):
    assert web("clerk").get(URL).status_code == 404
    assert web("baiguan").get(URL).status_code == 404


def test_a_report_being_made_is_polled_until_it_is_ready(seeded, frozen, web, persona):
    Report.objects.create(
        division_id=COUNTY,
        period_kind=PeriodKind.MONTH,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        generated_by=persona("dispatcher"),
    )
    page = web("dispatcher").get(URL).content.decode()
    assert 'hx-trigger="every 2s"' in page and "排队中" in page
    fragment = web("dispatcher").get(URL, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section class="card" id="reports"')
    assert "<html" not in fragment


def test_asking_twice_while_it_is_made_queues_one_report(seeded, frozen, persona):
    first = reports.request_report(
        actor=persona("dispatcher"), division=None, kind="month", period="2026-10"
    )
    again = reports.request_report(
        actor=persona("dispatcher"), division=None, kind="month", period="2026-10"
    )
    assert again.pk == first.pk and Report.objects.count() == 1


# ---------------------------------------------------------------- the schedule


def test_the_county_month_report_is_made_once_on_the_first_of_the_next_month(db, seeded, media):
    with time_machine.travel(dt.datetime(2026, 10, 31, 23, 0, tzinfo=SH), tick=False):
        made = reports.generate_due_reports()
    assert [r.period.code for r in made] == ["2026-09", "2026-Q3"]

    with time_machine.travel(dt.datetime(2026, 11, 1, 0, 30, tzinfo=SH), tick=False):
        made = reports.generate_due_reports()
    assert [r.period.code for r in made] == ["2026-10"]
    october = made[0]
    assert october.status == ReportStatus.READY and october.generated_by is None
    assert october.division_id == COUNTY

    with time_machine.travel(dt.datetime(2026, 11, 1, 1, 30, tzinfo=SH), tick=False):
        assert reports.generate_due_reports() == []
    with time_machine.travel(dt.datetime(2026, 11, 15, 9, 0, tzinfo=SH), tick=False):
        assert reports.generate_due_reports() == []
    assert Report.objects.count() == 3


def test_a_scheduled_report_that_failed_is_tried_again(db, seeded, media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(reports, "build", broken)
    with time_machine.travel(dt.datetime(2026, 11, 1, 0, 30, tzinfo=SH), tick=False):
        reports.generate_due_reports()
    failed = Report.objects.get(period_kind=PeriodKind.MONTH)
    assert failed.status == ReportStatus.FAILED
    assert failed.error == "生成报表时出错，请稍后重新生成"

    monkeypatch.undo()
    with time_machine.travel(dt.datetime(2026, 11, 1, 1, 30, tzinfo=SH), tick=False):
        made = reports.generate_due_reports()
    assert {r.pk for r in made} >= {failed.pk}
    failed.refresh_from_db()
    assert failed.status == ReportStatus.READY and failed.error == ""


def test_a_report_whose_process_died_can_be_asked_for_again(seeded, media, persona):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False):
        stuck = Report.objects.create(
            division_id=COUNTY,
            period_kind=PeriodKind.MONTH,
            period_start=dt.date(2026, 9, 1),
            period_end=dt.date(2026, 9, 30),
            status=ReportStatus.RUNNING,
            generated_by=persona("dispatcher"),
        )
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 20, tzinfo=SH), tick=False):
        assert reports.fail_abandoned() == 0
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=SH), tick=False):
        assert reports.fail_abandoned() == 1
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED and stuck.error == "生成中断，请重新生成"


def test_the_database_keeps_one_scheduled_report_per_period(db, seeded):
    fields = {
        "division_id": COUNTY,
        "period_kind": PeriodKind.MONTH,
        "period_start": dt.date(2026, 10, 1),
        "period_end": dt.date(2026, 10, 31),
    }
    Report.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**fields)
