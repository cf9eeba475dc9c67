"""How an outbox message leaves: one sender per channel, named in `settings.CONCORD_SENDERS`.

A sender is a class with `send(message)` that returns when the message is handed over and
raises on any failure; `deliver_outbox` then retries later. Senders run inside the delivery
transaction and must not touch the database.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from concord.core.pii import mask_phone

from .choices import OutboxChannel

if TYPE_CHECKING:
    from .models import OutboxMessage

log = logging.getLogger("concord.notifications")


class Sender:
    """The interface: subclass and implement `send`."""

    def send(self, message: OutboxMessage) -> None:
        raise NotImplementedError


class ConsoleSender(Sender):
    """Writes the message to the log instead of sending it (development, tests, demos)."""

    def send(self, message: OutboxMessage) -> None:
        recipient = message.recipient
        if message.channel == OutboxChannel.SMS:
            recipient = mask_phone(recipient)  # logs are kept longer than texts
        log.info(
            "%s to %s: %s %s", message.channel, recipient, message.subject, message.body.strip()
        )


class EmailSender(Sender):
    """Django's mail backend (EMAIL_HOST etc.), from DEFAULT_FROM_EMAIL."""

    def send(self, message: OutboxMessage) -> None:
        send_mail(
            message.subject,
            message.body,
            None,
            [message.recipient],
            fail_silently=False,
        )


def sender_for(channel: str) -> Sender:
    """A new instance of the sender configured for `channel`; a bad setting fails loudly."""
    path = settings.CONCORD_SENDERS.get(channel)
    if not path:
        raise ImproperlyConfigured(f"CONCORD_SENDERS has no sender for channel {channel!r}")
    try:
        return import_string(path)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"CONCORD_SENDERS[{channel!r}]: {exc}") from exc
