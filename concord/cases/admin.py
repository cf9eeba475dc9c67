from django.contrib import admin

from concord.core.admin import OptimisticAdmin

from .models import Category


@admin.register(Category)
class CategoryAdmin(OptimisticAdmin, admin.ModelAdmin):
    """Categories are configuration; cases themselves change only through the lifecycle."""

    list_display = ["name", "code", "parent", "sort_order", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "code"]
    list_editable = ["sort_order", "active"]
