"""Follow-up plans and the assessment scheme are configured here; ratings, reviews and visits
are looked up (they are written from the case page, the rating link and the API)."""

from django.contrib import admin

from concord.core.admin import OptimisticAdmin

from .models import AssessmentScheme, FollowUpPlan, FollowUpVisit, Rating, Review


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "category", "group_only", "offsets", "assignee", "active"]
    list_filter = ["active", "group_only", "assignee"]
    search_fields = ["name", "category__name"]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "weights", "min_sample", "active", "updated_at"]
    list_filter = ["active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["case", "round", "satisfaction", "channel", "recorded_by", "at"]
    list_filter = ["satisfaction", "channel"]
    date_hierarchy = "at"
    search_fields = ["case__tracking_code"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "decision", "decided_by", "opened_at", "decided_at"]
    list_filter = ["status", "decision"]
    search_fields = ["case__tracking_code"]


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(ReadOnlyAdmin):
    list_display = ["case", "round", "number", "organisation", "due_at", "status", "stable"]
    list_filter = ["status", "method", "stable"]
    date_hierarchy = "due_at"
    search_fields = ["case__tracking_code", "organisation__name"]
