"""The risk factors an admin may weigh, and the state of a spike warning."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Factor(models.TextChoices):
    EXTREME = "extreme", _("极端言辞")
    ESCALATION = "escalation", _("聚集或升级苗头")
    FESTIVAL_WAGE = "festival_wage", _("临近春节欠薪")
    GROUP = "group", _("群体性事项")
    LARGE_GROUP = "large_group", _("大规模群体（20人以上）")
    REPEAT_VISIT = "repeat_visit", _("重复来访")
    EARLIER_CASES = "earlier_cases", _("同一当事人此前有事项")
    LARGE_AMOUNT = "large_amount", _("涉及金额较大（10万元以上）")
    HUGE_AMOUNT = "huge_amount", _("涉及金额巨大（100万元以上）")
    VULNERABLE = "vulnerable", _("涉及弱势群体")
    LONG_OPEN = "long_open", _("久拖未结（30日以上）")
    # Base points of a level-1 category (劳动争议/欠薪, 征地拆迁 …).
    CATEGORY = "category", _("类别基础风险")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("待处置")
    CLOSED = "closed", _("已处置")


class LetterKind(models.TextChoices):
    # 风险提示函: a case's risk drawn to the attention of the organisation that must act;
    # 预警函: a signal that something is about to grow (a spike, a red case), demanding measures.
    NOTICE = "notice", _("风险提示函")
    WARNING = "warning", _("预警函")


class LetterStatus(models.TextChoices):
    AWAITING = "awaiting", _("待回复")
    OVERDUE = "overdue", _("逾期未复")
    ANSWERED = "answered", _("已回复")
