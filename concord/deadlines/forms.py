"""The 申请延期 form on the case page. It parses; `extensions.request_extension` judges."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.errors import InvalidInput
from concord.core.limits import COMMENT_MAX

from .models import Deadline


class ExtensionRequestForm(forms.Form):
    amount = forms.IntegerField(error_messages={"invalid": _("延长时限应为正整数")})
    reason = forms.CharField(
        label=_("延期理由"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写延期理由")},
    )
    party_told = forms.BooleanField(label=_("已告知当事人延期理由"), required=False)

    def __init__(self, *args, deadline: Deadline, **kwargs):
        super().__init__(*args, prefix=f"ext-{deadline.pk}", **kwargs)
        self.deadline = deadline
        node = deadline.node
        left = max(node.extension_max - deadline.extension, 0)
        amount = self.fields["amount"]
        amount.label = gettext("延长（%(unit)s）") % {"unit": node.get_unit_display()}
        amount.help_text = gettext("最多还可延长%(left)d%(unit)s") % {
            "left": left,
            "unit": node.get_unit_display(),
        }
        # Hints for the browser only: the service checks the same limits and says why.
        amount.widget.attrs.update({"min": 1, "max": left})
        if not node.tell_party_on_extension:
            del self.fields["party_told"]

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "amount": data["amount"],
            "reason": data["reason"],
            "party_told": data.get("party_told", False),
        }

    def place(self, exc: InvalidInput) -> None:
        """Put the service's messages next to the fields they are about."""
        for field, message in exc.errors.items():
            self.add_error(field if field in self.fields else None, message)
