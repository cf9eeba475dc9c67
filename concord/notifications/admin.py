"""Notifications and the outbox in the admin: to look into, not to write (services do that)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from . import services
from .models import Notification, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "user", "kind", "case", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "user__username", "user__full_name", "case__tracking_code"]
    list_select_related = ["user", "case"]
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["channel", "recipient", "subject", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    actions = ["requeue"]

    def has_requeue_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description=gettext_lazy("重新发送失败的消息"), permissions=["requeue"])
    def requeue(self, request, queryset) -> None:
        count = services.requeue(queryset)
        text = ngettext("已重新排队 %(count)s 条消息", "已重新排队 %(count)s 条消息", count)
        self.message_user(request, text % {"count": count}, messages.SUCCESS)
