"""Forms of the 预约服务 page: which agenda to show, the booking, the cancellation. They parse;
the services judge."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.cases.models import Case
from concord.core.dates import local_time
from concord.core.errors import InvalidInput
from concord.core.limits import NAME_MAX
from concord.core.pii import phone_problem

from .models import Desk, Slot
from .services import TOPIC_MAX

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


def weekday(day: dt.date) -> str:
    return str(WEEKDAYS[day.weekday()])


class AgendaForm(forms.Form):
    """?desk=code&date=YYYY-MM-DD&view=week|day; the first desk, today and the week by default."""

    desk = forms.ModelChoiceField(
        label=_("服务窗口"), queryset=Desk.objects.none(), to_field_name="code", empty_label=None
    )
    date = forms.DateField(
        label=_("日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日期格式应为 YYYY-MM-DD")},
    )
    view = forms.ChoiceField(
        label=_("显示"), choices=[("week", _("按周")), ("day", _("按日"))], initial="week"
    )

    def __init__(self, data, *, desks: QuerySet[Desk]):
        first = desks.first()
        defaults = {
            "desk": first.code if first else "",
            "date": timezone.localdate().isoformat(),
            "view": "week",
        }
        given = {k: data[k] for k in defaults if data.get(k)}
        super().__init__({**defaults, **given})
        self.fields["desk"].queryset = desks

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day shown."""
        day = self.cleaned_data["date"]
        if self.cleaned_data["view"] == "day":
            return day, day
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)


class SlotChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Slot) -> str:
        start = timezone.localtime(obj.starts_at)
        free = obj.capacity - getattr(obj, "taken", 0)
        return gettext("%(day)s %(weekday)s %(start)s–%(end)s（余%(free)d）") % {
            "day": local_time(obj.starts_at, "m-d"),
            "weekday": weekday(start.date()),
            "start": local_time(obj.starts_at, "H:i"),
            "end": local_time(obj.ends_at, "H:i"),
            "free": free,
        }


class BookingForm(forms.Form):
    slot = SlotChoice(
        label=_("预约时段"),
        queryset=Slot.objects.none(),
        empty_label=_("（请选择）"),
        error_messages={
            "required": _("请选择预约时段"),
            "invalid_choice": _("该时段已约满、已过去或不存在，请重新选择"),
        },
    )
    name = forms.CharField(
        label=_("来访人姓名"),
        max_length=NAME_MAX,
        error_messages={"required": _("请填写来访人姓名")},
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        help_text=_("11位手机号或带区号的固定电话"),
        error_messages={"required": _("请填写联系电话")},
    )
    topic = forms.CharField(
        label=_("咨询事由"), max_length=TOPIC_MAX, error_messages={"required": _("请填写咨询事由")}
    )
    case = forms.CharField(
        label=_("关联事项查询码"),
        max_length=20,
        required=False,
        help_text=_("可不填；填写后预约记入该事项的办理记录"),
    )

    def __init__(self, *args, slots: QuerySet[Slot], cases: QuerySet[Case], **kwargs):
        kwargs.setdefault("prefix", "book")
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.cases = cases

    def clean_phone(self) -> str:
        # The service checks it too; here it is reported with the form's other mistakes.
        phone = self.cleaned_data["phone"]
        if problem := phone_problem("".join(phone.split())):
            raise forms.ValidationError(problem)
        return phone

    def clean_case(self) -> Case | None:
        code = self.cleaned_data["case"].strip().upper()
        if not code:
            return None
        case = self.cases.filter(tracking_code=code).first()
        if case is None:
            raise forms.ValidationError(gettext("查询码不存在或该事项不在您的查看范围内"))
        return case

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "slot": data["slot"],
            "name": data["name"],
            "phone": data["phone"],
            "topic": data["topic"],
            "case": data["case"],
        }

    def place(self, exc: InvalidInput) -> None:
        """Put the service's messages next to the fields they are about."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)
