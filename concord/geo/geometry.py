"""Small planar geometry on GeoJSON outlines: point in polygon, centroid, pulling points inside.

Coordinates are GeoJSON order ([lng, lat]); the public functions take (lat, lng) like the models.
At county scale a flat lng/lat plane is accurate enough for "is this dot inside the county".
"""

from __future__ import annotations

import math
from collections.abc import Iterator

Ring = list[list[float]]
Edge = tuple[float, float, float, float]

_BANDS = 64


def iter_rings(outline: dict) -> Iterator[Ring]:
    """Every ring of every polygon in a FeatureCollection, Feature or geometry."""
    kind = outline.get("type")
    if kind == "FeatureCollection":
        for feature in outline.get("features", []):
            yield from iter_rings(feature)
    elif kind == "Feature":
        if outline.get("geometry"):
            yield from iter_rings(outline["geometry"])
    elif kind == "GeometryCollection":
        for geometry in outline.get("geometries", []):
            yield from iter_rings(geometry)
    elif kind == "Polygon":
        yield from outline["coordinates"]
    elif kind == "MultiPolygon":
        for polygon in outline["coordinates"]:
            yield from polygon


class PreparedOutline:
    """An outline's edges bucketed into horizontal bands, so a point test only scans one band.

    The case generator places thousands of dots; a plain scan of every edge would dominate.
    """

    def __init__(self, outline: dict) -> None:
        edges: list[Edge] = []
        for ring in iter_rings(outline):
            points = [(float(p[0]), float(p[1])) for p in ring]
            if len(points) < 3:
                continue
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
                if y1 != y2:  # horizontal edges never cross a horizontal ray
                    edges.append((x1, y1, x2, y2))
        self.empty = not edges
        if self.empty:
            return
        xs = [x for e in edges for x in (e[0], e[2])]
        ys = [y for e in edges for y in (e[1], e[3])]
        self.min_x, self.max_x = min(xs), max(xs)
        self.min_y, self.max_y = min(ys), max(ys)
        self.band_height = (self.max_y - self.min_y) / _BANDS or 1.0
        self.bands: list[list[Edge]] = [[] for _ in range(_BANDS)]
        for edge in edges:
            low, high = sorted((edge[1], edge[3]))
            for band in range(self._band(low), self._band(high) + 1):
                self.bands[band].append(edge)

    def _band(self, y: float) -> int:
        return min(_BANDS - 1, max(0, int((y - self.min_y) / self.band_height)))

    def contains(self, lat: float, lng: float) -> bool:
        """Even-odd ray casting: holes and several polygons come out right without bookkeeping."""
        if self.empty or not (self.min_x <= lng <= self.max_x and self.min_y <= lat <= self.max_y):
            return False
        inside = False
        for x1, y1, x2, y2 in self.bands[self._band(lat)]:
            if (y1 > lat) != (y2 > lat) and lng < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside


# Keyed by id() with the outline itself kept alive in the entry, so an id is never reused.
_PREPARED: dict[int, tuple[dict, PreparedOutline]] = {}


def prepared(outline: dict) -> PreparedOutline:
    entry = _PREPARED.get(id(outline))
    if entry is not None and entry[0] is outline:
        return entry[1]
    if len(_PREPARED) >= 16:
        _PREPARED.clear()
    result = PreparedOutline(outline)
    _PREPARED[id(outline)] = (outline, result)
    return result


def point_in_outline(lat: float, lng: float, outline: dict | None) -> bool:
    """Whether (lat, lng) lies inside the outline (ray casting over all rings of its polygons)."""
    if not outline:
        return False
    return prepared(outline).contains(lat, lng)


def ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """(|area|, lat, lng) of one ring by the shoelace formula."""
    area2 = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area2 += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area2 == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(ys) / len(ys), sum(xs) / len(xs)
    return abs(area2) / 2, cy / (3 * area2), cx / (3 * area2)


def outline_anchor(
    outline: dict, fallback: tuple[float, float] | None = None
) -> tuple[float, float]:
    """A point inside the outline: the largest ring's centroid when it is inside (a concave
    outline can have it outside), else `fallback`, else the inside grid point nearest to it."""
    rings = [r for r in iter_rings(outline) if len(r) >= 3]
    if not rings:
        raise ValueError("outline has no polygon")
    _, lat, lng = max((ring_area_centroid(r) for r in rings), key=lambda c: c[0])
    if point_in_outline(lat, lng, outline):
        return lat, lng
    if fallback and point_in_outline(*fallback, outline):
        return fallback
    # Scan a coarse grid over the bounding box for the inside point nearest the centroid.
    shape = prepared(outline)
    best: tuple[float, float, float] | None = None
    for i in range(1, 40):
        for j in range(1, 40):
            y = shape.min_y + (shape.max_y - shape.min_y) * i / 40
            x = shape.min_x + (shape.max_x - shape.min_x) * j / 40
            if shape.contains(y, x):
                dist = (y - lat) ** 2 + (x - lng) ** 2
                if best is None or dist < best[0]:
                    best = (dist, y, x)
    if best is None:
        raise ValueError("outline too thin to find an inside point")
    return best[1], best[2]


def pull_inside(
    lat: float, lng: float, outline: dict, anchor: tuple[float, float]
) -> tuple[float, float]:
    """Move (lat, lng) toward `anchor` (an inside point) until it is inside the outline."""
    if point_in_outline(lat, lng, outline):
        return lat, lng
    for step in range(1, 21):
        t = step / 20
        y = lat + (anchor[0] - lat) * t
        x = lng + (anchor[1] - lng) * t
        if point_in_outline(y, x, outline):
            # One more step in, when that is still inside, so the dot does not sit on the border.
            y2 = lat + (anchor[0] - lat) * min(1.0, t + 0.05)
            x2 = lng + (anchor[1] - lng) * min(1.0, t + 0.05)
            return (y2, x2) if point_in_outline(y2, x2, outline) else (y, x)
    return anchor


def offset_km(lat: float, lng: float, distance_km: float, bearing: float) -> tuple[float, float]:
    """The point `distance_km` away in direction `bearing` (radians from north), flat-earth."""
    dlat = distance_km * math.cos(bearing) / 111.32
    dlng = distance_km * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
    return lat + dlat, lng + dlng
