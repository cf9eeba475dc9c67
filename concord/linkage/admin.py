"""Hand-overs in the admin: to look up, not to write (they are recorded from the case page,
the API, or automatically from the case's timeline)."""

from django.contrib import admin

from .models import Handover


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["case", "linkage_type", "direction", "partner", "at", "outcome", "automatic"]
    list_filter = ["linkage_type", "direction", "outcome", "automatic"]
    date_hierarchy = "at"
    search_fields = ["case__tracking_code", "partner__name", "note"]
    raw_id_fields = ["case", "answers", "event"]
    readonly_fields = [
        "case",
        "linkage_type",
        "direction",
        "partner",
        "at",
        "by",
        "note",
        "outcome",
        "answers",
        "event",
        "automatic",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of a hand-over is kept, like the timeline it comes from
