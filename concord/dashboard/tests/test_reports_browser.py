"""统计报表 in a real browser: the dispatcher is told why "2026-13" is no month, generates last
month's county report, sees it listed, and downloads the Excel and the Word files."""

import io

import pytest
from django.utils import timezone
from docx import Document as Word
from openpyxl import load_workbook
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.dashboard.report_periods import recent
from concord.demo.cases import seed_cases

pytestmark = pytest.mark.browser


def test_dispatcher_generates_and_downloads_last_months_report(page, media):
    seed_cases(600, seed=5)
    last_month = recent(timezone.localdate())[1]
    title = f"上虞区社会矛盾纠纷调处化解工作月报（{last_month.label}）"

    login_as(page, "dispatcher")
    page.goto("/dashboard/reports/")
    expect(page.locator("#report-list")).to_contain_text("还没有报表")
    expect(page.locator("#id_period")).to_have_value(last_month.code)
    shot(page, "reports-01-form")

    form = page.locator("#report-form")
    form.locator("#id_period").fill("2026-13")
    form.get_by_role("button", name="生成报表").click()
    expect(form.locator(".errorlist")).to_contain_text("月份应为 01 至 12")
    shot(page, "reports-02-bad-period")

    form.locator("#id_kind").select_option("month")
    form.locator("#id_period").fill(last_month.code)
    form.get_by_role("button", name="生成报表").click()
    expect(page.locator(".message.success")).to_contain_text(title)
    row = page.locator("#report-list tr[data-report]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "ready")
    expect(row.locator(".badge")).to_have_text("已生成")
    shot(page, "reports-03-generated")

    with page.expect_download() as xlsx:
        row.locator("a[data-file=xlsx]").click()
    assert xlsx.value.suggested_filename == f"上虞区月报-{last_month.code}.xlsx"
    book = load_workbook(io.BytesIO(xlsx.value.path().read_bytes()))
    assert book.sheetnames[:5] == ["总体", "乡镇（街道）", "部门", "分类", "渠道"]
    assert book["总体"]["A1"].value == title

    with page.expect_download() as docx:
        row.locator("a[data-file=docx]").click()
    word = Word(str(docx.value.path()))
    assert word.paragraphs[0].text == title
    assert len(word.inline_shapes) >= 2
