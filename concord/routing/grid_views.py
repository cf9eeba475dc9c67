"""The 网格上报 page: a grid worker's phone form for an event in the field, the confirmation
with its tracking code, and the worker's recent reports. It parses, calls
`grid.report_event`, renders."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.accounts.models import Role, User
from concord.cases.forms import category_choices
from concord.core import limits
from concord.core.errors import InvalidInput, ServiceError

from .grid import EventReport, default_village, recent_reports, report_event, villages_of


class PhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of files: the count, size and type are the service's to judge."""

    widget = PhotoInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


class GridReportForm(forms.Form):
    category = forms.ChoiceField(label=_("事项类别"), required=False)
    description = forms.CharField(
        label=_("事件描述"),
        max_length=limits.DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("发生了什么、涉及哪些人、现在的情况")}
        ),
        error_messages={
            "required": _("请填写事件描述"),
            "max_length": _("事件描述不能超过%(limit_value)d字（现为%(show_value)d字）"),
        },
    )
    village = forms.ChoiceField(
        label=_("村（社区）"),
        error_messages={
            "required": _("请选择村（社区）"),
            "invalid_choice": _("请选择本镇街的村（社区）"),
        },
    )
    address = forms.CharField(
        label=_("详细地址"),
        required=False,
        max_length=limits.ADDRESS_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("如：龙山路12号东侧")}),
        error_messages={"max_length": _("地址不能超过%(limit_value)d字")},
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("现场照片"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["village"].choices = list(villages_of(user).values_list("code", "name"))
        self.fields["village"].initial = default_village(user)

    def clean(self):
        # The position travels in hidden inputs that the worker cannot correct by hand: one
        # message, tied to `lat`, which the template shows beside the 定位 button.
        if self._errors.pop("lng", None) or "lat" in self._errors:
            self._errors["lat"] = self.error_class([gettext("定位数据无效，请重新定位")])
        return super().clean()

    def report(self) -> EventReport:
        data = self.cleaned_data
        return EventReport(
            description=data["description"],
            village=data["village"],
            category=data["category"],
            address=data["address"],
            lat=data["lat"],
            lng=data["lng"],
        )

    def place(self, exc: InvalidInput) -> None:
        """The service's refusals next to the fields they name."""
        for field, message in exc.errors.items():
            field = {"division": "village", "lng": "lat"}.get(field, field)
            self.add_error(field if field in self.fields else None, message)


@login_required
def grid_report(request: HttpRequest) -> HttpResponse:
    # Other roles do not learn the page exists.
    if request.user.role != Role.GRID:
        raise Http404
    form = GridReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = report_event(
                actor=request.user, report=form.report(), photos=form.cleaned_data["photos"]
            )
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(f"{reverse('routing:grid_report')}?reported={case.pk}")
    recent = list(recent_reports(request.user))
    reported = None
    if (wanted := request.GET.get("reported", "")).isdigit():
        reported = next((c for c in recent if c.pk == int(wanted)), None)
    context = {
        "form": form,
        "recent": recent,
        "reported": reported,
        "photos_lost": bool(form.errors and request.FILES),
    }
    status = 422 if form.errors else 200
    return render(request, "routing/grid_report.html", context, status=status)
