from django.contrib import admin

from .models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Categories are configuration; cases themselves change only through the lifecycle."""

    list_display = ["name", "code", "parent", "sort_order", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "code"]
    list_editable = ["sort_order", "active"]
