from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "division", "parent", "phone", "linkage", "active"]
    list_filter = ["kind", "linkage", "active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["division", "parent"]
