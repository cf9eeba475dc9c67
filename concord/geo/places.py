"""Free-text addresses of the county → town and village codes.

"上虞区崧厦街道祝温村3组" → 崧厦街道, 祝温村. Names are matched as written in the national
division list, then by their short forms (崧厦, 祝温) where that is safe: a town's short name
anywhere in the text, a village's only inside its town. An address that names nothing known
keeps its text and stays at county level: a person reads it, a guess would send the case to
the wrong village.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Division, DivisionLevel

_SPACES = re.compile(r"\s+")
_TOWN_SUFFIXES = ("街道", "镇", "乡")
_VILLAGE_SUFFIXES = ("社区", "居委会", "村委会", "村")


@dataclass(frozen=True)
class Place:
    town: str | None = None  # 12-digit codes
    village: str | None = None

    @property
    def division(self) -> str | None:
        """The most precise code known."""
        return self.village or self.town


@dataclass(frozen=True)
class _Name:
    text: str
    code: str
    town: str


class Gazetteer:
    """The county's town and village names, loaded once for many addresses (an import)."""

    def __init__(self, divisions: list[tuple[str, str, str, str | None]]) -> None:
        towns, villages = [], []
        for code, name, level, parent in divisions:
            if level == DivisionLevel.TOWN:
                towns += [_Name(text, code, code) for text in _forms(name, _TOWN_SUFFIXES)]
            elif level == DivisionLevel.VILLAGE:
                villages += [
                    _Name(text, code, parent or "") for text in _forms(name, _VILLAGE_SUFFIXES)
                ]
        # Longest first: 章镇镇 before 章镇, 上虞区 names before their parts.
        self.towns = sorted(towns, key=lambda n: -len(n.text))
        self.villages = sorted(villages, key=lambda n: -len(n.text))
        self.full_villages = {
            n.text: n for n in self.villages if n.text.endswith(_VILLAGE_SUFFIXES)
        }

    @classmethod
    def load(cls) -> Gazetteer:
        levels = (DivisionLevel.TOWN, DivisionLevel.VILLAGE)
        rows = Division.objects.filter(level__in=levels).values_list(
            "code", "name", "level", "parent_id"
        )
        return cls(list(rows))

    def locate(self, address: str) -> Place:
        text = _SPACES.sub("", address or "")
        if not text:
            return Place()
        for town in self.towns:
            if town.text not in text:
                continue
            rest = text[text.index(town.text) + len(town.text) :]
            village = next(
                (n for n in self.villages if n.town == town.code and n.text in rest), None
            )
            # A short name alone (永和, 上浦) is too common in street names to trust: it
            # counts only with one of the town's villages after it.
            if village or town.text.endswith(_TOWN_SUFFIXES):
                return Place(town.code, village.code if village else None)
        # A full village name alone ("祝温村3组") names its town too.
        village = next((n for n in self.full_villages.values() if n.text in text), None)
        return Place(village.town, village.code) if village else Place()


def locate(address: str) -> Place:
    """One address; for many, load a Gazetteer once."""
    return Gazetteer.load().locate(address)


def _forms(name: str, suffixes: tuple[str, ...]) -> list[str]:
    """The name, and its short form when what is left is at least two characters."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name, name[: -len(suffix)]]
    return [name]
