"""Field encryption and keyed hashes for personal information (PIPL art. 51).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). `CONCORD_FIELD_KEYS` lists keys
newest first: encryption uses the first, decryption tries each, so keys can be rotated.
Exact-match lookups (same ID number, same phone) use an HMAC of the normalised value, so the
plain value never needs to be stored or decrypted to compare.
"""

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connection, models, transaction
from django.dispatch import receiver


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip()) for key in settings.FIELD_ENCRYPTION_KEYS])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"CONCORD_FIELD_KEYS holds an invalid Fernet key: {exc}"
        ) from exc


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "a stored value cannot be decrypted with CONCORD_FIELD_KEYS"
        ) from None


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value; empty for an empty value."""
    normalised = "".join(value.split()).upper()
    if not normalised:
        return ""
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores ciphertext; Python code sees the plain value. Empty stays empty."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


# ---------------------------------------------------------------- key rotation
#
# 1. Generate a key (Fernet.generate_key()) and put it first in CONCORD_FIELD_KEYS, the old
#    ones after it; restart every process (web, workers): new values use the new key, old
#    ones still read.
# 2. Run `python manage.py rotate_keys`: each stored value not under the new key is
#    re-encrypted with it, in batches, each batch its own transaction.
# 3. When it reports 0 values left, remove the old keys from CONCORD_FIELD_KEYS and restart.


@cache
def _primary() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0].strip())


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs) -> None:
    # Tests (and the rotation's own) change the keys under a running process.
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()
        _primary.cache_clear()


def is_current(token: str) -> bool:
    """Whether a stored value is encrypted with the newest key."""
    try:
        _primary().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The same value encrypted with the newest key (any listed key may have encrypted it)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "a stored value cannot be decrypted with CONCORD_FIELD_KEYS"
        ) from None


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every table's encrypted columns: each concrete model and its own EncryptedTextFields."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


@dataclass
class Rotated:
    """What rotate_keys did to one column."""

    label: str
    scanned: int = 0
    rotated: int = 0
    current: int = 0
    changed_meanwhile: int = 0


def rotate_table(
    model: type[models.Model], fields: list[EncryptedTextField], *, batch: int, dry_run: bool
) -> Iterator[list[Rotated]]:
    """Re-encrypt one table's values with the newest key, `batch` rows per transaction, in
    primary-key order; yields the running counts after each batch.

    Values are read and written as stored (raw SQL): no save(), no signals, no timestamps
    touched. Each write is a compare-and-set on the old ciphertext, so a value a user changed
    meanwhile (already under the new key) is left as it is."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    counts = [Rotated(f"{model._meta.label}.{f.name}") for f in fields]
    after = None
    while True:
        where = f"WHERE {pk} > %s " if after is not None else ""
        select = f"SELECT {pk}, {', '.join(columns)} FROM {table} {where}ORDER BY {pk} LIMIT %s"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [after, batch] if after is not None else [batch])
            rows = cursor.fetchall()
            for row in rows:
                for column, count, value in zip(columns, counts, row[1:], strict=True):
                    if not value:
                        continue
                    count.scanned += 1
                    if is_current(value):
                        count.current += 1
                        continue
                    count.rotated += 1
                    if dry_run:
                        continue
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                        [rotate(value), row[0], value],
                    )
                    if cursor.rowcount != 1:
                        count.rotated -= 1
                        count.changed_meanwhile += 1
        if not rows:
            return
        after = rows[-1][0]
        yield counts
