"""Court referral in a real browser: the court refers a 物业 dispute, the dispatcher mediates it
(mediator, a booked session with its record, 调解不成), and the court finds it back marked
优先立案 and downloads the mediation record; a batch file with a bad row is refused by line."""

import pytest
import time_machine
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.core.testing import pdf_text
from concord.courts.models import CourtReferral
from concord.mediation.defaults import load_defaults as load_mediation_defaults
from concord.mediation.tests.conftest import at

from .conftest import number

pytestmark = pytest.mark.browser
RECORD = "原告称电梯停运半年；被告同意检修但不同意减免物业费，双方分歧较大。"


def local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_failed_court_referral_goes_back_for_priority_filing(types, page, tmp_path):
    load_mediation_defaults()
    login_as(page, "court")
    page.goto("/courts/")
    page.locator("#new-referral").click()
    form = page.locator("#referral-form")
    form.get_by_label("案号").fill(number(88))
    form.get_by_label("案由").select_option(label="物业服务合同纠纷")
    form.get_by_label("原告", exact=True).fill("上虞某物业服务有限公司")
    form.get_by_label("原告电话").fill("0575-82123456")
    form.get_by_label("被告", exact=True).fill("王建国")
    form.get_by_label("被告电话").fill("13857510001")
    form.get_by_label("案情摘要").fill("原告主张被告拖欠物业费2年共计3600元，被告称电梯长期停运。")
    form.get_by_label("发生地").select_option(label="百官街道")
    shot(page, "courts-01-refer")
    form.get_by_role("button", name="提交委派").click()
    expect(page.locator(".message.success")).to_contain_text(f"已委派调解：案号{number(88)}")
    card = page.locator("#court-referral")
    expect(card.locator("#referral-status")).to_have_text("调解中")
    expect(card).to_contain_text("剩余 30 天")
    expect(page.locator("dl.facts").first).to_contain_text("上虞区物业纠纷人民调解委员会")
    case_url = page.url
    card.scroll_into_view_if_needed()
    shot(page, "courts-02-referred")

    # The dispatcher mediates: a property mediator, a booked room, then 调解不成.
    login_as(page, "dispatcher")
    page.goto(case_url)
    mediation = page.locator("#mediation")
    first = mediation.locator("#mediator-suggestions li").first
    expect(first).to_contain_text("物业")
    first.locator("input[type=checkbox]").check()
    mediation.get_by_role("button", name="发起调解").click()
    expect(page.locator(".message.success")).to_contain_text("已发起调解")
    booking = page.locator("#schedule-session form")
    booking.get_by_label("开始时间").fill(local(at(hour=9)))
    booking.get_by_label("结束时间").fill(local(at(hour=11)))
    booking.get_by_label("调解室").select_option(label="上虞区矛调中心 · 第一调解室")
    booking.get_by_label("参加人员").fill("原告代理人1人，被告本人")
    booking.get_by_role("button", name="预约调解室").click()
    expect(page.locator(".message.success")).to_contain_text("已安排调解")
    # The sitting takes place the next morning; its record is written on the case page.
    with time_machine.travel(at(hour=11, minute=5), tick=True):
        login_as(page, "dispatcher")  # a day later the 30-minute idle session has ended
        page.goto(case_url)
        record = page.locator(".session-record form")
        record.get_by_label("调解记录").fill(RECORD)
        record.get_by_role("button", name="保存调解记录").click()
        expect(page.locator(".message.success")).to_contain_text("已保存调解记录")
        expect(page.locator(".session-record .description")).to_contain_text(RECORD[:12])
        page.locator("#finish-mediation summary").click()
        finish = page.locator("#finish-mediation form")
        finish.get_by_label("调解结果", exact=True).select_option(label="调解不成")
        finish.get_by_label("调解结果说明").fill(
            "双方就欠费金额分歧较大，调解终结，已告知诉讼途径。"
        )
        page.locator("#mediation").scroll_into_view_if_needed()
        shot(page, "courts-03-mediation-ends")
        finish.get_by_role("button", name="结束调解").click()
        expect(page.locator(".message.success")).to_contain_text("调解已结束")
    expect(page.locator("#referral-status")).to_have_text("调解不成")
    expect(page.locator("#priority-filing")).to_have_text("优先立案")
    expect(page.locator('#timeline li[data-event="court_return"]')).to_contain_text("建议优先立案")

    # The court finds it back, marked for priority filing, with the record to download.
    login_as(page, "court")
    expect(page.locator("#unread-count")).to_have_text("1")
    page.goto("/courts/?status=failed")
    row = page.locator(f"tr[data-referral='{CourtReferral.objects.get().pk}']")
    expect(row).to_contain_text("调解不成")
    expect(row).to_contain_text("优先立案")
    expect(page.locator('.court-total[data-status="failed"] strong')).to_have_text("1")
    shot(page, "courts-04-back-at-court")
    row.get_by_role("link", name=number(88)).click()
    card = page.locator("#court-referral")
    card.scroll_into_view_if_needed()
    shot(page, "courts-05-case-card")
    with page.expect_download() as download:
        card.locator("#record-pdf").click()
    path = tmp_path / "record.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".pdf")
    assert path.read_bytes().startswith(b"%PDF")
    flat = pdf_text(path)
    assert "调解终结书" in flat and "".join(RECORD.split()) in flat
    assert "建议优先立案" in flat and "第一调解室" in flat


def test_a_batch_with_a_bad_row_is_refused_by_line_then_imported(types, page, tmp_path):
    header = "案号,案由,原告,被告,被告电话,案情摘要,发生地\n"
    good = f"{number(1)},民间借贷纠纷,陈丽华,李志明,13857510001,借款5万元未还,曹娥街道\n"
    bad = f"{number(2)},占卜纠纷,周明,吴晓峰,12345,租赁纠纷,曹娥街道\n"
    path = tmp_path / "referrals.csv"
    path.write_bytes((header + good + bad).encode("gbk"))
    login_as(page, "court")
    page.goto("/courts/import/")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#import-refused")).to_contain_text("有 1 行不符合要求")
    line = page.locator('#import-rows tr[data-line="3"]')
    expect(line).to_contain_text("未知的案由「占卜纠纷」")
    expect(line).to_contain_text("被告电话")
    shot(page, "courts-06-import-refused")

    path.write_bytes((header + good).encode("gbk"))
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#import-preview")).to_contain_text("新增 1 件，跳过 0 件")
    shot(page, "courts-07-import-preview")
    page.locator("#confirm-import").click()
    expect(page.locator("#batch-done")).to_contain_text("已导入1件委派调解，跳过0件")
    page.get_by_role("link", name="查看委派调解").click()
    expect(page.locator("#referrals")).to_contain_text(number(1))
    shot(page, "courts-08-list")
