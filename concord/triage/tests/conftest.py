"""Triage fixtures: closed cases written from the demo templates, and a fresh model cache."""

import pytest

from concord.cases.choices import CaseStatus
from concord.cases.models import Category
from concord.cases.tests.factories import CaseFactory
from concord.triage import services
from concord.triage.samples import labelled_rows


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test reads the model and the categories from its own database."""
    services.forget_loaded()
    yield
    services.forget_loaded()


@pytest.fixture
def closed_cases(county):
    """Demo-template texts (8 per template) registered and archived in their categories."""

    def make(per_template: int = 8, *, codes: set[str] | None = None) -> int:
        categories = {c.code: c for c in Category.objects.all()}
        rows = [
            (code, text)
            for source_id, code, text in labelled_rows(per_template, seed=1)
            if source_id.startswith("T") and (codes is None or code in codes)
        ]
        for code, text in rows:
            CaseFactory(
                status=CaseStatus.ARCHIVED, category=categories[code], title="", description=text
            )
        return len(rows)

    return make
