"""弱信号: a town × category well above its own baseline raises one warning with evidence."""

import datetime as dt

import time_machine

from concord.cases.models import Category
from concord.cases.tests.factories import BAIGUAN, CAOE, CaseFactory, first_village
from concord.geo.models import Division
from concord.risk.models import SpikeWarning
from concord.risk.spikes import open_warnings, sweep_spikes

from .conftest import at

TODAY = dt.date(2026, 11, 20)


def wage_cases(n: int, *, days_ago: float, town: str = BAIGUAN, every: float = 0):
    """`n` wage-arrears cases in a village of `town`, the first `days_ago` before TODAY noon,
    the next ones `every` days earlier each."""
    village = first_village(town)
    category = Category.objects.get(code="labour-wage-arrears")
    noon = at(TODAY.year, TODAY.month, TODAY.day, 12)
    return [
        CaseFactory(
            division=village,
            category=category,
            received_at=noon - dt.timedelta(days=days_ago + i * every),
        )
        for i in range(n)
    ]


def baseline_of_one_a_week(town: str = BAIGUAN):
    """One wage case a week over the 12 weeks before the window."""
    return wage_cases(12, days_ago=10, every=7, town=town)


def sweep(day: dt.date = TODAY):
    with time_machine.travel(at(day.year, day.month, day.day, 23), tick=False):
        return sweep_spikes()


def test_eight_wage_cases_in_a_week_over_a_baseline_of_one_raise_one_warning():
    baseline_of_one_a_week()
    recent = wage_cases(8, days_ago=0, every=0.5)
    (warning,) = sweep()
    assert warning.town_id == BAIGUAN and warning.category.code == "labour"
    assert (warning.count, warning.baseline, warning.ratio) == (8, 1.0, 8.0)
    assert (warning.window_start, warning.window_end) == (dt.date(2026, 11, 14), TODAY)
    assert warning.case_ids == sorted(case.pk for case in recent)


def test_two_wage_cases_do_not():
    baseline_of_one_a_week()
    wage_cases(2, days_ago=1)
    assert sweep() == [] and not SpikeWarning.objects.exists()


def test_a_town_always_this_busy_has_no_spike():
    wage_cases(12 * 8, days_ago=8, every=84 / 96)  # eight a week for twelve weeks
    wage_cases(8, days_ago=0, every=0.5)
    assert sweep() == []


def test_a_quiet_cell_needs_the_minimum_count():
    wage_cases(4, days_ago=1)
    assert sweep() == []
    wage_cases(1, days_ago=1)
    assert len(sweep()) == 1


def test_the_same_spike_is_raised_once_across_sweeps():
    baseline_of_one_a_week()
    wage_cases(8, days_ago=0, every=0.5)
    assert len(sweep()) == 1
    assert sweep() == []  # the same day again
    assert sweep(TODAY + dt.timedelta(days=3)) == []  # the window overlaps the warned one
    assert SpikeWarning.objects.count() == 1


def test_other_towns_and_cases_outside_the_window_are_separate():
    baseline_of_one_a_week()
    wage_cases(8, days_ago=0, every=0.5, town=CAOE)
    wage_cases(6, days_ago=7.5, every=0)  # yesterday's week for 百官, not this one
    (warning,) = sweep()
    assert warning.town_id == CAOE


def test_merged_copies_do_not_count():
    baseline_of_one_a_week()
    cases = wage_cases(8, days_ago=0, every=0.5)
    for copy in cases[:4]:
        copy.merged_into = cases[-1]
        copy.save(update_fields=["merged_into"])
    assert sweep() == []


def test_open_warnings_are_listed_per_division():
    baseline_of_one_a_week()
    wage_cases(8, days_ago=0, every=0.5)
    sweep()
    county = Division.objects.get(code="330604000000")
    assert open_warnings(county).count() == 1
    assert open_warnings(Division.objects.get(code=BAIGUAN)).count() == 1
    assert open_warnings(first_village(BAIGUAN)).count() == 1
    assert open_warnings(Division.objects.get(code=CAOE)).count() == 0
