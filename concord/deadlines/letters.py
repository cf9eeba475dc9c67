"""Serving a 督办函 file, shared by the API and the pages."""

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from concord.core.errors import ServiceError

from .models import Supervision
from .supervision import PdfUnavailable, letter_docx, letter_pdf

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class LetterUnavailable(ServiceError):
    status = 503
    code = "pdf_unavailable"


def letter_response(supervision: Supervision, kind: str) -> HttpResponse:
    if kind not in TYPES:
        raise Http404
    try:
        body = letter_docx(supervision) if kind == "docx" else letter_pdf(supervision)
    except PdfUnavailable as exc:
        raise LetterUnavailable(_("本机无法生成PDF，请下载Word版督办函")) from exc
    response = HttpResponse(body, content_type=TYPES[kind])
    name = f"督办函-{supervision.case.tracking_code}-{supervision.pk}.{kind}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
