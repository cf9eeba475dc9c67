"""API authentication: bearer tokens for systems, the Django session for the browser."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from concord.accounts.models import APIToken, User

# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 128:
            return None
        now = timezone.now()
        found = (
            APIToken.objects.select_related("user", "user__organisation__division")
            .filter(key_hash=APIToken.hash_key(token), expires_at__gt=now, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
            APIToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


def issue_token(user: User) -> tuple[str, APIToken]:
    """A new token for `user`; the plain key is returned once and never stored."""
    key = APIToken.new_key()
    token = APIToken.objects.create(
        user=user,
        key_hash=APIToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=settings.CONCORD["API_TOKEN_DAYS"]),
    )
    return key, token


API_AUTH = [TokenAuth(), SessionAuth()]
