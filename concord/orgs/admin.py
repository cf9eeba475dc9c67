from django.contrib import admin

from concord.core.admin import OptimisticAdmin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "division", "parent", "phone", "linkage", "active"]
    list_filter = ["kind", "linkage", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["division", "parent"]
