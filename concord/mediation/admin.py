from django.contrib import admin

from concord.core.admin import OptimisticAdmin

from .models import Mediation, Mediator, Room, Session


@admin.register(Mediator)
class MediatorAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "organisation", "is_lawyer", "active", "phone"]
    list_filter = ["active", "is_lawyer", "organisation"]
    search_fields = ["name", "organisation__name"]
    raw_id_fields = ["user"]


@admin.register(Room)
class RoomAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "capacity", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "organisation__name"]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    raw_id_fields = ["room", "created_by"]


@admin.register(Mediation)
class MediationAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["case", "status", "started_at", "ended_at", "rating"]
    list_filter = ["status"]
    search_fields = ["case__tracking_code"]
    raw_id_fields = ["case", "started_by", "ended_by"]
    filter_horizontal = ["mediators"]
    inlines = [SessionInline]
