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


class AgreementKind(models.TextChoices):
    # 人民调解法 art. 28: a written agreement is usual; an oral one is allowed, and the mediator
    # records its content.
    WRITTEN = "written", _("书面协议")
    ORAL = "oral", _("口头协议")


class Ruling(models.TextChoices):
    """The court's ruling on a judicial-confirmation application (民事诉讼法 art. 206)."""

    VALID = "valid", _("裁定调解协议有效")
    REJECTED = "rejected", _("裁定驳回申请")

    @property
    def colour(self) -> str:
        return RULING_COLOURS[self]


RULING_COLOURS = {Ruling.VALID: "green", Ruling.REJECTED: "grey"}


class Route(models.TextChoices):
    """Where a dispute goes when mediation did not settle it (调解优先、诉讼断后)."""

    GUIDED = "guided", _("诉讼引调")
    LITIGATION = "litigation", _("诉讼")


class LegalAidReason(models.TextChoices):
    """Grounds for referring a party to legal aid: economic hardship (法律援助法 art. 24), or a
    group whose means are not checked (art. 42: minors, the elderly, the disabled, migrant
    workers claiming pay; military families under their own rules)."""

    HARDSHIP = "hardship", _("经济困难")
    MIGRANT_WAGES = "migrant_wages", _("农民工追索劳动报酬")
    DISABLED = "disabled", _("残疾人")
    ELDERLY = "elderly", _("老年人")
    MINOR = "minor", _("未成年人")
    MILITARY = "military", _("军人军属")
    OTHER = "other", pgettext_lazy("legal aid reason", "其他")


class ChainStep(models.TextChoices):
    """The chain a dispute can walk (SPEC §5), in order."""

    MEDIATION = "mediation", _("纠纷调处")
    CONFIRMATION = "confirmation", _("司法确认")
    GUIDED = "guided", _("诉讼引调")
    LITIGATION = "litigation", _("诉讼")
