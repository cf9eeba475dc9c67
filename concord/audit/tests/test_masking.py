"""Personal identifiers are masked by default: in every log line (the PII filter on the console
handler), and in the case lists, the export and the API's lists and details. Only the audited
full views show them whole."""

import io
import logging

import pytest
from openpyxl import load_workbook

from concord.audit.models import AuditAction, AuditEntry
from concord.cases.services import PartyDraft
from concord.cases.tests.factories import build_case
from concord.core.logfilters import MaskPIIFilter
from concord.core.pii import erase_in_text, mask_in_text

ID_NUMBER = "330602199001011231"
MOBILE = "13857512345"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"身份证号{ID_NUMBER}的当事人", "身份证号3306**********1231的当事人"),
        ("id=33060219900101123X.", "id=3306**********123X."),
        (f"call {MOBILE} now", "call 138****2345 now"),
        ("+86 138-5751-2345", "+86 138****2345"),
        ("8613857512345", "86138****2345"),
        (f"{ID_NUMBER},{MOBILE}", "3306**********1231,138****2345"),
        # Longer digit runs are other numbers (orders, cards), and landlines stay.
        ("order 3306021990010112311 and 0575-82123456", None),
        ("tracking SY2611230042, 2026-11-23", None),
    ],
)
def test_mask_in_text(text, masked):
    assert mask_in_text(text) == (masked if masked is not None else text)


def test_erase_in_text_removes_the_numbers_whole():
    text = f"电话{MOBILE}或0575-82123456，身份证{ID_NUMBER}，欠薪12000元"
    assert (
        erase_in_text(text, "〔已删除〕")
        == "电话〔已删除〕或〔已删除〕，身份证〔已删除〕，欠薪12000元"
    )


def test_the_console_handler_masks_every_record():
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "settings.LOGGING's console handler is on the root logger"
    assert all(any(isinstance(f, MaskPIIFilter) for f in h.filters) for h in handlers)


def test_log_records_reach_the_log_masked(caplog):
    log = logging.getLogger("concord.tests.masking")
    with caplog.at_level(logging.INFO):
        log.warning("短信发送给 %s（身份证 %s）", MOBILE, ID_NUMBER, extra={"who": MOBILE})
        try:
            raise ValueError(f"bad id {ID_NUMBER}")
        except ValueError:
            log.exception("处理 %s 失败", MOBILE)
    # The console handler comes first on the root logger: the records caplog keeps are the
    # records it rewrote.
    assert ID_NUMBER not in caplog.text and MOBILE not in caplog.text
    first, second = caplog.records
    assert first.getMessage() == "短信发送给 138****2345（身份证 3306**********1231）"
    assert first.who == "138****2345"
    assert "bad id 3306**********1231" in second.exc_text and second.exc_info is None
    assert "Traceback" in caplog.text


def test_the_filter_alone_masks_message_arguments_and_traceback():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "phone %s", (MOBILE,), None)
    record.payload = {"not": "a string"}
    assert MaskPIIFilter().filter(record) is True
    assert record.getMessage() == "phone 138****2345" and record.payload == {"not": "a string"}
    assert MaskPIIFilter().filter(record) is True  # twice through (two handlers): unchanged
    assert record.getMessage() == "phone 138****2345"


# ---------------------------------------------------------------- pages, export, API


@pytest.fixture
def case(db):
    party = PartyDraft("applicant", "王建国", ID_NUMBER, MOBILE, "百官街道龙山社区3幢")
    return build_case("registered", parties=[party])


@pytest.mark.django_db
def test_lists_detail_export_and_api_show_masked_numbers(case, web, api):
    clerk = web("clerk")
    pages = {
        "list": clerk.get("/cases/").content.decode(),
        "detail": clerk.get(f"/cases/{case.pk}/").content.decode(),
        "api list": api("clerk").get("/cases").content.decode(),
        "api detail": api("clerk").get(f"/cases/{case.pk}").content.decode(),
    }
    export = clerk.get("/cases/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    pages["export"] = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    for name, text in pages.items():
        assert ID_NUMBER not in text and MOBILE not in text, name
    assert "3306**********1231" in pages["detail"] and "138****2345" in pages["detail"]
    assert "3306**********1231" in pages["api detail"]
    assert "138****2345" in pages["export"]
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL_PII).exists()
