"""Enumerations of evaluation, follow-up visits and assessment. States carry a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("评价链接")
    PHONE = "phone", _("电话")
    VISIT = "visit", pgettext_lazy("rating channel", "上门")
    OTHER = "other", pgettext_lazy("rating channel", "其他")


# What staff may record on the citizen's behalf; the link is the citizen's own door.
STAFF_CHANNELS = [RatingChannel.PHONE, RatingChannel.VISIT, RatingChannel.OTHER]


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    DECIDED = "decided", _("已处理")


class ReviewDecision(models.TextChoices):
    REOPEN = "reopen", _("重新办理")
    CLOSE = "close", _("说明后结案")


class Assignee(models.TextChoices):
    GRID_FIRST = "grid_first", _("事项所在村的网格，没有网格时由主办单位")
    LEAD = "lead", _("主办单位")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("待回访")
    DONE = "done", _("已回访")
    CANCELLED = "cancelled", _("已取消")

    @property
    def colour(self) -> str:
        return VISIT_COLOURS[self]


VISIT_COLOURS = {
    VisitStatus.PLANNED: "amber",
    VisitStatus.DONE: "green",
    VisitStatus.CANCELLED: "grey",
}


class VisitMethod(models.TextChoices):
    VISIT = "visit", pgettext_lazy("follow-up method", "上门")
    PHONE = "phone", pgettext_lazy("follow-up method", "电话")


class Kpi(models.TextChoices):
    """The assessment's KPIs; docs/assessment.md defines each one."""

    ON_TIME = "on_time", _("按期办结率")
    SATISFACTION = "satisfaction", _("满意率")
    RESOLUTION = "resolution", _("化解率")
    REOPEN = "reopen", _("重新办理率")
    SUMMONS = "summons", _("报到及时率")
    PING_PONG = "ping_pong", _("流转退回率")

    @property
    def lower_is_better(self) -> bool:
        return self in (Kpi.REOPEN, Kpi.PING_PONG)


class RankBy(models.TextChoices):
    ORG = "org", _("按单位")
    TOWN = "town", _("按乡镇（街道）")
