"""Court referrals (诉前调解 / 委派调解): the types of dispute a court refers to the center, each
referred case with the court's case number (案号), and the uploaded batches they came in."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.cases.models import Case, Category
from concord.core.crypto import EncryptedTextField
from concord.orgs.models import Organisation

from .choices import BatchStatus, ReferralKind, ReferralStatus


class CourtReferralType(models.Model):
    """A dispute type (案由) the court refers, with the category its cases get and the
    mediation organisation that leads them unless the dispatcher reroutes."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("案由"), max_length=64, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("事项类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediation_org = models.ForeignKey(
        Organisation,
        verbose_name=_("默认调解组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("委派后自动交办的主办单位；不填则留待调度员分流"),
    )
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("委派调解案由")
        verbose_name_plural = pgettext_lazy("plural", "委派调解案由")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ReferralBatch(models.Model):
    """An uploaded file whose rows all passed the checks: confirmed, it is imported in the
    background, all or nothing. The rows hold names, phones and ID numbers, so they are
    stored encrypted (PIPL art. 51)."""

    court = models.ForeignKey(
        Organisation, verbose_name=_("委派法院"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    filename = models.CharField(_("文件名"), max_length=200)
    rows = EncryptedTextField(_("数据行"))
    row_count = models.PositiveIntegerField(_("行数"))
    status = models.CharField(
        _("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.PREVIEWED
    )
    error = models.TextField(_("未导入原因"), blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)

    class Meta:
        verbose_name = _("委派调解批量导入")
        verbose_name_plural = pgettext_lazy("plural", "委派调解批量导入")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.row_count})"


class CourtReferral(models.Model):
    """One case the court handed to the center for mediation, from referral to the answer
    sent back (回复法院)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="court_referral")
    court = models.ForeignKey(
        Organisation,
        verbose_name=_("委派法院"),
        on_delete=models.PROTECT,
        related_name="court_referrals",
    )
    court_case_number = models.CharField(_("案号"), max_length=40)
    kind = models.CharField(
        _("委派方式"), max_length=16, choices=ReferralKind.choices, default=ReferralKind.PRE_SUIT
    )
    type = models.ForeignKey(
        CourtReferralType, verbose_name=_("案由"), on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        ReferralBatch,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    referred_at = models.DateTimeField(_("委派时间"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("委派人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ReferralStatus.choices,
        default=ReferralStatus.MEDIATING,
    )
    result_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    note = models.TextField(_("结果说明"), blank=True)
    priority_filing = models.BooleanField(_("优先立案"), default=False)
    extended_days = models.PositiveIntegerField(_("已延长（日）"), default=0)
    consent_note = models.TextField(_("当事人同意延长说明"), blank=True)

    class Meta:
        verbose_name = _("法院委派调解")
        verbose_name_plural = pgettext_lazy("plural", "法院委派调解")
        ordering = ["-referred_at", "-pk"]
        constraints = [
            # The idempotency key: one referral per court and case number, even when two
            # uploads of the same file race.
            models.UniqueConstraint(
                fields=["court", "court_case_number"], name="one_referral_per_court_number"
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.MEDIATING) | Q(result_at__isnull=False),
                name="referral_result_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "-referred_at"])]

    def __str__(self) -> str:
        return self.court_case_number

    @property
    def is_open(self) -> bool:
        return self.status == ReferralStatus.MEDIATING
