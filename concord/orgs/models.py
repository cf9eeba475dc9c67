from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.geo.models import Division


class OrgKind(models.TextChoices):
    COUNTY_CENTER = "county_center", _("区矛调中心")
    LEADERSHIP = "leadership", _("领导机关")
    TOWN_CENTER = "town_center", _("镇街矛调中心")
    VILLAGE_COMMITTEE = "village_committee", _("村（居）人民调解委员会")
    GRID = "grid", _("网格")
    DEPARTMENT = "department", _("入驻部门")
    MEDIATION_ORG = "mediation_org", _("专业调解组织")


class LinkageRole(models.TextChoices):
    """The partner a stationed department is in the five-way linkage (诉调/警调/检调/访调;
    专调 is every professional mediation organisation)."""

    COURT = "court", _("法院")
    POLICE = "police", _("公安")
    PROCURATORATE = "procuratorate", _("检察院")
    PETITION = "petition", _("信访部门")


# Territorial organisations answer for a piece of land and see every case located in it;
# functional ones (departments, professional mediation) see the cases they are given.
TERRITORIAL_KINDS = frozenset(
    {
        OrgKind.COUNTY_CENTER,
        OrgKind.LEADERSHIP,
        OrgKind.TOWN_CENTER,
        OrgKind.VILLAGE_COMMITTEE,
        OrgKind.GRID,
    }
)


class Organisation(models.Model):
    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    linkage = models.CharField(
        _("联动角色"),
        max_length=16,
        choices=LinkageRole.choices,
        blank=True,
        help_text=_("法院、公安、检察院、信访部门在诉调、警调、检调、访调联动中的身份"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = pgettext_lazy("plural", "组织")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "division"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_territorial(self) -> bool:
        return self.kind in TERRITORIAL_KINDS

    @property
    def level(self) -> str:
        """Handling level: county, town or village, from the division the organisation sits on."""
        return self.division.level
