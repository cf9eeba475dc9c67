from django.contrib import admin

from concord.accounts.permissions import reads_audit_log

from .models import AuditAnchor, AuditEntry


class AuditorReadOnly(admin.ModelAdmin):
    """Read-only, and only for the auditor (三员分立: not even the system administrator
    reads the log of his own acts). The auditor's pages are /audit/."""

    def has_module_permission(self, request) -> bool:
        return reads_audit_log(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return reads_audit_log(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditorReadOnly):
    list_display = ["seq", "created_at", "actor", "action", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["actor__username", "object_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(AuditAnchor)
class AuditAnchorAdmin(AuditorReadOnly):
    list_display = ["seq", "prev_hash", "purged_before", "rows_purged", "created_at"]
