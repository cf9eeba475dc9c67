from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from concord.core.forms import PlacingMixin

from .lockout import is_locked_out, lockout_message


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误"),
        "inactive": _("该账号已停用"),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # A locked name is refused before its password is checked: say so, not "wrong
            # password", so that the owner knows to wait or to call the security administrator.
            if is_locked_out(self.request):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise


class CodeForm(PlacingMixin, forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        error_messages={"required": _("请输入验证码")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
