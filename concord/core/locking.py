"""Optimistic locking (乐观锁) for the records people edit.

A page form or an API call that edits a record names the `version` it was shown. The write is
one conditional UPDATE on (pk, version) that also advances the version (`save_if_unchanged`),
or, for a whole instance saved with its signals, the same check and `save()` under the row's
lock (`save_edited`): of two people saving the same record from the same reading exactly one
wins, the other is told to refresh (409, code "stale"), and nobody's edit is overwritten
unseen. `cases.lifecycle.transition` does the same for a case on (status, version). The Django
admin's change forms get the guard from `core.admin`.

A record with a version has `version = models.PositiveIntegerField(default=1, editable=False)`;
its page form mixes in `VersionedForm` and carries `version_input()`; its API payload has an
optional `version` (a client that names none overwrites whatever is stored, as before) and its
output the version now stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import Conflict

STALE = _("该记录已被他人修改，请刷新后重试")
GONE = _("该记录已被他人删除，请刷新后重试")
# The API's description of a payload's `version`.
VERSION_HELP = "乐观锁：读取时的版本号，已被他人修改时返回409；不填则直接覆盖"


def stale() -> Conflict:
    return Conflict(gettext(STALE), code="stale")


def save_if_unchanged(model: type[models.Model], pk, expected_version: int | None, **fields) -> int:
    """Write `fields` to the row `pk` if its version is still `expected_version`, advancing the
    version by one; returns the version now stored. None expects whatever version is there
    (the row is locked while it is read, where the database locks rows).

    Conflict when the row was saved since (or deleted): nothing is written then."""
    rows = model._default_manager.filter(pk=pk)
    with transaction.atomic():
        if expected_version is None:
            expected_version = rows.select_for_update().values_list("version", flat=True).first()
        if expected_version is not None and rows.filter(version=expected_version).update(
            version=F("version") + 1, **fields
        ):
            return expected_version + 1
    if not rows.exists():
        raise Conflict(gettext(GONE), code="stale")
    raise stale()


def save_edited(instance: models.Model, expected_version: int | None) -> None:
    """Save an edited instance with `save()` (its signals, `auto_now` fields and all) if its
    row is still at `expected_version` (None: any), advancing `instance.version`. The row is
    locked from the check to the write (on SQLite the database is, as every transaction there
    begins IMMEDIATE). Conflict when it was saved since, or deleted: nothing is written then."""
    rows = type(instance)._default_manager.select_for_update().filter(pk=instance.pk)
    with transaction.atomic():
        current = rows.values_list("version", flat=True).first()
        if current is None:
            raise Conflict(gettext(GONE), code="stale")
        if expected_version is not None and current != expected_version:
            raise stale()
        instance.version = current + 1
        instance.save()


def version_input() -> forms.IntegerField:
    """The hidden form field that carries the version the page was shown; a post without it
    (a page from before the field existed) is treated as stale."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={key: STALE for key in ("required", "invalid", "min_value")},
    )


class VersionedForm:
    """Mixed into a page form with `version = version_input()`: a missing or malformed
    version is said above the form, not at a hidden field nobody sees."""

    def clean(self):
        if self._errors.pop("version", None):
            self.add_error(None, gettext(STALE))
        return super().clean()


def fingerprint(instance: models.Model, related: Iterable[models.QuerySet] = ()) -> str:
    """A digest of the row as stored (every concrete field and many-to-many link) and of
    related rows: a version for models without a version column (the admin's guard)."""

    def row(obj: models.Model) -> list:
        meta = obj._meta
        values = [[f.attname, f.value_to_string(obj)] for f in meta.concrete_fields]
        links = [
            [f.name, sorted(getattr(obj, f.name).values_list("pk", flat=True))]
            for f in meta.many_to_many
        ]
        return values + links

    rows = [row(instance)] + [[row(obj) for obj in queryset.order_by("pk")] for queryset in related]
    body = json.dumps(rows, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()
