"""Batch referrals from a court's file: CSV in UTF-8 or GBK and XLSX, every row checked with
its line number before anything is written, all or nothing, and the same 案号 never twice.
Hostile files (renamed pictures, zip bombs, oversize, formulas) are refused with a reason."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook

from concord.cases.choices import Channel
from concord.cases.models import Case, Party
from concord.courts.batches import run_import
from concord.courts.imports import COLUMNS, ROWS_MAX
from concord.courts.models import CourtReferral, CourtReferralType, ReferralBatch

from .conftest import DEFENDANT_ID, PLAINTIFF_ID, number

HEADER = [
    *("案号", "案由", "原告", "原告电话", "原告身份证号"),
    *("被告", "被告电话", "案情摘要", "发生地"),
]


def row(serial: int, **changes) -> list[str]:
    values = {
        "案号": number(serial),
        "案由": "物业服务合同纠纷",
        "原告": "上虞某物业服务有限公司",
        "原告电话": "0575-82123456",
        "原告身份证号": "",
        "被告": f"业主{serial}",
        "被告电话": "13857510001",
        "案情摘要": f"被告拖欠物业费，第{serial}号。",
        "发生地": "百官街道",
        **changes,
    }
    return [values[h] for h in HEADER]


def csv_file(rows, encoding="utf-8", name="referrals.csv", header=HEADER) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), "text/csv")


def xlsx_file(rows, formulas=(), name="referrals.xlsx") -> SimpleUploadedFile:
    """`formulas`: (row index, header) cells written as live formulas; every other text,
    even one starting with =, is written as a string cell."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if (r - 2, HEADER[c - 1]) in formulas:
                cell.value = '=CONCATENATE("王","五")'
            elif isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/octet-stream")


def upload(client, file):
    return client.post("/courts/import/", {"file": file})


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """confirm(client, preview response) → the batch page after the queued import ran."""

    def run(client, response):
        batch = response.context["batch"]
        assert batch is not None, response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/courts/import/{batch.pk}/confirm")
        assert response.status_code == 302
        return client.get(response.url)

    return run


def nothing_written():
    assert not CourtReferral.objects.exists()
    assert not Case.objects.filter(channel=Channel.COURT_REFERRAL).exists()
    assert not ReferralBatch.objects.exists()


def test_a_utf8_csv_is_previewed_then_imported_and_reimporting_adds_nothing(types, web, confirm):
    client = web("court")
    response = upload(client, csv_file([row(1), row(2), row(3, 原告身份证号=PLAINTIFF_ID)]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "全部行检查通过：新增 3 件，跳过 0 件" in page
    assert not CourtReferral.objects.exists()  # nothing before the confirmation
    # The kept rows hold ID numbers: encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT rows FROM courts_referralbatch")
        (stored,) = cursor.fetchone()
    assert PLAINTIFF_ID not in stored and "业主1" not in stored
    done = confirm(client, response)
    assert "已导入3件委派调解，跳过0件" in done.content.decode()
    assert ReferralBatch.objects.get().status == "imported"
    referrals = CourtReferral.objects.order_by("court_case_number")
    assert [r.court_case_number for r in referrals] == [number(1), number(2), number(3)]
    assert {r.batch_id for r in referrals} == {response.context["batch"].pk}
    assert all(r.case.lead_org.code == "property-mediation" for r in referrals)
    assert Party.objects.get(id_number_hash__gt="", case__court_referral__isnull=False)

    again = upload(client, csv_file([row(1), row(2), row(3)]))
    assert again.status_code == 200
    assert "均已委派，无需导入" in again.content.decode()
    assert again.context["batch"] is None
    mixed = upload(client, csv_file([row(1), row(4)]))
    assert "新增 1 件，跳过 1 件" in mixed.content.decode()
    confirm(client, mixed)
    assert CourtReferral.objects.count() == 4
    assert Case.objects.filter(channel=Channel.COURT_REFERRAL).count() == 4


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_gbk_csv_from_excel_reads_in_chinese(types, web, encoding, confirm):
    client = web("court")
    response = upload(client, csv_file([row(5, 案由="民间借贷纠纷")], encoding=encoding))
    assert response.status_code == 200, response.content.decode()
    confirm(client, response)
    referral = CourtReferral.objects.get()
    assert referral.type.name == "民间借贷纠纷"
    assert referral.case.parties.get(role="respondent").name == "业主5"


def test_an_xlsx_with_a_bad_row_names_its_line_and_writes_nothing(types, web):
    rows = [row(1), row(2, 被告电话="12345"), row(3)]
    response = upload(web("court"), xlsx_file(rows))
    assert response.status_code == 422
    preview = response.context["preview"]
    assert [(r.line, r.errors) for r in preview.bad] == [
        (3, ["被告电话：电话号码应为11位手机号或带区号的固定电话"])
    ]
    page = response.content.decode()
    assert "有 1 行不符合要求，整个文件未导入" in page and 'data-line="3"' in page
    assert "确认导入" not in page
    nothing_written()


def test_a_good_xlsx_imports(types, web, confirm):
    client = web("court")
    response = upload(client, xlsx_file([row(1, 被告身份证号=DEFENDANT_ID), row(2)]))
    assert response.status_code == 200
    confirm(client, response)
    assert CourtReferral.objects.count() == 2


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ([row(1), row(2, 案由="占卜纠纷")], 3, "案由：未知的案由「占卜纠纷」"),
        ([row(1), row(1, 被告="另一人")], 3, "案号与第2行重复"),
        ([row(1, 原告="", 原告电话="")], 2, "原告：请填写原告"),
        ([row(1, 被告="", 被告电话="")], 2, "被告：请填写被告"),
        ([row(1, 案号="2026民1号")], 2, "案号：案号格式不正确"),
        ([row(1, 原告身份证号="330682199001011234")], 2, "原告身份证号：身份证号校验位错误"),
        ([row(1, 发生地="火星")], 2, "发生地：发生地「火星」不在本县（区）范围内"),
        ([row(1, 案情摘要="")], 2, "案情摘要：请填写案情摘要"),
    ],
)
def test_every_bad_row_is_named_with_its_reason(types, web, rows, line, reason):
    response = upload(web("court"), csv_file(rows))
    assert response.status_code == 422
    bad = response.context["preview"].bad
    assert [r.line for r in bad] == [line]
    assert any(reason in error for error in bad[0].errors), bad[0].errors
    nothing_written()


def test_text_that_looks_like_a_formula_is_kept_as_text(types, web, confirm):
    client = web("court")
    text = '=HYPERLINK("http://evil.example","点我")+1'
    rows = [row(1, 案情摘要=text), row(2, 被告="@SUM(1+1)", 案情摘要="-2+3 拖欠物业费")]
    for file in (csv_file(rows), xlsx_file([row(3, 案情摘要=text)])):
        response = upload(client, file)
        assert response.status_code == 200, response.content.decode()
        confirm(client, response)
    assert Case.objects.get(court_referral__court_case_number=number(1)).description == text
    assert Case.objects.get(court_referral__court_case_number=number(3)).description == text
    second = Case.objects.get(court_referral__court_case_number=number(2))
    assert second.parties.get(role="respondent").name == "@SUM(1+1)"
    assert second.description == "-2+3 拖欠物业费"


def test_a_live_excel_formula_is_refused(types, web):
    response = upload(web("court"), xlsx_file([row(1)], formulas={(0, "原告")}))
    assert response.status_code == 422
    errors = response.context["preview"].bad[0].errors
    assert "「原告」是公式，请将公式转换为数值后再导入" in errors
    nothing_written()


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"0" * (1024 * 1024)
            for _ in range(40):  # 40 MB of zeros, about 40 KB packed
                sheet.write(chunk)
    return buffer.getvalue()


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.xlsx", _png(), "上传的是PNG 图片，不是 Excel（.xlsx）或 CSV 文件"),
        ("photo.csv", b"\xff\xd8\xff\xe0" + bytes(100), "上传的是JPEG 图片"),
        ("bomb.xlsx", _zip_bomb(), "解压后过大（疑似压缩炸弹）"),
        ("archive.xlsx", _plain_zip(), "压缩包不是 Excel 工作簿"),
        ("broken.xlsx", b"PK\x03\x04" + bytes(300), "Excel 文件已损坏"),
        ("notes.xlsx", "案号,案由\n".encode(), "内容不是 Excel 工作簿"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "旧版 Excel（.xls）"),
        ("big.csv", b"a," * (3 * 1024 * 1024), "文件不能超过5 MB（现为6.0 MB）"),
        ("binary.csv", "案号\x00案由".encode(), "不是 CSV 文本文件"),
        ("latin.csv", b"\x81\x30\x81", "无法识别文件编码"),
        ("empty.csv", b"  \n", "文件是空的"),
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_reason(types, web, name, content, message):
    response = upload(web("court"), SimpleUploadedFile(name, content))
    assert response.status_code == 422
    assert message in response.content.decode()
    nothing_written()


def test_missing_columns_header_only_and_too_many_rows_are_refused(types, web):
    client = web("court")
    missing = upload(client, csv_file([["x"]], header=["案号"]))
    assert "缺少必填列：案由、原告、被告、案情摘要" in missing.content.decode()
    only_header = upload(client, csv_file([]))
    assert "文件只有表头，没有数据行" in only_header.content.decode()
    many = upload(client, csv_file([row(1)] * (ROWS_MAX + 1)))
    assert many.status_code == 422 and "一次最多导入2000行" in many.content.decode()
    nothing = client.post("/courts/import/", {})
    assert "请选择要上传的 CSV 或 Excel（.xlsx）文件" in nothing.content.decode()
    nothing_written()


def test_a_row_gone_bad_between_preview_and_confirm_writes_nothing(types, web, confirm):
    client = web("court")
    response = upload(client, csv_file([row(1), row(2, 案由="民间借贷纠纷")]))
    CourtReferralType.objects.filter(code="private-loan").update(active=False)
    done = confirm(client, response)
    page = done.content.decode()
    assert "未导入任何数据" in page and "第3行" in page and "未知的案由" in page
    assert not CourtReferral.objects.exists()
    assert not Case.objects.filter(channel=Channel.COURT_REFERRAL).exists()
    batch = ReferralBatch.objects.get()
    assert batch.status == "failed" and batch.imported_at is None


def test_a_batch_is_confirmed_once_and_only_by_its_uploader(types, web, confirm):
    client = web("court")
    response = upload(client, csv_file([row(1)]))
    batch = response.context["batch"]
    assert web("dispatcher").post(f"/courts/import/{batch.pk}/confirm").status_code == 404
    assert web("hrss").post(f"/courts/import/{batch.pk}/confirm").status_code == 404
    confirm(client, response)
    again = client.post(f"/courts/import/{batch.pk}/confirm", follow=True)
    assert "该文件已导入或正在导入" in again.content.decode()
    assert web("dispatcher").get(f"/courts/import/{batch.pk}/").status_code == 404
    assert CourtReferral.objects.count() == 1


def test_a_dispatcher_uploads_for_a_chosen_court(types, web, persona, confirm):
    client = web("dispatcher")
    response = client.post("/courts/import/", {"file": csv_file([row(1)])})
    assert response.status_code == 422 and "请选择委派法院" in response.content.decode()
    court = persona("court").organisation
    response = client.post("/courts/import/", {"file": csv_file([row(1)]), "court": court.pk})
    assert response.status_code == 200
    confirm(client, response)
    assert CourtReferral.objects.get().court == court


def test_the_templates_carry_the_documented_columns(types, web):
    client = web("court")
    page = client.get("/courts/import/").content.decode()
    assert all(c.header in page for c in COLUMNS)
    xlsx = client.get("/courts/import/template.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert [c.value for c in book.worksheets[0][1]] == [c.header for c in COLUMNS]
    assert book.worksheets[1]["A1"].value == "列名"
    text = client.get("/courts/import/template.csv").content.decode("utf-8-sig")
    assert text.strip() == ",".join(c.header for c in COLUMNS)
    assert client.get("/courts/import/template.exe").status_code == 404
    assert web("hrss").get("/courts/import/").status_code == 404


def test_the_batch_page_polls_while_the_import_runs(types, web):
    client = web("court")
    response = upload(client, csv_file([row(1)]))
    batch = response.context["batch"]
    client.post(f"/courts/import/{batch.pk}/confirm")  # queued: runs after the commit
    running = client.get(f"/courts/import/{batch.pk}/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in running.content.decode()
    assert "正在导入 1 件委派调解" in running.content.decode()
    assert not CourtReferral.objects.exists()
    run_import(batch.pk)
    done = client.get(f"/courts/import/{batch.pk}/", headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.content.decode() and "已导入1件" in done.content.decode()
    run_import(batch.pk)  # a job delivered twice imports once
    assert CourtReferral.objects.count() == 1


def test_formatted_blank_rows_are_skipped_and_lines_stay_true(types, web):
    file = xlsx_file([row(1)])
    book = load_workbook(io.BytesIO(file.read()))
    sheet = book.active
    for line in range(3, 2600):  # an empty but formatted stretch, as Excel leaves behind
        sheet.cell(row=line, column=1).number_format = "@"
    for c, value in enumerate(row(2, 被告电话="12345"), start=1):
        sheet.cell(row=2600, column=c, value=value).data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(web("court"), SimpleUploadedFile("padded.xlsx", buffer.getvalue()))
    assert response.status_code == 422
    assert [r.line for r in response.context["preview"].rows] == [2, 2600]
    assert [r.line for r in response.context["preview"].bad] == [2600]
