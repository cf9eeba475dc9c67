from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.forms import PlacingMixin
from concord.geo.models import Division

from .choices import PeriodKind


class ReportForm(PlacingMixin, forms.Form):
    """What to report on. The fields only carry the text: `reports.request_report` checks it,
    so a bad period or a division out of reach gets the service's own message."""

    kind = forms.CharField(
        label=_("报表类型"), required=False, widget=forms.Select(choices=PeriodKind.choices)
    )
    period = forms.CharField(
        label=_("报表期间"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"placeholder": "2026-10 / 2026-Q3", "list": "periods"}),
    )
    division = forms.CharField(label=_("区划"), required=False, widget=forms.Select)

    def __init__(self, *args, divisions: list[Division], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].widget.choices = [(d.code, d.name) for d in divisions]
