"""Serving a 督办函 file, shared by the API and the pages."""

from django.http import HttpResponse

from concord.core.documents import document_response

from .models import Supervision
from .supervision import letter_document


def letter_response(supervision: Supervision, kind: str) -> HttpResponse:
    name = f"督办函-{supervision.case.tracking_code}-{supervision.pk}"
    return document_response(letter_document(supervision), kind, name)
