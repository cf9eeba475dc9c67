from django.contrib import admin

from .models import Feedback, TriageModel


@admin.register(TriageModel)
class TriageModelAdmin(admin.ModelAdmin):
    list_display = ("id", "trained_at", "sample_size", "seconds")
    exclude = ("data",)
    readonly_fields = ("trained_at", "sample_size", "counts", "seconds")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("case", "chosen", "top1", "top3", "created_at")
    list_filter = ("top1", "top3")
    raw_id_fields = ("case", "created_by")
