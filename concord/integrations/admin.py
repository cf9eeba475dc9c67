"""Configuring the systems Concord talks to: their scopes, keys and webhook subscriptions.

Keys and generated webhook secrets are shown once, on a page of their own straight after they
are made (never through a message, which would keep them in the session)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concord.core.admin import OptimisticAdmin

from . import webhooks
from .forms import ExternalSystemForm, WebhookForm
from .keys import new_account, revoke_key, rotate_key
from .models import ExternalSystem, Webhook, WebhookDelivery


def _shown_once(request: HttpRequest, title: str, items: list[tuple[str, str]], back: str):
    context = {
        **admin.site.each_context(request),
        "title": title,
        "items": items,
        "back": back,
    }
    response = TemplateResponse(request, "integrations/admin/shown_once.html", context)
    response["Cache-Control"] = "no-store"  # not in the browser's cache or history either
    return response


class WebhookInline(admin.StackedInline):
    model = Webhook
    form = WebhookForm
    extra = 0
    fields = ["url", "set_secret", "events", "active"]


@admin.register(ExternalSystem)
class ExternalSystemAdmin(OptimisticAdmin, admin.ModelAdmin):
    form = ExternalSystemForm
    inlines = [WebhookInline]
    list_display = ["code", "name", "channel", "scopes", "key_prefix", "active", "created_at"]
    list_filter = ["active", "channel"]
    search_fields = ["code", "name"]
    readonly_fields = ["account", "key_prefix", "created_at"]
    actions = ["rotate", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the cases' source: changing it would orphan the cases already sent.
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "channel", "scopes", "active"]
        return [*fields, "account", "key_prefix", "created_at"] if obj else fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.account = new_account(obj.code, obj.name)
        super().save_model(request, obj, form, change)
        if not change:
            key = rotate_key(obj, actor=request.user)
            self._once(request).append((_("%(name)s 的访问密钥") % {"name": obj.name}, key))

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if getattr(inline_form, "generated_secret", None):
                url = inline_form.instance.url
                self._once(request).append(
                    (_("%(url)s 的签名密钥") % {"url": url}, inline_form.generated_secret)
                )

    def response_add(self, request, obj, post_url_continue=None):
        return self._show_once(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._show_once(request, obj) or super().response_change(request, obj)

    @staticmethod
    def _once(request: HttpRequest) -> list:
        if not hasattr(request, "_shown_once"):
            request._shown_once = []
        return request._shown_once

    def _show_once(self, request, obj):
        if items := getattr(request, "_shown_once", None):
            back = reverse("admin:integrations_externalsystem_change", args=[obj.pk])
            return _shown_once(request, _("请立即保存：以下内容只显示这一次"), items, back)
        return None

    @admin.action(description=gettext_lazy("轮换访问密钥（旧密钥立即失效）"))
    def rotate(self, request, queryset):
        items = [
            (_("%(name)s 的新访问密钥") % {"name": s.name}, rotate_key(s, actor=request.user))
            for s in queryset
        ]
        back = reverse("admin:integrations_externalsystem_changelist")
        return _shown_once(request, _("新密钥只显示这一次，请立即交给对接系统"), items, back)

    @admin.action(description=gettext_lazy("吊销访问密钥"))
    def revoke(self, request, queryset) -> None:
        for system in queryset:
            revoke_key(system, actor=request.user)
        count = len(queryset)
        text = ngettext("已吊销 %(count)s 个系统的密钥", "已吊销 %(count)s 个系统的密钥", count)
        self.message_user(request, text % {"count": count}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "webhook", "event", "case", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event", "webhook__system"]
    search_fields = ["case__tracking_code", "case__source_id"]
    list_select_related = ["webhook__system", "case"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("integrations.view_webhookdelivery")

    @admin.action(description=gettext_lazy("重新发送失败的投递"), permissions=["resend"])
    def resend(self, request, queryset) -> None:
        count = webhooks.resend(queryset)
        text = ngettext("已重新排队 %(count)s 条投递", "已重新排队 %(count)s 条投递", count)
        self.message_user(request, text % {"count": count}, messages.SUCCESS)
