"""Summonses in the admin: to look up, not to write (they are issued from the case page)."""

from django.contrib import admin

from .models import Summons, SummonsTarget


class SummonsTargetInline(admin.TabularInline):
    model = SummonsTarget
    extra = 0
    can_delete = False
    fields = [
        "organisation",
        "ack_due_at",
        "acknowledged_at",
        "ack_late",
        "arrive_due_at",
        "arrived_at",
        "arrive_late",
        "escalated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Summons)
class SummonsAdmin(admin.ModelAdmin):
    list_display = ["case", "issuer_org", "issued_by", "issued_at", "ack_minutes", "arrive_minutes"]
    list_filter = ["issued_at"]
    date_hierarchy = "issued_at"
    search_fields = ["case__tracking_code", "reason"]
    raw_id_fields = ["case"]
    readonly_fields = [
        "case",
        "issued_by",
        "issuer_org",
        "issued_at",
        "ack_minutes",
        "arrive_minutes",
    ]
    inlines = [SummonsTargetInline]

    def has_add_permission(self, request) -> bool:
        return False  # issued from the case page or the API, which check and notify
