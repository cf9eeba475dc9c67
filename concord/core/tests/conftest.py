"""Brokers for the fault tests: a URL where nothing listens, and a private Redis server that
a test may stop and start (never the machine's shared one)."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from kombu import pools

from concord.celery import app as celery_app
from concord.core import jobs


def free_port() -> int:
    """A local port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_broker(settings, url: str) -> None:
    """Point settings and the Celery app at `url`, dropping connections to the previous one."""
    settings.CELERY_BROKER_URL = url
    _reset_app(url)


def _reset_app(url: str) -> None:
    pools.reset()  # kombu's process-wide connection and producer pools, by broker URL
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = url


@pytest.fixture
def broker(settings):
    """use_broker(settings, url) for the test; the app's own broker is restored after."""
    previous = celery_app.conf.broker_url
    jobs._broker_down_until = 0.0
    yield lambda url: use_broker(settings, url)
    jobs._broker_down_until = 0.0
    _reset_app(previous)


class PrivateRedis:
    """A redis-server of this test's own on a free port, in a temporary directory, without
    persistence: started and stopped at will."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            pytest.fail("redis-server is missing: install Debian's redis-server", pytrace=False)
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@contextmanager
def waiting_for(condition, timeout: float = 30.0):
    """Yield, then wait until `condition()` holds (polling), failing after `timeout` s."""
    yield
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {condition.__doc__}")
        time.sleep(0.1)
