"""The demo county's connected systems: the 12345 hotline and the court.

`load_demo()` is idempotent and silent. No key is issued here that anyone could read: an
administrator rotates a system's key in the admin (系统配置 → 对接系统 → 轮换访问密钥) and
sees it once. The demo's 12345 cases (channel 12345, no source yet) are marked as the
hotline's work orders, so that the feedback export and the system's API reads have data.
"""

from __future__ import annotations

from django.db import transaction

from concord.cases.choices import Channel
from concord.cases.models import Case

from .keys import new_account
from .models import ExternalSystem, Scope

HOTLINE = "12345"
SYSTEMS = [
    # (code, name, channel, scopes)
    (HOTLINE, "12345市民热线", Channel.HOTLINE_12345, [Scope.CASES_CREATE, Scope.CASES_READ]),
    (
        "court",
        "区人民法院诉前调解平台",
        Channel.COURT_REFERRAL,
        [Scope.CASES_CREATE, Scope.CASES_READ],
    ),
]


@transaction.atomic
def load_demo() -> None:
    for code, name, channel, scopes in SYSTEMS:
        if not ExternalSystem.objects.filter(code=code).exists():
            ExternalSystem.objects.create(
                code=code,
                name=name,
                channel=channel,
                scopes=[str(s) for s in scopes],
                account=new_account(code, name),
            )
    _mark_hotline_orders()


def _mark_hotline_orders() -> None:
    """Work-order numbers as 12345 writes them: GD + the day received + the case's id."""
    cases = list(
        Case.objects.filter(channel=Channel.HOTLINE_12345, source="").only("id", "received_at")
    )
    for case in cases:
        case.source = HOTLINE
        case.source_id = f"GD{case.received_at:%Y%m%d}{case.pk:06d}"
    Case.objects.bulk_update(cases, ["source", "source_id"], batch_size=1000)
