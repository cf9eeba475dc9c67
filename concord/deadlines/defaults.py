"""Default deadline policies from SPEC §6 and LAW.md; the admin edits them afterwards.

Loading is idempotent and never overwrites: a policy that exists by name is left as the admin
made it. Periods marked unverified in LAW.md are defaults only, which is why they live here
as data and not in code that computes with them.
"""

from __future__ import annotations

from django.db import transaction

from concord.cases.choices import Action, CaseType
from concord.cases.models import Category

from .calendar import Unit
from .models import DeadlinePolicy, EscalateTo, PolicyNode
from .workdays import load_official_calendar

A, U = Action, Unit

# (policy name, case type, category code, note, [node fields])
POLICIES = [
    (
        "通用时限",
        "",
        None,
        "适用于所有事项，更具体的策略按节点覆盖。",
        [
            dict(
                code="hand_down",
                label="交办派单",
                start_action=A.ACCEPT,
                stop_actions=[A.ASSIGN, A.REFER],
                unit=U.WORKING_HOURS,
                amount=2,
                warn_unit=U.MINUTES,
                warn_amount=30,
                escalate_to=EscalateTo.COUNTY_CENTER,
                basis="受理后2小时内交办（本中心规定）",
            ),
            dict(
                code="sign",
                label="工单签收",
                start_action=A.ASSIGN,
                stop_actions=[A.SIGN, A.RETURN],
                per_task=True,
                unit=U.WORKING_DAYS,
                amount=1,
                warn_unit=U.WORKING_HOURS,
                warn_amount=2,
                basis="交办后1个工作日内签收或退回（本中心规定）",
            ),
            dict(
                code="resolve",
                label="办结",
                start_action=A.ACCEPT,
                stop_actions=[A.RESOLVE, A.REFER],
                unit=U.CALENDAR_DAYS,
                amount=30,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=3,
                extension_max=30,
                basis="受理后30日内办结（本中心规定，可配置）",
            ),
            dict(
                code="follow_up",
                label="回访",
                # Planned at resolution: one clock per visit of the case's follow-up plan
                # (concord.evaluation), 7 days when the plan names no periods.
                start_action=A.FOLLOW_UP_PLANNED,
                stop_actions=[A.FOLLOW_UP],
                unit=U.CALENDAR_DAYS,
                amount=7,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=1,
                escalate_to=EscalateTo.COUNTY_CENTER,
                basis="办结后按回访计划回访：一般7日，婚姻家庭7、30、90日（本中心规定）",
            ),
        ],
    ),
    (
        "信访事项",
        CaseType.PETITION,
        None,
        "信访工作条例：登记后15日内告知是否受理；自受理之日起60日内办结，"
        "经批准可延长不超过30日，并告知信访人延期理由。",
        [
            dict(
                code="petition_accept",
                label="告知是否受理",
                start_action=A.REGISTER,
                stop_actions=[A.ACCEPT, A.REFUSE, A.REFER],
                unit=U.CALENDAR_DAYS,
                amount=15,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=3,
                escalate_to=EscalateTo.COUNTY_CENTER,
                basis="《信访工作条例》第二十二条",
            ),
            dict(
                code="resolve",
                label="信访事项办结",
                start_action=A.ACCEPT,
                stop_actions=[A.RESOLVE, A.REFER],
                unit=U.CALENDAR_DAYS,
                amount=60,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=7,
                extension_max=30,
                tell_party_on_extension=True,
                basis="《信访工作条例》：自受理之日起60日内办结",
            ),
        ],
    ),
    (
        "劳动争议调解",
        "",
        "labour",
        "劳动争议调解仲裁法第十四条：自收到调解申请之日起15日内未达成协议的，当事人可申请仲裁。",
        [
            dict(
                code="resolve",
                label="劳动争议调解",
                start_action=A.REGISTER,
                stop_actions=[A.RESOLVE, A.REFER, A.REFUSE],
                unit=U.CALENDAR_DAYS,
                amount=15,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=3,
                basis="《劳动争议调解仲裁法》第十四条",
            ),
        ],
    ),
    (
        "医疗纠纷人民调解",
        "",
        "medical",
        "医疗纠纷预防和处理条例：医调委自受理之日起30个工作日内完成调解，鉴定时间不计入"
        "（挂起等待鉴定时暂停计时）。",
        [
            dict(
                code="resolve",
                label="医疗纠纷调解",
                start_action=A.ACCEPT,
                stop_actions=[A.RESOLVE, A.REFER],
                unit=U.WORKING_DAYS,
                amount=30,
                warn_unit=U.WORKING_DAYS,
                warn_amount=3,
                basis="《医疗纠纷预防和处理条例》（条款号待核）",
            ),
        ],
    ),
    (
        "调解协议司法确认",
        "",
        None,
        "人民调解法第三十三条：调解协议生效之日起30日内双方共同申请司法确认；"
        "民事诉讼法第一百八十七条：法院立案之日起30日内审结（经院长批准可延长）。"
        "申请期限届满只提示，不督办：是否申请由当事人决定。",
        [
            dict(
                code="judicial_window",
                label="司法确认申请期限",
                start_action=A.AGREEMENT_EFFECTIVE,
                stop_actions=[A.CONFIRMATION_APPLIED],
                unit=U.CALENDAR_DAYS,
                amount=30,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=5,
                escalate_to=EscalateTo.NONE,
                basis="《人民调解法》第三十三条；《民事诉讼法》第二百零五条",
            ),
            dict(
                code="confirmation_review",
                label="法院司法确认审查",
                start_action=A.CONFIRMATION_APPLIED,
                stop_actions=[A.CONFIRMATION_RULED],
                unit=U.CALENDAR_DAYS,
                amount=30,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=5,
                extension_max=30,
                escalate_to=EscalateTo.NONE,
                basis="《民事诉讼法》第一百八十七条",
            ),
        ],
    ),
    (
        "法院委派调解",
        "",
        None,
        "诉前调解期限30日，双方当事人同意的可以延长（各地规定不一，延期上限可配置）；"
        "调解不成的退回法院优先立案。",
        [
            dict(
                code="court_mediation",
                label="委派调解期限",
                start_action=A.COURT_REFERRED,
                stop_actions=[A.COURT_RETURNED],
                unit=U.CALENDAR_DAYS,
                amount=30,
                warn_unit=U.CALENDAR_DAYS,
                warn_amount=5,
                extension_max=30,
                escalate_to=EscalateTo.COUNTY_CENTER,
                basis="最高人民法院关于人民法院特邀调解的规定（条款号待核）",
            ),
        ],
    ),
    (
        "医疗纠纷调解期限",
        "",
        "medical",
        "医疗纠纷预防和处理条例：医调委自受理之日起30个工作日内完成调解，鉴定时间不计入，"
        "双方同意可延长；期满未达成协议视为调解不成。",
        [
            dict(
                code="medical_mediation",
                label="医疗纠纷调解期限",
                start_action=A.MEDIATION_STARTED,
                stop_actions=[A.MEDIATION_ENDED],
                unit=U.WORKING_DAYS,
                amount=30,
                warn_unit=U.WORKING_DAYS,
                warn_amount=3,
                extension_max=30,
                basis="《医疗纠纷预防和处理条例》（条款号待核）",
            ),
        ],
    ),
]


def load_defaults() -> int:
    """The official calendar and the default policies; returns how many policies were added."""
    load_official_calendar()
    added = 0
    with transaction.atomic():
        for name, case_type, category_code, note, nodes in POLICIES:
            if DeadlinePolicy.objects.filter(name=name).exists():
                continue
            category = None
            if category_code:
                category = Category.objects.filter(code=category_code).first()
                if category is None:
                    continue  # a county without this category needs no policy for it
            policy = DeadlinePolicy.objects.create(
                name=name, case_type=case_type, category=category, note=note
            )
            PolicyNode.objects.bulk_create(PolicyNode(policy=policy, **node) for node in nodes)
            added += 1
    return added
