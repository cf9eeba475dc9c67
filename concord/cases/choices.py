"""Enumerations of the case domain. Statuses and risk levels carry a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseType(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷")
    PETITION = "petition", _("信访")
    COMPLAINT = "complaint", _("投诉")
    REQUEST = "request", _("求助")
    CONSULTATION = "consultation", _("咨询")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("窗口来访")
    PHONE = "phone", _("来电")
    LETTER = "letter", _("来信")
    HOTLINE_12345 = "hotline_12345", _("12345")
    GRID = "grid", _("网格上报")
    POLICE_110 = "police_110", _("110非警务警情")
    ONLINE_PETITION = "online_petition", _("网上信访")
    COURT_REFERRAL = "court_referral", _("法院委派")
    PORTAL = "portal", _("群众自助")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("case status", "登记")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", pgettext_lazy("case status", "不予受理")
    REFERRED = "referred", _("已转办")
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    PAUSED = "paused", pgettext_lazy("case status", "挂起")
    RESOLVED = "resolved", _("已办结")
    RATED = "rated", _("已评价")
    ARCHIVED = "archived", _("已归档")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self]


STATUS_COLOURS = {
    CaseStatus.REGISTERED: "slate",
    CaseStatus.ACCEPTED: "blue",
    CaseStatus.REFUSED: "grey",
    CaseStatus.REFERRED: "grey",
    CaseStatus.ASSIGNED: "indigo",
    CaseStatus.IN_PROGRESS: "amber",
    CaseStatus.PAUSED: "purple",
    CaseStatus.RESOLVED: "green",
    CaseStatus.RATED: "teal",
    CaseStatus.ARCHIVED: "grey",
}
OPEN_STATUSES = frozenset(
    {
        CaseStatus.REGISTERED,
        CaseStatus.ACCEPTED,
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.PAUSED,
    }
)


class RiskLevel(models.TextChoices):
    RED = "red", _("红")
    ORANGE = "orange", _("橙")
    YELLOW = "yellow", _("黄")
    BLUE = "blue", _("蓝")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


class Result(models.TextChoices):
    MEDIATED = "mediated", _("调解成功")
    MEDIATION_FAILED = "mediation_failed", _("调解不成")
    SOLVED = "solved", _("已解决")
    ANSWERED = "answered", _("已答复/解释")
    LITIGATION = "litigation", _("转诉讼")
    ARBITRATION = "arbitration", _("转仲裁")
    ADMINISTRATIVE_REVIEW = "administrative_review", _("转行政复议")
    WITHDRAWN = "withdrawn", _("撤回")
    OTHER = "other", _("其他")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class TaskRole(models.TextChoices):
    LEAD = "lead", _("主办")
    ASSIST = "assist", _("协办")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("办理中")
    ANSWERED = "answered", _("已反馈")
    RETURNED = "returned", _("已退回")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")
    ESCALATED = "escalated", _("已上报")


ACTIVE_TASK_STATUSES = frozenset({TaskStatus.PENDING, TaskStatus.SIGNED})


class Action(models.TextChoices):
    REGISTER = "register", _("登记")
    ACCEPT = "accept", _("受理")
    REFUSE = "refuse", _("不予受理")
    REFER = "refer", _("转办")
    ASSIGN = "assign", _("交办")
    SIGN = "sign", _("签收")
    ANSWER = "answer", _("协办反馈")
    RETURN = "return", _("退回")
    PAUSE = "pause", _("挂起")
    RESUME = "resume", _("恢复办理")
    RESOLVE = "resolve", _("办结")
    RATE = "rate", _("评价")
    FOLLOW_UP = "follow_up", _("回访")
    ARCHIVE = "archive", _("归档")
    REOPEN = "reopen", _("重新办理")
    # 小事不出村、大事不出镇、矛盾不上交: up one level with a reason, or down from the county.
    ESCALATE = "escalate", _("上报")
    MEDIATION_STARTED = "mediation_start", _("开始调解")
    MEDIATION_ENDED = "mediation_end", _("调解结束")
    SUMMON = "summon", _("吹哨报到")
    DELEGATE = "delegate", _("下交")
    # The chain 纠纷调处 → 司法确认 → 诉讼引调 → 诉讼 and the center's joint work.
    AGREEMENT_EFFECTIVE = "agreement", _("调解协议生效")
    CONFIRMATION_APPLIED = "confirm_apply", _("申请司法确认")
    CONFIRMATION_RULED = "confirm_ruling", _("司法确认裁定")
    COURT_REFERRED = "court_refer", _("法院委派调解")
    COURT_RETURNED = "court_return", _("回复法院")
    LITIGATION = "litigation", _("引导诉讼")
    LEGAL_AID = "legal_aid", _("法律援助")
    CONSULTATION = "consultation", _("联合会商")
    LINKAGE = "linkage", _("联动移交")
    AGENCY = "agency", _("信访代办")
    APPOINTMENT = "appointment", _("预约服务")
    # Recorded at resolution with the visit periods ({"periods": [7, 30, 90]}): each starts
    # one 回访 clock.
    FOLLOW_UP_PLANNED = "follow_up_plan", _("安排回访")
    # A dissatisfied rating the dispatcher closed with an explanation instead of reopening.
    REVIEW_CLOSED = "review_close", _("不满意复核结案")
    # The same matter registered twice: the copy merged into the surviving case, and undone.
    MERGE = "merge", _("合并")
    UNMERGE = "unmerge", _("撤销合并")
    # Written by the system and by supervisors, never taken as a transition.
    DEADLINE_WARNED = "deadline_warn", _("时限预警")
    DEADLINE_BREACHED = "deadline_breach", _("超期")
    EXTEND = "extend", _("延期")
    SUPERVISE = "supervise", _("督办")
    # 风险提示函 / 预警函 about this case, and the addressee's reply.
    RISK_LETTER = "letter", _("风险函")
    RISK_LETTER_REPLY = "letter_reply", _("风险函回复")
