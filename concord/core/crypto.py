"""Field encryption and keyed hashes for personal information (PIPL art. 51).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). `CONCORD_FIELD_KEYS` lists keys
newest first: encryption uses the first, decryption tries each, so keys can be rotated.
Exact-match lookups (same ID number, same phone) use an HMAC of the normalised value, so the
plain value never needs to be stored or decrypted to compare.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


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
