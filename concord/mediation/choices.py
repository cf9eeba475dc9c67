"""Enumerations of the mediation domain. Statuses carry a badge colour (the `.badge-*` classes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Specialty(models.TextChoices):
    MEDICAL = "medical", _("医疗")
    LABOUR = "labour", _("劳动")
    FAMILY = "family", _("婚姻家庭")
    TRAFFIC = "traffic", _("交通")
    PROPERTY = "property", _("物业")
    FISHERY = "fishery", _("海事渔业")
    LAND = "land", _("土地山林")
    CONSUMER = "consumer", _("消费")
    CONSTRUCTION = "construction", _("建设工程")
    NEIGHBOUR = "neighbour", _("邻里")
    OTHER = "other", pgettext_lazy("mediator specialty", "其他")


# Top-level case category code (concord.demo.county.CATEGORIES, editable in the admin) → the
# specialty a mediator needs for it. A category missing here (added later in the admin) is
# matched to OTHER, so suggestions still come, ranked by workload.
SPECIALTY_FOR_CATEGORY: dict[str, str] = {
    "family": Specialty.FAMILY,
    "neighbour": Specialty.NEIGHBOUR,
    "labour": Specialty.LABOUR,
    "land": Specialty.LAND,
    "demolition": Specialty.LAND,  # 征地拆迁: compensation for land and homesteads
    "medical": Specialty.MEDICAL,
    "traffic": Specialty.TRAFFIC,
    "property": Specialty.PROPERTY,
    "consumer": Specialty.CONSUMER,
    "contract": Specialty.OTHER,
    "construction": Specialty.CONSTRUCTION,
    "environment": Specialty.NEIGHBOUR,  # 环境污染 between neighbours: noise, smell, waste
    "fishery": Specialty.FISHERY,
    "litigation": Specialty.OTHER,
    "other": Specialty.OTHER,
}


class MediationStatus(models.TextChoices):
    OPEN = "open", _("调解中")
    SUCCEEDED = "succeeded", _("调解成功")
    FAILED = "failed", _("调解不成")
    WITHDRAWN = "withdrawn", _("撤回调解")

    @property
    def colour(self) -> str:
        return MEDIATION_COLOURS[self]


MEDIATION_COLOURS = {
    MediationStatus.OPEN: "amber",
    MediationStatus.SUCCEEDED: "green",
    MediationStatus.FAILED: "grey",
    MediationStatus.WITHDRAWN: "slate",
}
# How a mediation may end (finish_mediation's `outcome`).
OUTCOMES = (MediationStatus.SUCCEEDED, MediationStatus.FAILED, MediationStatus.WITHDRAWN)


class RoomKind(models.TextChoices):
    MEDIATION = "mediation", _("调解室")
    LAWYER = "lawyer", _("律师调解室")
    ONLINE = "online", _("线上调解室")
