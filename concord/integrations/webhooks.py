"""Outbound feedback (一网反馈): each subscribed event of a system's case becomes an outbox row
in the transaction that records it; `deliver_webhooks` (a periodic job) POSTs the due rows,
signed, and retries with back-off until the receiver answers 2xx or the attempts run out.

Each delivery is sent at least once and carries its id (`X-Concord-Delivery`): a receiver that
remembers the ids it has processed gets each exactly once. A worker that dies mid-send leaves
its rows to be sent again when their lease ends.

The signature lets the receiver check that a delivery comes from Concord and was not changed:

    X-Concord-Timestamp: 1795933200
    X-Concord-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

`verify_signature` is the receiver's side, for tests and for the integration guide.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concord.cases.models import Case, CaseEvent

from .choices import EVENT_OF_ACTION, DeliveryStatus, WebhookEvent
from .models import Webhook, WebhookDelivery

log = logging.getLogger("concord.integrations")

TIMEOUT_SECONDS = 10
# Waits after the 1st, 2nd, … failure: 30 s, 1, 2, 4 … minutes, at most an hour; the 12th
# failure (about five hours after the first) is final, until someone sends it again.
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12
# Rows claimed at a time, and how long a claim lasts: long enough to send them all even if
# each takes its full timeout, so no other worker takes them over while this one still sends.
CLAIM_BATCH = 10
LEASE = timedelta(seconds=CLAIM_BATCH * TIMEOUT_SECONDS + 60)
RUN_MAX = 200  # per run: a backlog drains over a few runs, and a run stays short
SECRET_MIN, SECRET_MAX = 16, 200
URL_MAX = Webhook._meta.get_field("url").max_length
ERROR_MAX = 1000
USER_AGENT = "Concord-Webhooks/1"


# ---------------------------------------------------------------------------- configuration


def url_problem(url: str) -> str | None:
    """Why Concord will not send to this URL, or None. Only http(s) with a host that resolves,
    and never to an unspecified, link-local (cloud metadata), multicast or reserved address.
    Private addresses are allowed: the center's systems live on the government intranet."""
    url = (url or "").strip()
    if not url:
        return _("请填写接收地址")
    if len(url) > URL_MAX:
        return _("接收地址不能超过%(max)d个字符") % {"max": URL_MAX}
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("接收地址格式不正确")
    if parts.scheme not in ("http", "https"):
        return _("接收地址只能以 http:// 或 https:// 开头")
    if not parts.hostname:
        return _("接收地址缺少主机名")
    if parts.username or parts.password:
        return _("接收地址不能包含用户名或密码，请用签名密钥验证来源")
    try:
        found = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return _("无法解析主机名「%(host)s」，请检查接收地址") % {"host": parts.hostname}
    for *_rest, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if ip.is_unspecified or ip.is_link_local or ip.is_multicast or ip.is_reserved:
            return _("接收地址指向不允许的网络地址 %(ip)s") % {"ip": ip}
    return None


def secret_problem(secret: str) -> str | None:
    if not SECRET_MIN <= len(secret) <= SECRET_MAX:
        return _("签名密钥应为%(min)d至%(max)d个字符") % {"min": SECRET_MIN, "max": SECRET_MAX}
    if not secret.isprintable() or secret != secret.strip():
        return _("签名密钥不能包含空白或控制字符")
    return None


def events_problem(events: list) -> str | None:
    if not isinstance(events, list) or not events:
        return _("请至少订阅一个事件")
    if unknown := [str(e) for e in events if e not in WebhookEvent.values]:
        return _("未知的事件：%(unknown)s；可订阅：%(known)s") % {
            "unknown": "、".join(unknown),
            "known": "、".join(f"{e.value}（{e.label}）" for e in WebhookEvent),
        }
    return None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# ---------------------------------------------------------------------------- the outbox


def on_event_recorded(*, case: Case, event: CaseEvent, **_signal) -> None:
    """A subscribed event of a case that came from a system: queue it for the system's
    subscriptions, in the transaction that records the event (no event, no delivery)."""
    kind = EVENT_OF_ACTION.get(event.action)
    if kind is None or not case.source:
        return
    webhooks = [
        hook
        for hook in Webhook.objects.filter(
            system__code=case.source, system__active=True, active=True
        )
        if kind in hook.events
    ]
    if not webhooks:
        return
    payload = event_payload(case, event, kind)
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                webhook=hook,
                case=case,
                case_event=event,
                event=kind,
                payload=payload,
                next_attempt_at=event.created_at,
                created_at=event.created_at,
            )
            for hook in webhooks
        ],
        # The same event recorded twice (a signal sent again) is still one delivery.
        ignore_conflicts=True,
    )


def _time(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def event_payload(case: Case, event: CaseEvent, kind: str) -> dict:
    """What the receiver gets: the event, and the case as it stands after it."""
    # Labels in the center's language, whatever language the acting user browses in.
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "event": kind,
            "event_label": str(WebhookEvent(kind).label),
            "occurred_at": _time(event.created_at),
            "case": {
                "id": case.pk,
                "tracking_code": case.tracking_code,
                "source": case.source,
                "source_id": case.source_id,
                "status": case.status,
                "status_label": case.get_status_display(),
                "result": case.result,
                "result_label": case.get_result_display(),
                "reply": case.reply,
                "comment": event.comment,
                "satisfaction": case.satisfaction,
                "satisfaction_label": case.get_satisfaction_display(),
                "received_at": _time(case.received_at),
                "accepted_at": _time(case.accepted_at),
                "resolved_at": _time(case.resolved_at),
                "closed_at": _time(case.closed_at),
            },
        }


def resend(deliveries: QuerySet[WebhookDelivery], *, now: datetime | None = None) -> int:
    """Give failed deliveries another round of attempts, starting now (the log's 重新发送)."""
    return deliveries.filter(status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now or timezone.now()
    )


# ---------------------------------------------------------------------------- sending


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """The receiver's check: the signature matches and the timestamp is recent (no replay)."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(timezone.now().timestamp() - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature or "")


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(
        delivery.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


def retry_after(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead anywhere: only the configured URL is ever contacted.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxy from the environment either: the receivers are on the intranet, reached directly.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def post(delivery: WebhookDelivery, now: datetime) -> Outcome:
    """POST one delivery to its subscription's URL; 2xx is delivered, anything else is not."""
    webhook = delivery.webhook
    if problem := url_problem(webhook.url):
        return Outcome(False, error=problem)
    body = body_of(delivery)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Concord-Event": delivery.event,
            "X-Concord-Delivery": str(delivery.pk),
            "X-Concord-Timestamp": str(timestamp),
            "X-Concord-Signature": sign(webhook.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        return Outcome(False, exc.code, _http_error(exc))
    except (OSError, ValueError, http.client.HTTPException) as exc:
        # Refused, unreachable, timed out, TLS, a broken answer.
        # urllib wraps the socket's error: name that one (ConnectionRefusedError, timeout).
        reason = getattr(exc, "reason", None)
        cause = reason if isinstance(reason, BaseException) else exc
        return Outcome(False, error=f"{type(cause).__name__}: {reason or exc}")
    if 200 <= code < 300:
        return Outcome(True, code)
    return Outcome(False, code, f"HTTP {code}")


def _http_error(exc: urllib.error.HTTPError) -> str:
    """The status and the start of what the receiver said (a 3xx: where it pointed)."""
    try:
        text = exc.read(300).decode("utf-8", "replace").strip()
    except Exception:  # the body is only a hint
        text = ""
    finally:
        exc.close()
    if 300 <= exc.code < 400:
        text = _("不跟随重定向：%(location)s") % {"location": exc.headers.get("Location", "")}
    return f"HTTP {exc.code} {exc.reason}" + (f": {text}" if text else "")


def deliver_webhooks(now: datetime | None = None) -> dict[str, int]:
    """Send the due deliveries; returns how many were delivered, will be retried, failed.

    1. Claim up to CLAIM_BATCH due rows: lock them skipping those another worker holds, count
       the attempt and push `next_attempt_at` to the end of a lease, then commit. No lock or
       transaction is held while sending.
    2. POST each (`post`), outside any transaction.
    3. Record the outcome on the row, if the row is still the one this worker claimed (same
       attempt, still pending): delivered; or due again after the back-off; or, after
       MAX_ATTEMPTS, failed.
    Repeat until nothing is due or RUN_MAX rows were handled. A crash between 2 and 3 leaves
    the row pending: it is sent again when the lease ends (the receiver deduplicates by id).
    """
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    handled = 0
    while handled < RUN_MAX:
        claimed = _claim(now or timezone.now())
        for delivery in claimed:
            outcome = post(delivery, now or timezone.now())
            counts[_record(delivery, outcome, now or timezone.now())] += 1
        handled += len(claimed)
        if len(claimed) < CLAIM_BATCH:
            break
    if handled:
        log.info("webhook deliveries: %s", counts)
    return counts


def _claim(now: datetime) -> list[WebhookDelivery]:
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        webhook__active=True,
        webhook__system__active=True,
    ).order_by("next_attempt_at", "id")
    with transaction.atomic():
        claimed = list(
            due.select_for_update(skip_locked=True, of=("self",)).select_related("webhook")[
                :CLAIM_BATCH
            ]
        )
        if not claimed:
            return []
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now
        )
    for delivery in claimed:
        delivery.attempts += 1
    return claimed


def _record(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> str:
    fields = {"last_status_code": outcome.status_code, "last_error": outcome.error[:ERROR_MAX]}
    if outcome.delivered:
        key = "delivered"
        fields |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    elif delivery.attempts >= MAX_ATTEMPTS:
        key = "failed"
        fields["status"] = DeliveryStatus.FAILED
    else:
        key = "retrying"
        fields["next_attempt_at"] = now + retry_after(delivery.attempts)
    WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(**fields)
    if not outcome.delivered:
        log.warning(
            "webhook delivery %s to %s failed, attempt %s of %s: %s",
            delivery.pk,
            delivery.webhook.url,
            delivery.attempts,
            MAX_ATTEMPTS,
            outcome.error,
        )
    return key
