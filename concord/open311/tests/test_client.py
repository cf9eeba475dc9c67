"""The must-show: a scripted Open311 client speaking plain HTTP (urllib, no Django) lists the
services, posts a request and reads it back with its status; once the center resolves the case,
it reads it back closed with the reply."""

import io
import re
import subprocess
import sys
from pathlib import Path

from concord.integrations.keys import register_system
from concord.open311 import client as open311_client

from .conftest import NOISE, case_of

SCRIPT = Path(open311_client.__file__)


def run_script(*args: str) -> str:
    """The client as its own process, as another system would run it."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE, no project on the path
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_scripted_client_lists_posts_reads_back_and_sees_it_closed(live_server, walk):
    _, key = register_system("citizen-app", "市民随手拍", "portal", ["open311"])
    base = f"{live_server.url}/open311/v2"

    out = run_script("--base", base, "--api-key", key, "--service", NOISE)
    assert re.search(r"services\.json: \d+ services", out)
    request_id = re.search(r"service_request_id=(SY\d{10})", out).group(1)
    assert f"查询码 {request_id}" in out
    assert f"GET requests/{request_id}.json: status=open (登记)" in out

    walk(case_of({"service_request_id": request_id}), "resolved", reply="已协调施工方错峰施工。")
    out = run_script("--base", base, "--api-key", key, "--read", request_id)
    assert f"GET requests/{request_id}.json: status=closed (已协调施工方错峰施工。)" in out


def test_the_client_reports_refusals_in_the_spec_shape(live_server, county):
    client = open311_client.Open311Client(f"{live_server.url}/open311/v2", "cs_wrong")
    try:
        client.post_request(service_code=NOISE, address_string="百官街道", description="x")
    except open311_client.Open311Failure as failure:
        assert failure.status == 403
        assert failure.errors == [{"code": 403, "description": "api_key 无效或已停用"}]
    else:
        raise AssertionError("a wrong key was accepted")


def test_the_client_library_round_trip_in_process(live_server, walk):
    _, key = register_system("grid-app", "网格通", "grid", ["open311"])
    client = open311_client.Open311Client(f"{live_server.url}/open311/v2", key)
    assert client.service_definition(NOISE) == {"service_code": NOISE, "attributes": []}
    args = open311_client.parser().parse_args(["--service", NOISE, "--lat", "30.03"])
    args.long = 120.87
    request = open311_client.run(client, args, out=io.StringIO())
    assert request["status"] == "open" and request["lat"] == 30.03
    listed = client.requests(status="open")
    assert [r["service_request_id"] for r in listed] == [request["service_request_id"]]
