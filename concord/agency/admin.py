"""Agencies in the admin: to look up, not to write (they are assigned from the case page)."""

from django.contrib import admin

from .models import Agency, Errand


class ErrandInline(admin.TabularInline):
    model = Errand
    extra = 0
    can_delete = False
    fields = ["at", "department", "what", "result", "next_step", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["case", "agent", "status", "assigned_at", "ended_at"]
    list_filter = ["status"]
    date_hierarchy = "assigned_at"
    search_fields = ["case__tracking_code", "agent__username", "agent__full_name"]
    inlines = [ErrandInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
