"""A report's charts as PNG images: matplotlib's Agg renderer through `Figure` objects, never
pyplot (its global state is not safe on a worker thread), lettered in the machine's CJK font.

Without a CJK font (scripts/ensure-browser.sh installs one) the charts are still drawn, with
the Chinese missing; a warning says why once.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

# The first of these the machine has letters the charts.
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "Droid Sans Fallback",
]
WIDTH_IN = 6.3  # a portrait A4 page's text width
DPI = 150
BLUE, GREY = "#2563eb", "#9ca3af"


@functools.cache
def cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {font.name for font in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in names), None)
    if found is None:
        log.warning("no CJK font for report charts (install fonts-wqy-microhei)")
    return found


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    font = cjk_font()
    with matplotlib.rc_context(
        {
            "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
            "axes.unicode_minus": False,  # CJK fonts lack U+2212
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def bars(title: str, items: list[tuple[str, int]], unit: str) -> bytes:
    """Horizontal bars, largest on top, each labelled with its number."""
    from matplotlib.figure import Figure

    with _style():
        height = max(2.2, 0.28 * len(items) + 1.0)
        figure = Figure(figsize=(WIDTH_IN, height), layout="constrained")
        axes = figure.subplots()
        names = [name for name, _n in reversed(items)]
        values = [n for _name, n in reversed(items)]
        shown = axes.barh(names, values, color=BLUE, height=0.6)
        axes.bar_label(shown, padding=3, fontsize=8)
        axes.set_title(title, fontsize=11)
        axes.set_xlabel(unit)
        axes.margins(x=0.12)
        return _png(figure)


def trend(
    title: str, months: list[dt.date], this: list[int], before: list[int], labels: tuple[str, str]
) -> bytes:
    """Monthly volume against the same months a year before."""
    from matplotlib.figure import Figure

    with _style():
        figure = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
        axes = figure.subplots()
        places = range(len(months))
        axes.plot(places, this, marker="o", color=BLUE, label=labels[0])
        axes.plot(places, before, marker="o", color=GREY, linestyle="--", label=labels[1])
        axes.set_xticks(places, [f"{m:%y.%m}" for m in months])
        axes.set_title(title, fontsize=11)
        axes.set_ylim(bottom=0)
        axes.legend(frameon=False)
        axes.grid(axis="y", alpha=0.3)
        return _png(figure)
