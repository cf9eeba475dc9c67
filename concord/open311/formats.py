"""The two wire formats of GeoReport v2: JSON (a list of objects, or one object) and XML (a root
element around one element per item), with the spec's element names.

The JSON is the spec's "Spark convention" mapping of the XML: a root element holding repeated
items becomes a list; a list field (`formats`) becomes a list of strings.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all; a description pasted from a terminal might hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A refusal in the spec's shape: the HTTP status and one or more descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


def render(fmt: str, root: str, item: str | None, body, status: int = 200) -> HttpResponse:
    """`body` is a list of dicts (each an `item` element under `root`) or, when `item` is None,
    one dict that is the `root` element itself."""
    if fmt == "xml":
        element = ET.Element(root)
        for entry in body if item is not None else [body]:
            _fill(ET.SubElement(element, item) if item is not None else element, entry)
        text = ET.tostring(element, encoding="unicode")
        content = '<?xml version="1.0" encoding="utf-8"?>\n' + text
        return HttpResponse(content.encode(), content_type=XML_TYPE, status=status)
    content = json.dumps(body, ensure_ascii=False)
    return HttpResponse(content.encode(), content_type=JSON_TYPE, status=status)


def render_error(fmt: str, error: Open311Error) -> HttpResponse:
    """HTTP 400, 403 or 404 with `[{"code": …, "description": …}]`; the code in the body is the
    HTTP status, as the spec suggests."""
    body = [{"code": error.status, "description": d} for d in error.descriptions]
    return render(fmt if fmt in FORMATS else "json", "errors", "error", body, error.status)


# Lists whose XML form names each entry: endpoints › endpoint, formats › format, attributes.
_LIST_ITEMS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute"}


def _fill(element: ET.Element, entry: dict) -> None:
    for name, value in entry.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list):
            for item in value:
                grandchild = ET.SubElement(child, _LIST_ITEMS.get(name, "item"))
                if isinstance(item, dict):
                    _fill(grandchild, item)
                else:
                    grandchild.text = _text(item)
        else:
            child.text = _text(value)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))
