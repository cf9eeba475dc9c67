"""API keys of external systems: shown once when issued, stored as a hash, checked per scope."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction

from concord.accounts.models import Role, User
from concord.audit.models import AuditAction, record
from concord.orgs.models import Organisation, OrgKind

from .models import ExternalSystem

KEY_PREFIX = "cs_"
MAX_KEY_LENGTH = 128


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def register_system(
    code: str, name: str, channel: str, scopes: list[str]
) -> tuple[ExternalSystem, str]:
    """A new system with its account (a clerk of the county center) and its first key."""
    system = ExternalSystem.objects.create(
        code=code, name=name, channel=channel, scopes=scopes, account=new_account(code, name)
    )
    return system, rotate_key(system)


def account_name(code: str) -> str:
    return f"system-{code}"


def new_account(code: str, name: str) -> User:
    """The account a system acts as: a clerk of the county center that never logs in."""
    center = Organisation.objects.filter(kind=OrgKind.COUNTY_CENTER).order_by("pk").first()
    return User.objects.create(
        username=account_name(code),
        full_name=name,
        role=Role.CLERK,
        organisation=center,
        password=make_password(None),  # never logs in with a password
        service=True,
    )


def rotate_key(system: ExternalSystem, *, actor: User | None = None) -> str:
    """A new key for the system (the old one stops working at once); returned only here.
    With an `actor` (the admin's button), the issue is written to the audit log."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    system.key_prefix, system.key_hash = key[:10], hash_key(key)
    with transaction.atomic():
        system.save(update_fields=["key_prefix", "key_hash"])
        if actor is not None:
            _audit(actor, system, "rotated")
    return key


def revoke_key(system: ExternalSystem, *, actor: User | None = None) -> None:
    """The system's key stops working and no new one is issued (until a rotation)."""
    system.key_prefix, system.key_hash = "", ""
    with transaction.atomic():
        system.save(update_fields=["key_prefix", "key_hash"])
        if actor is not None:
            _audit(actor, system, "revoked")


def _audit(actor: User, system: ExternalSystem, what: str) -> None:
    detail = {"system": system.code, "key": what, "prefix": system.key_prefix}
    record(actor=actor, action=AuditAction.TOKEN_ISSUED, obj=system, detail=detail)


def key_from_headers(headers) -> str | None:
    """The system key a request presents: `X-API-Key: cs_…`, or `Authorization: Bearer cs_…`
    (a bearer token without the prefix is a user's token, not ours). None when there is none."""
    if (key := headers.get("X-API-Key")) is not None:
        return key.strip()
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value.startswith(KEY_PREFIX):
        return value
    return None


def system_for_key(key: str | None) -> ExternalSystem | None:
    """The active system holding this key, with its account; None for anything else."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.startswith(KEY_PREFIX):
        return None
    return (
        ExternalSystem.objects.select_related("account__organisation__division")
        .filter(key_hash=hash_key(key), active=True, account__is_active=True)
        .first()
    )
