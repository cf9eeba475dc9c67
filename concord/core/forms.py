"""What every app's forms share: service refusals shown next to their fields, text fields,
selects of hundreds of options."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .errors import InvalidInput


class PlacingMixin:
    """For forms whose data a service checks: `place(exc)` puts the service's messages next
    to the fields they are about. `renamed` maps a service's field names to the form's."""

    renamed: dict[str, str] = {}

    def place(self, exc: InvalidInput) -> None:
        for key, message in exc.errors.items():
            name = self.renamed.get(key, key)
            self.add_error(name if name in self.fields else None, message)


def text_field(label: str, limit: int, rows: int = 0, required: str = "") -> forms.CharField:
    """A text field; `required` is the message when it is left empty (optional without)."""
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput,
        error_messages={"required": required},
    )


class QuickSelect(forms.Select):
    """A select written in Python rather than through a template per option: the county's
    400 organisations cost a millisecond instead of ten on every case page."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(format_html('<optgroup label="{}">', group))
            html.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    "" if option["value"] is None else option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group:
                html.append("</optgroup>")
        html.append("</select>")
        return mark_safe("".join(html))  # every part above is escaped by format_html


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    pass
