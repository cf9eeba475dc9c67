"""Import in a real browser: the clerk uploads a 20,000-row workbook, checks the preview (a bad
row shown with its reason), confirms, watches the progress bar while it runs in the
background, reads the outcome and downloads the error report."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.models import Case
from concord.imports.models import ImportJob

from .conftest import canonical, xlsx_bytes

pytestmark = pytest.mark.browser
ROWS = 20_000
BAD = {3: {"applicant_phone": "12345"}, 7_001: {"received_at": "2025-02-30"}}


def test_a_clerk_imports_a_workbook_and_downloads_the_error_report(page, tmp_path, media):
    rows = [canonical(i, **BAD.get(i, {})) for i in range(ROWS)]
    path = tmp_path / "历史事项.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    login_as(page, "clerk")
    page.goto("/imports/")
    # A file over 50 MB is refused before the browser sends it.
    big = tmp_path / "big.csv"
    big.write_bytes(b"description\n" + b"x" * (51 * 1024 * 1024))
    page.locator("#id_file").set_input_files(str(big))
    page.locator("#upload-button").click()
    expect(page.locator("#upload-refused")).to_have_text("文件不能超过50 MB，请分成几个文件导入")
    shot(page, "imports-00-too-large")
    assert not ImportJob.objects.exists()

    page.locator("#id_file").set_input_files(str(path))
    shot(page, "imports-01-upload")
    page.locator("#upload-button").click()

    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("标准格式（SPEC §11）")
    expect(preview).to_contain_text("文件约 20000 行")
    expect(preview.locator('tr[data-line="5"]')).to_contain_text("有误")
    reasons = preview.locator('tr[data-reasons="5"]')
    expect(reasons).to_contain_text("applicant_phone：电话号码应为11位手机号或带区号的固定电话")
    expect(preview.locator('tr[data-line="2"]')).to_contain_text("通过")
    expect(page.locator("#job-status")).to_have_text("待确认")
    shot(page, "imports-02-preview")
    assert not Case.objects.exists()

    page.locator("#start-import").click()
    expect(page.locator("#job-bar")).to_be_visible()
    # Polled every second: rows counted as they are checked, then the one write.
    expect(page.locator("#job-progress")).to_contain_text(
        re.compile(r"正在逐行检查：[1-9]\d* / 20000|正在写入"), timeout=30_000
    )
    shot(page, "imports-03-progress")

    expect(page.locator("#job-done")).to_contain_text(
        "导入完成：新增 19998 件，0 件已导入过未重复登记，2 行有误未导入", timeout=120_000
    )
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.locator('#job-problems tr[data-line="7003"]')).to_contain_text(
        "无法识别的日期「2025-02-30」"
    )
    shot(page, "imports-04-done")
    assert Case.objects.filter(source="import").count() == ROWS - 2

    with page.expect_download() as download:
        page.locator("#report-xlsx").click()
    report = tmp_path / "errors.xlsx"
    download.value.save_as(report)
    sheet = load_workbook(report, read_only=True).worksheets[0]
    lines = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert lines == [5, 7003]

    page.goto("/imports/")
    expect(page.locator("#import-jobs")).to_contain_text("历史事项.xlsx")
    shot(page, "imports-05-list")
