"""Helpers for tests that need real concurrency (PostgreSQL row locks)."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(*calls: Callable[[], object]) -> list[object]:
    """Run each call on its own thread, all released together; returns their results (or the
    exceptions they raised) in call order. Each thread closes its own database connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # handed back to the test to assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
