"""The text index: written at registration, rebuilt for older cases by a command."""

from django.core.management import call_command

from concord.cases.tests.factories import CaseFactory, build_case
from concord.duplicates.models import TextBand
from concord.duplicates.text import BANDS


def test_a_registered_case_enters_the_index_at_once(county):
    case = build_case(description="工地包工头拖欠木工工资三万八千元，多次讨要未果")
    bands = TextBand.objects.filter(case=case)
    assert 0 < bands.count() <= BANDS
    assert {b.received_at for b in bands} == {case.received_at}


def test_the_command_indexes_cases_registered_before_the_index(county, capsys):
    older = CaseFactory(description="楼上装修天天中午和晚上施工，噪音扰民")
    assert not TextBand.objects.filter(case=older).exists()
    call_command("index_duplicates")
    assert TextBand.objects.filter(case=older).exists()
    count = TextBand.objects.count()
    call_command("index_duplicates")
    assert TextBand.objects.count() == count
    call_command("index_duplicates", "--all")
    assert TextBand.objects.count() == count
    assert "已为" in capsys.readouterr().out
