"""Helpers for tests: real concurrency (PostgreSQL row locks), and reading generated PDFs and
Word files."""

import io
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
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


PDFTOTEXT = "/usr/bin/pdftotext"


def pdf_text(pdf: bytes | Path) -> str:
    """The text of a PDF (poppler's pdftotext), with all white space removed so that lines
    broken by the layout still match. `make test` installs poppler-utils; without it the test
    fails and says so, rather than passing without looking."""
    if not os.access(PDFTOTEXT, os.X_OK):
        pytest.fail(
            f"Reading PDFs needs {PDFTOTEXT}, which is missing. "
            "Install it with `sh scripts/ensure-browser.sh` (`make test` does this).",
            pytrace=False,
        )
    body = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    out = subprocess.run([PDFTOTEXT, "-", "-"], input=body, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


def word_text(body: bytes) -> str:
    """The paragraphs of a Word file, then its tables' cells, one per line."""
    from docx import Document

    document = Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)
