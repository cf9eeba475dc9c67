"""Enumerations of the five-way linkage (五调联动). Types and outcomes carry a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LinkageType(models.TextChoices):
    """诉调、警调、检调、专调、访调: which partner hands cases to the center and back."""

    COURT = "court", _("诉调")
    POLICE = "police", _("警调")
    PROCURATORATE = "procuratorate", _("检调")
    PROFESSIONAL = "professional", _("专调")
    PETITION = "petition", _("访调")

    @property
    def partner_label(self) -> str:
        return {
            "court": _("法院"),
            "police": _("公安"),
            "procuratorate": _("检察院"),
            "professional": _("专业调解组织"),
            "petition": _("信访部门"),
        }[self.value]

    @property
    def colour(self) -> str:
        return {
            "court": "indigo",
            "police": "blue",
            "procuratorate": "purple",
            "professional": "teal",
            "petition": "amber",
        }[self.value]


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("linkage direction", "移入中心")
    OUT = "out", pgettext_lazy("linkage direction", "移出中心")

    @property
    def opposite(self) -> "Direction":
        return Direction.OUT if self == Direction.IN else Direction.IN


class Outcome(models.TextChoices):
    """What a return says about the matter handed over."""

    MEDIATED = "mediated", _("调解成功")
    FAILED = "failed", _("调解不成")
    HANDLED = "handled", _("已处理")
    RETURNED = "returned", _("退回")

    @property
    def colour(self) -> str:
        return {"mediated": "green", "failed": "amber", "handled": "blue", "returned": "grey"}[
            self.value
        ]
