"""What every app's forms share: service refusals shown next to their fields, text fields."""

from django import forms

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
