"""GET /api/v1/health: readiness (database, broker) for monitors; /healthz stays liveness."""

import time
from importlib.metadata import version
from unittest import mock

from django.db import OperationalError, connection

from .conftest import free_port


def test_without_a_broker_health_is_ok_and_says_jobs_run_here(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not_configured",
        "version": version("concord"),
    }


def test_with_the_broker_up_health_is_ok(client, db, broker, private_redis):
    private_redis.start()
    broker(private_redis.url)
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["broker"] == "ok"


def test_with_the_broker_down_health_is_degraded_but_answers_200_at_once(client, db, broker):
    broker(f"redis://127.0.0.1:{free_port()}/13")
    started = time.monotonic()
    response = client.get("/api/v1/health")
    assert time.monotonic() - started < 2
    assert response.status_code == 200  # intake still works: do not take the node out
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("degraded", "ok", "unreachable")


def test_with_the_database_down_health_answers_503_and_healthz_stays_200(client, db):
    down = OperationalError("could not connect to server")
    with mock.patch.object(connection, "cursor", side_effect=down):
        response = client.get("/api/v1/health")
        alive = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "unreachable"
    assert alive.status_code == 200
