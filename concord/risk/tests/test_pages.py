"""The warnings page for dispatchers and leaders, closing a warning, and the weights admin."""

from concord.cases.models import Category
from concord.cases.tests.factories import CAOE, build_case
from concord.risk.models import RiskWeight, SpikeWarning

from .test_spikes import baseline_of_one_a_week, sweep, wage_cases


def a_spike(town=None):
    baseline_of_one_a_week()
    cases = wage_cases(8, days_ago=0, every=0.5, **({"town": town} if town else {}))
    (warning,) = sweep()
    return warning, cases


def test_the_dispatcher_sees_the_warning_with_its_evidence(web):
    warning, cases = a_spike()
    page = web("dispatcher").get("/risk/warnings")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-warning="{warning.pk}"' in html
    assert "百官街道" in html and "劳动争议/欠薪" in html
    assert all(case.tracking_code in html for case in cases)
    assert "2026-11-14 – 2026-11-20" in html


def test_a_town_leader_sees_only_the_warnings_of_the_town(web):
    a_spike(town=CAOE)
    html = web("baiguan_leader").get("/risk/warnings").content.decode()
    assert "没有待处置的预警" in html


def test_clerks_and_handlers_have_no_such_page(web):
    assert web("clerk").get("/risk/warnings").status_code == 404
    assert web("baiguan").get("/risk/warnings").status_code == 404


def test_closing_a_warning_takes_it_off_the_list(web):
    warning, _cases = a_spike()
    dispatcher = web("dispatcher")
    response = dispatcher.post(f"/risk/warnings/{warning.pk}/close")
    assert response.status_code == 302 and response.url == "/risk/warnings"
    closed = SpikeWarning.objects.get(pk=warning.pk)
    assert closed.status == "closed" and closed.closed_by.username == "dispatcher"
    assert closed.closed_at is not None
    html = dispatcher.get("/risk/warnings").content.decode()
    assert "已标记为已处置" in html and "没有待处置的预警" in html


def test_closing_needs_a_post_and_a_warning_in_scope(web):
    warning, _cases = a_spike(town=CAOE)
    assert web("dispatcher").get(f"/risk/warnings/{warning.pk}/close").status_code == 405
    assert web("baiguan_leader").post(f"/risk/warnings/{warning.pk}/close").status_code == 404
    assert web("dispatcher").post("/risk/warnings/999999/close").status_code == 404
    assert SpikeWarning.objects.get(pk=warning.pk).status == "open"


def weight_form(**fields):
    return {"factor": "extreme", "category": "", "points": "50", **fields}


def test_the_admin_sets_a_weight(web):
    response = web("admin").post("/admin/risk/riskweight/add/", weight_form())
    assert response.status_code == 302
    assert RiskWeight.objects.get(factor="extreme").points == 50


def test_weights_out_of_range_get_a_clear_message(web):
    admin = web("admin")
    for points, message in [
        ("101", "分值不能超过 100 分"),
        ("-5", "分值不能为负数"),
        ("abc", "分值须为整数"),
    ]:
        response = admin.post("/admin/risk/riskweight/add/", weight_form(points=points))
        assert response.status_code == 200 and message in response.content.decode()
    assert not RiskWeight.objects.exists()


def test_category_weights_need_a_level_one_category_and_only_they_take_one(web):
    admin = web("admin")
    labour = Category.objects.get(code="labour")
    child = Category.objects.get(code="labour-wage-arrears")
    cases = [
        (weight_form(factor="category"), "类别基础风险须选择一个一级类别"),
        (weight_form(category=labour.pk), "只有“类别基础风险”可以选择类别"),
        (weight_form(factor="category", category=child.pk), "选择一个有效的选项"),
    ]
    for form, message in cases:
        html = admin.post("/admin/risk/riskweight/add/", form).content.decode()
        assert message in html, message
    RiskWeight.objects.create(factor="extreme", points=10)
    html = admin.post("/admin/risk/riskweight/add/", weight_form()).content.decode()
    assert "该风险因素已设置分值，请修改原有记录" in html


def test_the_admin_lists_weights_alerts_and_warnings(web):
    RiskWeight.objects.create(
        factor="category", category=Category.objects.get(code="labour"), points=12
    )
    build_case(description="扬言跳楼")
    a_spike()
    admin = web("admin")
    html = admin.get("/admin/risk/riskweight/").content.decode()
    assert "类别基础风险 · 劳动争议/欠薪" in html and "12" in html
    assert admin.get("/admin/risk/caserisk/").status_code == 200
    assert admin.get("/admin/risk/spikewarning/").status_code == 200
