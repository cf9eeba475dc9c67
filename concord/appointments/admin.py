"""Service desks and their slots are configured here (with a generator for a week of slots);
appointments are looked up here and booked on the 预约服务 page."""

import datetime as dt

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from concord.core.admin import OptimisticAdmin

from .choices import HOLDING
from .models import Appointment, Desk, Slot
from .slots import generate_week


@admin.register(Desk)
class DeskAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "organisation",
        "place",
        "slot_minutes",
        "capacity",
        "staff_name",
        "position",
        "active",
    ]
    list_filter = ["kind", "active"]
    list_editable = ["position", "active"]
    raw_id_fields = ["organisation"]
    actions = ["generate_this_week", "generate_next_week"]

    def _generate(self, request, queryset, day: dt.date) -> None:
        added = sum(len(generate_week(desk, day=day)) for desk in queryset)
        self.message_user(
            request,
            ngettext(
                "已生成 %(n)d 个时段（节假日不排班，调休上班日照常）",
                "已生成 %(n)d 个时段（节假日不排班，调休上班日照常）",
                added,
            )
            % {"n": added},
            messages.SUCCESS,
        )

    @admin.action(description=_("为所选窗口生成本周时段"))
    def generate_this_week(self, request, queryset):
        self._generate(request, queryset, timezone.localdate())

    @admin.action(description=_("为所选窗口生成下周时段"))
    def generate_next_week(self, request, queryset):
        self._generate(request, queryset, timezone.localdate() + dt.timedelta(days=7))


@admin.register(Slot)
class SlotAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["desk", "starts_at", "ends_at", "capacity", "booked", "staff_name"]
    list_filter = ["desk"]
    date_hierarchy = "starts_at"

    def get_queryset(self, request):
        holding = Q(appointments__status__in=HOLDING)
        return super().get_queryset(request).annotate(taken=Count("appointments", filter=holding))

    @admin.display(description=_("已约"), ordering="taken")
    def booked(self, obj) -> int:
        return obj.taken


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["slot", "name", "phone_masked", "topic", "status", "case", "booked_by"]
    list_filter = ["status", "slot__desk"]
    search_fields = ["name", "topic", "case__tracking_code"]
    # The phone stays masked here too (PIPL: least exposure); the page never shows it in full.
    fields = [
        "slot",
        "name",
        "phone_masked",
        "topic",
        "case",
        "status",
        "booked_by",
        "booked_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "marked_at",
        "marked_by",
        "reminded_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("联系电话"))
    def phone_masked(self, obj) -> str:
        return obj.phone_masked

    def has_add_permission(self, request) -> bool:
        return False  # booked on the 预约服务 page or through the API, which check places
