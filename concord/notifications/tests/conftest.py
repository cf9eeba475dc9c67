"""Senders that record or refuse instead of sending, for override_settings(CONCORD_SENDERS=…)."""

import threading
import time

import pytest

from concord.notifications.senders import Sender

HERE = "concord.notifications.tests.conftest"


class RecordingSender(Sender):
    """Keeps what it was asked to send (class-wide, across instances and threads)."""

    sent: list = []
    lock = threading.Lock()
    delay = 0.0

    def send(self, message) -> None:
        if self.delay:
            time.sleep(self.delay)  # lets two deliveries overlap in the race test
        with self.lock:
            RecordingSender.sent.append((message.pk, message.channel, message.recipient))


class FailingSender(Sender):
    def send(self, message) -> None:
        raise RuntimeError("短信网关无响应")


RECORD = {"sms": f"{HERE}.RecordingSender", "email": f"{HERE}.RecordingSender"}
FAIL = {"sms": f"{HERE}.FailingSender", "email": f"{HERE}.FailingSender"}


@pytest.fixture
def sent():
    """What RecordingSender sent during this test: [(message id, channel, recipient)]."""
    RecordingSender.sent = []
    RecordingSender.delay = 0.0
    yield RecordingSender.sent
    RecordingSender.sent = []
    RecordingSender.delay = 0.0
