"""Consultations in the admin: to look up, not to write (they are organised from the case page,
which checks the seats and notifies)."""

from django.contrib import admin

from .models import Consultation, Decision, JointReception, Participant


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["role", "name", "organisation", "attended"]


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ["number", "text", "organisation", "due_date", "done_at", "overdue_notified_at"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["case", "scheduled_at", "organiser_org", "held_at"]
    date_hierarchy = "scheduled_at"
    search_fields = ["case__tracking_code", "agenda"]
    inlines = [ParticipantInline, DecisionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JointReception)
class JointReceptionAdmin(admin.ModelAdmin):
    list_display = ["case", "received_at", "place", "recorder_org"]
    date_hierarchy = "received_at"
    search_fields = ["case__tracking_code", "record"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
