from django.contrib import admin

from concord.core.admin import OptimisticAdmin

from .models import Division


@admin.register(Division)
class DivisionAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    readonly_fields = ["code"]
