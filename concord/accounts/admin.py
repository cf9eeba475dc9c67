"""The security administrator's admin pages (三员分立): accounts, API tokens and lockouts.

The system administrator is a superuser so that every configuration model is theirs without
a permission table; these pages are closed to them all the same (they may not change anyone's
role), and the security administrator, who is staff but no superuser, sees only these.
"""

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.audit.models import AuditAction, record
from concord.core.admin import OptimisticAdmin
from concord.portal.throttle import client_ip

from . import lockout, otp
from .models import APIToken, User
from .permissions import manages_accounts, staff_flags

# Roles, not groups, say what an account may do; devices are reset from the account's page
# (audited), never edited by hand.
for model in (Group, TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class SecurityAdminOnly:
    def has_module_permission(self, request) -> bool:
        return manages_accounts(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return manages_accounts(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return manages_accounts(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return manages_accounts(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # accounts are deactivated, never deleted: their records point at them


@admin.register(User)
class UserAdmin(OptimisticAdmin, SecurityAdminOnly, BaseUserAdmin):
    list_display = [
        "username",
        "full_name",
        "role",
        "organisation",
        "is_active",
        "second_factor",
        "last_login",
    ]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["username", "full_name", "organisation__name"]
    list_select_related = ["organisation"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("岗位"), {"fields": ["full_name", "role", "organisation", "phone"]}),
        (_("状态"), {"fields": ["is_active", "second_factor"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"fields": ["username", "password1", "password2", "full_name", "role", "organisation"]},
        )
    ]
    readonly_fields = ["second_factor", "last_login", "date_joined"]
    actions = ["unlock", "reset_second_factor"]

    def get_queryset(self, request):
        authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(authenticator))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody raises or retires their own account; another security administrator does.
            fields += ["role", "is_active"]
        return fields

    @admin.display(description=_("两步验证"), boolean=True)
    def second_factor(self, obj: User) -> bool:
        if hasattr(obj, "has_authenticator"):
            return obj.has_authenticator
        return otp.has_authenticator(obj)

    def save_model(self, request, obj: User, form, change: bool) -> None:
        obj.is_staff, obj.is_superuser = staff_flags(obj.role)
        super().save_model(request, obj, form, change)
        fields = sorted(set(form.changed_data) - {"password", "password1", "password2"})
        record(
            actor=request.user,
            action=AuditAction.CONFIG_CHANGED,
            obj=obj,
            detail={
                "account": obj.username,
                "change": "account_changed" if change else "account_created",
                "fields": fields,
                "role": obj.role,
                "is_active": obj.is_active,
            },
            ip=client_ip(request),
        )

    @admin.action(description=_("解除所选账号的登录锁定"))
    def unlock(self, request, queryset) -> None:
        for user in queryset:
            lockout.unlock(actor=request.user, username=user.username, request=request)
        self.message_user(request, gettext("已解除所选账号的登录锁定"), messages.SUCCESS)

    @admin.action(description=_("重置所选账号的两步验证（手机丢失时）"))
    def reset_second_factor(self, request, queryset) -> None:
        for user in queryset:
            otp.reset(actor=request.user, user=user, ip=client_ip(request))
        self.message_user(
            request,
            gettext("已重置两步验证；管理员账号下次登录时须重新绑定身份验证器"),
            messages.SUCCESS,
        )


@admin.register(APIToken)
class APITokenAdmin(SecurityAdminOnly, admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at"]
    readonly_fields = ["user", "key_hash", "created_at", "last_used_at"]
    search_fields = ["user__username"]

    def has_add_permission(self, request, *args) -> bool:
        return False  # tokens are issued through the API, where the key is shown once


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SecurityAdminOnly, BaseAccessAttemptAdmin):
    actions = ["unlock"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("解除所选记录账号的登录锁定"))
    def unlock(self, request, queryset) -> None:
        for username in set(queryset.values_list("username", flat=True)):
            lockout.unlock(actor=request.user, username=username, request=request)
        self.message_user(request, gettext("已解除登录锁定"), messages.SUCCESS)
