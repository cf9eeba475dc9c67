"""Configuration of the calendar and the deadline policies; records are read-only here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from concord.core.admin import OptimisticAdmin
from concord.core.errors import InvalidInput

from .models import (
    CalendarDay,
    CalendarYear,
    DaySource,
    DeadlinePolicy,
    OfficeHours,
    PolicyNode,
    Supervision,
)
from .workdays import check_day


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["day", "is_workday", "name"]

    def clean_day(self):
        day = self.cleaned_data["day"]
        try:
            check_day(day)
        except InvalidInput as exc:
            raise ValidationError(exc.errors["day"]) from None
        return day

    def save(self, commit=True):
        self.instance.source = DaySource.ADMIN
        return super().save(commit)


@admin.register(CalendarDay)
class CalendarDayAdmin(OptimisticAdmin, admin.ModelAdmin):
    """Holidays and 调休 working days; saving recomputes every running deadline."""

    form = CalendarDayForm
    list_display = ["day", "is_workday", "name", "source", "changed_at"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "day"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["year", "source", "note"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["opens", "closes"]


class PolicyNodeInline(admin.StackedInline):
    model = PolicyNode
    extra = 0
    fields = [
        ("code", "label"),
        ("start_action", "stop_actions", "per_task"),
        ("amount", "unit", "art85"),
        ("warn_amount", "warn_unit"),
        ("extension_max", "tell_party_on_extension"),
        ("escalate_to", "escalate_org"),
        "basis",
    ]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "case_type", "category", "level", "active"]
    list_filter = ["active", "case_type", "level"]
    inlines = [PolicyNodeInline]


@admin.register(Supervision)
class SupervisionAdmin(admin.ModelAdmin):
    list_display = ["case", "issuer_org", "target_org", "issued_at", "reply_due_at", "replied_at"]
    list_filter = ["issued_at"]
    raw_id_fields = ["case", "deadline"]

    def has_add_permission(self, request) -> bool:
        return False  # issued from the case page or by the sweep
