"""Risk fixtures: the demo county (reference data, personas) at a fixed time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def reference(county):
    """Every risk test needs the county's categories, divisions and accounts."""
