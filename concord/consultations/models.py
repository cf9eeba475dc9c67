"""3+X joint consultations (联合会商) and joint receptions (联合接访) of a case.

A `Consultation` is a meeting: scheduled with its participants — the judge, the chief mediator,
the legal-aid lawyer and X departments — then held, with attendance, minutes (纪要) and
decisions. Each `Decision` is a task for one organisation with a due date. A `JointReception`
is a reception of a group of petitioners by several departments together, recorded once it
has taken place.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ParticipantRole(models.TextChoices):
    JUDGE = "judge", _("法官")
    CHIEF_MEDIATOR = "chief_mediator", _("首席调解员")
    LAWYER = "lawyer", _("法律援助律师")
    DEPARTMENT = "department", _("相关部门")


# The "3" of 3+X: each consultation has exactly one of each.
THREE = (ParticipantRole.JUDGE, ParticipantRole.CHIEF_MEDIATOR, ParticipantRole.LAWYER)


class DecisionState(models.TextChoices):
    OPEN = "open", _("办理中")
    OVERDUE = "overdue", _("已逾期")
    DONE = "done", _("已完成")

    @property
    def colour(self) -> str:
        return {"open": "blue", "overdue": "red", "done": "green"}[self.value]


class Consultation(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="consultations"
    )
    organised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组织人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("安排时间"), default=timezone.now)
    scheduled_at = models.DateTimeField(_("会商时间"))
    place = models.CharField(_("会商地点"), max_length=200, blank=True)
    online_link = models.URLField(_("线上会议链接"), max_length=500, blank=True)
    agenda = models.TextField(_("会商议题"))
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    minutes = models.TextField(_("会商纪要"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("纪要录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minutes_at = models.DateTimeField(_("纪要录入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联合会商")
        verbose_name_plural = pgettext_lazy("plural", "联合会商")
        ordering = ["-scheduled_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_link=""), name="consultation_place_or_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


class Participant(models.Model):
    """One seat at the table. The judge is a court user or a name (with the court); the chief
    mediator and the lawyer are mediators of the pool (the lawyer may be a name); a department
    is an organisation. `name` keeps who it was when the meeting was called; `attended` is set
    with the minutes."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("联合会商"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    role = models.CharField(_("身份"), max_length=16, choices=ParticipantRole.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_seats",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediator = models.ForeignKey(
        "mediation.Mediator",
        verbose_name=_("调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("姓名/名称"), max_length=128)
    attended = models.BooleanField(_("到会"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = pgettext_lazy("plural", "参会人员")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "role"],
                condition=~Q(role="department"),
                name="consultation_one_of_each_of_the_three",
            ),
            models.UniqueConstraint(
                fields=["consultation", "organisation"],
                condition=Q(role="department"),
                name="consultation_department_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def org_name(self) -> str:
        """The organisation after a person's name; nothing for a department (it is the name)."""
        if self.role == ParticipantRole.DEPARTMENT or self.organisation is None:
            return ""
        return self.organisation.name


class Decision(models.Model):
    """A decision of the meeting: a task for `organisation`, due by the end of `due_date`.
    `overdue_notified_at` is set once by the sweep on the first day past it."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("联合会商"), on_delete=models.CASCADE, related_name="decisions"
    )
    # Copied from the consultation so that lists of an organisation's tasks need no join.
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="consultation_decisions",
    )
    due_date = models.DateField(_("完成时限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_note = models.TextField(_("办理情况"), blank=True)
    overdue_notified_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会商议定事项")
        verbose_name_plural = pgettext_lazy("plural", "会商议定事项")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(done_at=None, overdue_notified_at=None),
                name="consultation_decision_sweep",
            ),
            models.Index(fields=["organisation", "done_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}.{self.number} → {self.organisation_id}"

    def state_on(self, today: dt.date) -> DecisionState:
        if self.done_at:
            return DecisionState.DONE
        return DecisionState.OVERDUE if today > self.due_date else DecisionState.OPEN

    @property
    def state(self) -> DecisionState:
        return self.state_on(timezone.localdate())


class JointReception(models.Model):
    """联合接访: several departments receive a group of petitioners together (group matters
    only), recorded after the reception with what was said and the outcome."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="joint_receptions",
    )
    received_at = models.DateTimeField(_("接访时间"))
    place = models.CharField(_("接访地点"), max_length=200)
    departments = models.ManyToManyField(
        "orgs.Organisation", verbose_name=_("参加接访部门"), related_name="+"
    )
    record = models.TextField(_("接访记录"))
    outcome = models.TextField(_("接访结果"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorder_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("记录单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("联合接访")
        verbose_name_plural = pgettext_lazy("plural", "联合接访")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.received_at:%Y-%m-%d %H:%M}"
