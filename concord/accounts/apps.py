from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "concord.accounts"
    verbose_name = _("用户与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import touched_at_login

        user_logged_in.connect(touched_at_login, dispatch_uid="concord.accounts.touched")
