"""What other systems do through the inbound API: register their cases once per work order."""

from __future__ import annotations

from dataclasses import replace

from django.db import IntegrityError
from django.utils.translation import gettext as _

from concord.cases.models import Case
from concord.cases.services import CaseDraft, register_case
from concord.core.errors import Conflict, InvalidInput
from concord.geo.places import locate

from .models import ExternalSystem


def register_from_system(system: ExternalSystem, draft: CaseDraft) -> tuple[Case, bool]:
    """Register a system's work order, or return the case it already became.

    Returns (case, created). The system's code is the case's `source` and its `source_id` is
    required: the same work order sent again (a retry, a resend, an earlier file import of the
    same source) is the case registered first, and nothing new is written. The channel
    defaults to the system's; an address without a division is placed in its town and village
    when the county's names are found in it (else the county).
    """
    source_id = (draft.source_id or "").strip()
    if not source_id:
        raise InvalidInput(
            {"source_id": _("对接系统登记事项须提供来源编号（source_id），用于防止重复登记")}
        )
    if existing := _sent_before(system, source_id):
        return existing, False
    division = draft.division
    if not division and draft.address:
        division = locate(draft.address).division or ""
    draft = replace(
        draft,
        source=system.code,
        source_id=source_id,
        channel=draft.channel or system.channel,
        division=division,
    )
    try:
        return register_case(actor=system.account, draft=draft), True
    except (Conflict, IntegrityError):
        # The same work order sent twice at once: the other request registered it first.
        if existing := _sent_before(system, source_id):
            return existing, False
        raise


def _sent_before(system: ExternalSystem, source_id: str) -> Case | None:
    return Case.objects.filter(source=system.code, source_id=source_id).first()
