"""The delivery log's filters and the admin's forms for systems and their subscriptions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.accounts.models import User

from . import webhooks
from .choices import DeliveryStatus, WebhookEvent
from .keys import account_name
from .models import ExternalSystem, Scope, Webhook


class DeliveryFilterForm(forms.Form):
    system = forms.ModelChoiceField(
        label=_("对接系统"),
        queryset=ExternalSystem.objects.all(),
        required=False,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("没有这个对接系统")},
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *DeliveryStatus.choices],
        error_messages={"invalid_choice": _("未知的状态「%(value)s」")},
    )
    event = forms.ChoiceField(
        label=_("事件"),
        required=False,
        choices=[("", _("全部")), *WebhookEvent.choices],
        error_messages={"invalid_choice": _("未知的事件「%(value)s」")},
    )


class ExternalSystemForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("未知的权限「%(value)s」")},
    )

    class Meta:
        model = ExternalSystem
        fields = ["code", "name", "channel", "scopes", "active"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not self.instance.pk and User.objects.filter(username=account_name(code)).exists():
            raise forms.ValidationError(
                _("账号 %(username)s 已被占用，请换一个系统编码") % {"username": account_name(code)}
            )
        return code


class WebhookForm(forms.ModelForm):
    """A subscription: the URL is checked (http/https, resolves, not a forbidden address); the
    secret is never shown again, left empty it stays as it was (a new one is generated for a
    new subscription and shown once)."""

    events = forms.MultipleChoiceField(
        label=_("订阅事件"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少订阅一个事件"),
            "invalid_choice": _("未知的事件「%(value)s」"),
        },
    )
    url = forms.CharField(label=_("接收地址"), max_length=2000, strip=True)
    # Not the model's field: left empty, the stored secret must stay as it is.
    set_secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        strip=False,
        # Long enough to see a pasted monster, which clean_secret refuses with its length.
        max_length=200_000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("接收方用它验证签名；留空：新订阅自动生成（保存后显示一次），已有订阅保持不变"),
    )

    class Meta:
        model = Webhook
        fields = ["url", "events", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if problem := webhooks.url_problem(url):
            raise forms.ValidationError(problem)
        return url

    def clean_set_secret(self) -> str:
        secret = self.cleaned_data["set_secret"]
        if secret and (problem := webhooks.secret_problem(secret)):
            raise forms.ValidationError(problem)
        return secret

    def clean_events(self) -> list[str]:
        events = self.cleaned_data["events"]
        if problem := webhooks.events_problem(events):
            raise forms.ValidationError(problem)
        return events

    def save(self, commit: bool = True) -> Webhook:
        webhook = super().save(commit=False)
        self.generated_secret = None
        if secret := self.cleaned_data["set_secret"]:
            webhook.secret = secret
        elif not webhook.pk:
            webhook.secret = self.generated_secret = webhooks.new_secret()
        if commit:
            webhook.save()
        return webhook
