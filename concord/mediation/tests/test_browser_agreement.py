"""The chain in a real browser, on a court-referred property dispute: the dispatcher mediates it
to success, makes the agreement and downloads its PDF, records that it took effect (after a
refusal for a missing seal), uploads the signed scan and applies for judicial confirmation;
the court, brought into the case by the application, rules the agreement valid. And when the
mediation fails, the case goes to court-guided mediation with a legal-aid referral."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.accounts.models import Role, User
from concord.browser import login_as, shot
from concord.cases import lifecycle
from concord.cases.tests.factories import fake, organisation
from concord.core.testing import pdf_text
from concord.courts.defaults import load_defaults as load_referral_types
from concord.courts.services import Person, ReferralDraft, refer
from concord.mediation.models import Agreement, Mediator
from concord.mediation.services import finish_mediation, start_mediation

pytestmark = pytest.mark.browser

FACTS = "业主以电梯长期故障为由拒交2025年度物业费，物业公司诉至法院，法院委派中心调解。"
DISPUTES = "物业服务是否达标，欠缴物业费的数额。"
TERMS = "业主于协议生效后十日内补缴物业费人民币四千二百元；物业公司于一个月内完成电梯大修。"
METHOD = "业主通过银行转账向物业公司支付"


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def property_case(pool):
    """A 物业费 dispute the court referred through its referral door, signed for by the
    property mediation committee it went to."""
    load_referral_types()
    wuye = User.objects.create(
        username="wuye",
        role=Role.MEDIATOR,
        organisation=organisation("property-mediation"),
        full_name="物业调委会",
    )
    draft = ReferralDraft(
        court_case_number="(2026)浙0604民诉前调501号",
        type="物业服务合同纠纷",
        description="法院委派：业主拒交物业费纠纷，请中心诉前调解。",
        plaintiffs=[Person("上虞某物业服务有限公司", phone="0575-82123456")],
        defendants=[Person("王建国", phone="13857510001", id_number=fake.ssn())],
        division="百官街道",
    )
    referral, _ = refer(actor=User.objects.get(username="court"), draft=draft)
    return lifecycle.transition(referral.case, actor=wuye, action="sign")


def test_an_agreement_walks_to_a_valid_judicial_confirmation(property_case, page, tmp_path):
    login_as(page, "dispatcher")
    page.goto(f"/cases/{property_case.pk}/")
    card = page.locator("#mediation")
    first = card.locator("#mediator-suggestions li").first
    expect(first).to_contain_text("上虞区物业纠纷人民调解委员会")
    first.locator("input[type=checkbox]").check()
    card.get_by_role("button", name="发起调解").click()
    expect(page.locator(".message.success")).to_contain_text("已发起调解")

    finish = page.locator("#finish-mediation")
    finish.locator("summary").click()
    finish.get_by_label("调解结果", exact=True).select_option(label="调解成功")
    finish.get_by_label("调解结果说明").fill("双方就物业费补缴和电梯维修达成一致。")
    finish.get_by_role("button", name="结束调解").click()
    expect(page.locator(".message.success")).to_contain_text("调解已结束：调解成功")
    expect(page.locator("#chain [aria-current=step]")).to_contain_text("纠纷调处")

    form = page.locator("form.agreement-form")
    parties = list(property_case.parties.order_by("pk"))
    for party in parties:
        expect(form.get_by_label(f"{party.get_role_display()}：{party.name}")).to_be_checked()
    due = timezone.localdate() + dt.timedelta(days=20)
    form.get_by_label("纠纷主要事实").fill(FACTS)
    form.get_by_label("争议事项").fill(DISPUTES)
    form.get_by_label("各方责任").fill("物业公司对电梯维修不及时负主要责任。")
    form.get_by_label("协议内容").fill(TERMS)
    form.get_by_label("履行方式").fill(METHOD)
    form.get_by_label("履行期限").fill(due.isoformat())
    form.scroll_into_view_if_needed()
    shot(page, "agreement-01-form")
    form.get_by_role("button", name="制作调解协议").click()
    agreement_box = page.locator(".agreement .agreement-head")
    expect(page.locator(".message.success")).to_contain_text("已制作调解协议")
    agreement = Agreement.objects.get()
    expect(agreement_box).to_contain_text(agreement.number)

    with page.expect_download() as info:
        agreement_box.get_by_role("link", name="下载PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "agreement.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf)
    for part in ("人民调解协议书", FACTS, DISPUTES, TERMS, METHOD, *(p.name for p in parties)):
        assert squeeze(part) in text, part
    assert f"{due.year}年{due.month}月{due.day}日前履行完毕" in text
    agreement_box.scroll_into_view_if_needed()
    shot(page, "agreement-02-made")

    effect = page.locator("form.effect-form")
    effect.get_by_label("各方当事人已签名（盖章或按指印）").check()
    effect.get_by_label("调解员已签名").check()
    effect.get_by_role("button", name="登记生效").click()
    expect(page.locator("form.effect-form .errorlist")).to_contain_text(
        "加盖人民调解委员会印章后，协议方能生效"
    )
    page.locator("form.effect-form").scroll_into_view_if_needed()
    shot(page, "agreement-03-seal-missing")
    page.locator("form.effect-form").get_by_label("已加盖人民调解委员会印章").check()
    page.locator("form.effect-form").get_by_role("button", name="登记生效").click()
    expect(page.locator(".message.success")).to_contain_text("调解协议已于")
    expect(page.locator("#chain [aria-current=step]")).to_contain_text("司法确认")
    window = page.locator(".confirmation.window")
    expect(window).to_contain_text("还剩")

    scan = page.locator("form.scan-form")
    scan.locator("input[type=file]").set_input_files(
        files=[{"name": "签字协议.pdf", "mimeType": "application/pdf", "buffer": pdf.read_bytes()}]
    )
    scan.get_by_role("button", name="上传扫描件").click()
    expect(page.locator(".message.success")).to_contain_text("已上传签字盖章扫描件")
    expect(page.locator(".agreement-facts")).to_contain_text("签字协议.pdf")

    window = page.locator(".confirmation.window")
    window.locator("summary").click()
    apply = window.locator("form.confirmation-form")
    expect(apply.get_by_label("受理法院")).to_have_value(str(organisation("court").pk))
    apply.get_by_label("双方当事人共同申请").check()
    window.scroll_into_view_if_needed()
    shot(page, "agreement-04-apply")
    apply.get_by_role("button", name="登记司法确认申请").click()
    expect(page.locator(".message.success")).to_contain_text("已登记向上虞区人民法院申请司法确认")
    expect(page.locator(".confirmation h4")).to_contain_text("法院审查中")
    expect(page.locator("#timeline")).to_contain_text("申请司法确认")

    login_as(page, "court")
    page.goto(f"/cases/{property_case.pk}/")
    ruling = page.locator("form.ruling-form")
    ruling.get_by_label("裁定调解协议有效").check()
    ruling.get_by_label("裁定书文号").fill("（2026）浙0604民特88号")
    ruling.scroll_into_view_if_needed()
    shot(page, "agreement-05-ruling")
    ruling.get_by_role("button", name="登记裁定").click()
    expect(page.locator(".message.success")).to_contain_text("裁定调解协议有效")
    current = page.locator("#chain [aria-current=step]")
    expect(current).to_contain_text("司法确认")
    expect(current).to_contain_text("裁定调解协议有效")
    expect(page.locator("#timeline")).to_contain_text("司法确认裁定")
    page.locator("#mediation").scroll_into_view_if_needed()
    shot(page, "agreement-06-valid")


def test_a_failed_mediation_is_guided_to_court_with_legal_aid(property_case, page, persona):
    dispatcher = persona("dispatcher")
    mediator = Mediator.objects.filter(organisation__code="property-mediation").first()
    mediation = start_mediation(property_case, actor=dispatcher, mediators=[mediator])
    finish_mediation(mediation, actor=dispatcher, outcome="failed", note="业主坚持不缴，调解不成。")
    login_as(page, "dispatcher")
    page.goto(f"/cases/{property_case.pk}/")
    panel = page.locator("#litigation")
    panel.locator("summary").click()
    form = panel.locator("form")
    form.get_by_label("诉讼引调").check()
    form.get_by_label("说明", exact=True).fill("建议由法院诉调对接中心继续调解")
    form.get_by_label("当事人符合条件，转介法律援助").check()
    form.get_by_role("button", name="确认引导").click()
    expect(form.locator(".errorlist")).to_contain_text("请选择法律援助事由")
    form = page.locator("#litigation form")
    form.get_by_label("老年人").check()
    form.get_by_label("经济困难").check()
    page.locator("#mediation").scroll_into_view_if_needed()
    shot(page, "agreement-07-litigation")
    form.get_by_role("button", name="确认引导").click()
    expect(page.locator(".message.success")).to_contain_text("并转介上虞区司法局法律援助")
    current = page.locator("#chain [aria-current=step]")
    expect(current).to_contain_text("诉讼引调")
    expect(page.locator("#litigation-referrals")).to_contain_text("经济困难、老年人")
    expect(page.locator("#timeline")).to_contain_text("法律援助")
    page.locator("#mediation").scroll_into_view_if_needed()
    shot(page, "agreement-08-guided")
