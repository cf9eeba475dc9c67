from django.contrib import admin

from concord.core.admin import OptimisticAdmin

from .models import CourtReferral, CourtReferralType, ReferralBatch


@admin.register(CourtReferralType)
class CourtReferralTypeAdmin(OptimisticAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "category", "mediation_org", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    list_filter = ["active", "mediation_org"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["mediation_org"]


@admin.register(CourtReferral)
class CourtReferralAdmin(admin.ModelAdmin):
    """Read-only: referrals change through the referral pages and the mediation outcome."""

    list_display = [
        "court_case_number",
        "court",
        "type",
        "kind",
        "status",
        "priority_filing",
        "referred_at",
        "result_at",
    ]
    list_filter = ["status", "kind", "priority_filing", "type", "court"]
    search_fields = ["court_case_number", "case__tracking_code"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReferralBatch)
class ReferralBatchAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "court",
        "uploaded_by",
        "uploaded_at",
        "row_count",
        "status",
        "imported_at",
        "created_count",
        "skipped_count",
    ]
    list_filter = ["status"]
    exclude = ["rows"]  # encrypted personal data of the parties

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
