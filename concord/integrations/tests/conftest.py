"""Integration fixtures: the 12345 hotline as a connected system with its key, an API client
that presents the key, and a real webhook receiver on 127.0.0.1 that checks signatures."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from concord.cases.choices import Channel
from concord.integrations.keys import register_system
from concord.integrations.models import ExternalSystem, Scope, Webhook
from concord.integrations.webhooks import verify_signature

SECRET = "receiver-shared-secret-0123456789"


class SystemClient:
    """JSON calls to /api/v1/ presenting a system key (X-API-Key, or as a bearer token)."""

    def __init__(self, key: str, *, bearer: bool = False):
        self.client = Client()
        header = {"Authorization": f"Bearer {key}"} if bearer else {"X-API-Key": key}
        self.headers = header

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path: str, body=None):
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )


@pytest.fixture
def hotline(county) -> tuple[ExternalSystem, str]:
    """The 12345 hotline, allowed to register and read its cases: (system, key)."""
    return register_system(
        "12345", "12345市民热线", Channel.HOTLINE_12345, [Scope.CASES_CREATE, Scope.CASES_READ]
    )


@pytest.fixture
def system_api():
    return lambda key, **kw: SystemClient(key, **kw)


class Receiver:
    """An HTTP endpoint on 127.0.0.1 recording what it receives. `answer` is the status it
    replies with; `stop()` takes it down (connections refused) and `start()` brings it back on
    the same port. Each delivery's signature is checked with SECRET as it arrives."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answer = 200
        self.delay = 0.0
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.placeholder: socket.socket | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/concord"

    def start(self) -> None:
        receiver = self
        if self.placeholder is not None:
            self.placeholder.close()
            self.placeholder = None

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.received.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "payload": json.loads(body),
                            "verified": verify_signature(
                                SECRET,
                                self.headers["X-Concord-Timestamp"],
                                body,
                                self.headers["X-Concord-Signature"],
                            ),
                        }
                    )
                self.send_response(receiver.answer)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.answer < 300 else b"receiver is unhappy")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self, *, for_good: bool = False) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        if for_good:
            if self.placeholder is not None:
                self.placeholder.close()
            return
        # Keep the port, bound but not listening (connections are refused), so that nothing
        # else on this machine takes it before the receiver comes back.
        self.placeholder = socket.socket()
        self.placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.placeholder.bind(("127.0.0.1", self.port))

    def delivery_ids(self) -> Counter:
        return Counter(r["headers"]["X-Concord-Delivery"] for r in self.received)


@pytest.fixture
def receiver():
    running = Receiver()
    running.start()
    yield running
    running.stop(for_good=True)


@pytest.fixture
def subscribed(hotline, receiver) -> Webhook:
    """The hotline's subscription to every event, sent to the test receiver."""
    system, _key = hotline
    return Webhook.objects.create(
        system=system, url=receiver.url, secret=SECRET, events=["accepted", "answered", "closed"]
    )
