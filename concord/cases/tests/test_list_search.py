"""The case list as it behaves over a whole county: counts that stop at a limit, keyword
search that an index can answer (two-character Chinese words included)."""

import pytest
from django.db import connection

from concord.cases.models import Case
from concord.cases.search import bigrams, matching
from concord.cases.tests.factories import build_case

WAGES = "工地拖欠工资三个月，老板联系不上。"
NOISE = "楼上装修Noise扰民，晚上十点后仍在施工。"


def test_a_list_longer_than_the_limit_says_more_than(api, web, settings):
    settings.CONCORD = {**settings.CONCORD, "LIST_COUNT_LIMIT": 2}
    for _ in range(3):
        build_case()
    listed = api("clerk").get("/cases", {"page_size": 1}).json()
    assert (listed["count"], listed["count_exact"]) == (2, False)
    page = web("dispatcher").get("/cases/")
    assert page.context["page"].paginator.capped
    assert "超过 2 件" in page.content.decode()


def test_a_list_within_the_limit_counts_exactly(api, web, settings):
    settings.CONCORD = {**settings.CONCORD, "LIST_COUNT_LIMIT": 2}
    build_case()
    build_case()
    listed = api("clerk").get("/cases").json()
    assert (listed["count"], listed["count_exact"]) == (2, True)
    page = web("dispatcher").get("/cases/").content.decode()
    assert "共 2 件" in page and "超过" not in page


@pytest.mark.parametrize(
    "keyword, found",
    [
        ("工资", "wages"),  # two characters: the index's pairs alone
        ("拖欠工资", "wages"),
        ("资", "wages"),  # one character: the substring alone
        ("noise", "noise"),  # letters in any case
        ("NOISE扰民", "noise"),
        ("工资扰民", None),  # every pair occurs somewhere, the words do not
        ("  ", "both"),  # blank: no keyword
    ],
)
def test_keyword_search_finds_the_words_in_title_or_description(api, keyword, found):
    cases = {
        "wages": build_case(description=WAGES, title="欠薪"),
        "noise": build_case(description=NOISE, title="噪音"),
    }
    listed = api("clerk").get("/cases", {"q": keyword}).json()["items"]
    expected = set(cases) if found == "both" else {found} - {None}
    assert {c["tracking_code"] for c in listed} == {cases[k].tracking_code for k in expected}


def test_keyword_search_finds_a_case_by_its_tracking_code(api):
    case = build_case(description=WAGES)
    build_case(description=NOISE)
    listed = api("clerk").get("/cases", {"q": case.tracking_code.lower()}).json()["items"]
    assert [c["tracking_code"] for c in listed] == [case.tracking_code]


def test_the_pairs_of_a_keyword_match_the_databases_pairs(db):
    build_case(description=NOISE, title="噪音")
    if connection.vendor != "postgresql":
        pytest.skip("the pairs are computed by the database on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT concord_bigrams(title, description) FROM cases_case")
        (stored,) = cursor.fetchone()
    assert set(bigrams("噪音 " + NOISE)) == set(stored)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_a_two_character_keyword_is_answered_from_the_text_index(db):
    build_case(description=WAGES)
    found = matching(Case.objects.order_by(), "工资")  # in no order: the index or a scan
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's table is small
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row for (row,) in cursor.fetchall())
    assert "case_text_bigrams_gin" in plan
