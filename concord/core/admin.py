"""Optimistic locking for the Django admin's change forms, which have none of their own.

`OptimisticAdmin` keeps, in a hidden field, a fingerprint (`core.locking.fingerprint`) of the
record and of its inline rows as the form showed them. A save is checked with the record's
row locked, in the admin's own transaction: when the record or an inline row changed since,
the form comes back with the message and nothing is saved. Models with a `version` column get
it advanced on every admin save, so a page form or API client holding the old version is
refused in turn. Lists edited in place (`list_editable`) are not covered.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms.models import _get_foreign_key

from .locking import STALE, fingerprint

TOKEN = "concord_version"


class _Guarded:
    """Mixed into the admin's ModelForm: shows the fingerprint, checks it in `clean`."""

    version_of = None  # set by OptimisticAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields[TOKEN].initial = self.version_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is not None:
            # Locked until the admin's transaction ends, so the save follows the check.
            rows = type(instance)._default_manager.select_for_update()
            current = rows.filter(pk=instance.pk).first()
            if current is None or self.version_of(current) != self.cleaned_data.get(TOKEN):
                raise ValidationError(STALE, code="stale")
            if hasattr(current, "version"):
                instance.version = current.version + 1
        return cleaned


class OptimisticAdmin:
    """Put first in a ModelAdmin's bases: `class XAdmin(OptimisticAdmin, admin.ModelAdmin)`."""

    def version_of(self, obj) -> str:
        related = []
        for inline in self.inlines:
            fk = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            related.append(inline.model._default_manager.filter(**{fk.name: obj}))
        return fingerprint(obj, related)

    def get_fieldsets(self, request, obj=None):
        """The token rides in the last fieldset of a change form the user may save; a form
        shown read-only, or an add form, has none (a read-only page would look it up)."""
        fieldsets = super().get_fieldsets(request, obj)
        wanted = obj is not None and self.has_change_permission(request, obj)
        if wanted == (TOKEN in flatten_fieldsets(fieldsets)):
            return fieldsets
        if not wanted:
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != TOKEN]})
                for name, options in fieldsets
            ]
        *head, (name, options) = fieldsets
        return [*head, (name, {**options, "fields": [*options["fields"], TOKEN]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" in kwargs:  # None from get_fields: every field of the form
            fields = kwargs.pop("fields")
        else:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            fields = [f for f in fields if f != TOKEN]
        form = super().get_form(request, obj, change=change, fields=fields, **kwargs)
        attrs = {
            TOKEN: forms.CharField(widget=forms.HiddenInput, required=False),
            "version_of": staticmethod(self.version_of),
        }
        return type(form.__name__, (_Guarded, form), attrs)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        # Inline rows with a version of their own: an admin edit counts as one.
        for obj, _changed in formset.changed_objects:
            if hasattr(obj, "version"):
                type(obj)._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)
