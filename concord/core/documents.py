"""Official documents (公文) as Word and PDF from one description: the 督办函, the 人民调解协议书,
mediation records, warning letters. A domain builds a `Document`; this module lays it out."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .errors import ServiceError

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass
class Section:
    """A numbered part of a document: a heading, its paragraphs, and an optional table."""

    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Document:
    title: str
    number: str = ""
    addressee: str = ""  # 「某某单位：」 above the body; empty for documents without one
    sections: list[Section] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)  # lines at the bottom right


class PdfUnavailable(ServiceError):
    """WeasyPrint's system libraries (Pango) or fonts are missing on this machine."""

    status = 503
    code = "pdf_unavailable"


def to_docx(document: Document) -> bytes:
    from docx import Document as Word
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    word = Word()
    style = word.styles["Normal"]
    style.font.name, style.font.size = "仿宋", Pt(14)
    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(document.title)
    run.bold, run.font.size = True, Pt(22)
    if document.number:
        number = word.add_paragraph(_("编号：%(number)s") % {"number": document.number})
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if document.addressee:
        word.add_paragraph(f"{document.addressee}：")
    for section in document.sections:
        if section.heading:
            word.add_paragraph().add_run(section.heading).bold = True
        for text in section.paragraphs:
            word.add_paragraph(text)
        if section.rows:
            table = word.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in section.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
    if document.signature:
        signature = word.add_paragraph("\n" + "\n".join(document.signature))
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word.core_properties.title = f"{document.title} {document.number}".strip()
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def to_pdf(document: Document) -> bytes:
    """The document as PDF (WeasyPrint with the machine's CJK font)."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango or its fonts are missing
        raise PdfUnavailable(_("本机无法生成PDF，请下载Word版")) from exc
    html = render_to_string("core/document.html", {"document": document})
    return HTML(string=html).write_pdf()


def document_response(document: Document, kind: str, filename: str) -> HttpResponse:
    """The document as a download; `kind` is "docx" or "pdf", `filename` has no extension."""
    if kind not in CONTENT_TYPES:
        raise Http404
    body = to_docx(document) if kind == "docx" else to_pdf(document)
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.{kind}"
    return response
