"""gunicorn's own lines are JSON objects like Concord's (gunicorn.conf.py, read from the
working directory), for the same log collector."""

import json
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings


def test_gunicorn_writes_its_own_lines_as_json():
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "concord.wsgi", "--bind", "127.0.0.1:0"],
        cwd=Path(settings.BASE_DIR),
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("Booting worker" in x for x in lines):
            lines.append(server.stderr.readline())
    finally:
        server.terminate()
        server.wait(timeout=10)
    started = [json.loads(line) for line in lines if line.strip()]
    assert started[0]["logger"] == "gunicorn.error" and started[0]["level"] == "INFO"
    assert started[0]["message"].startswith("Starting gunicorn")
    assert {"timestamp", "message"} <= set(started[-1])
