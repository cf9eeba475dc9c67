"""Checking one row of an import: every field by the rules intake applies (cases.services),
with the reference data read once per file, so that 100,000 rows cost no query each.

A row is either a `Clean` (what will be written) or a list of reasons, each naming the
column as the file names it ("来电时间：无法识别的日期「2025-13-45」"). Closed history
(resolved, rated, archived) needs its result and its time of resolution; a row still open
imports as a registered case, to be handled here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concord.cases.choices import CaseStatus, Satisfaction
from concord.cases.models import Case, Category
from concord.core.limits import (
    ADDRESS_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    TITLE_MAX,
)
from concord.core.pii import id_number_problem, phone_problem
from concord.geo.models import Division, DivisionLevel
from concord.geo.places import Gazetteer

from .profiles import CHOICES, Mapping, normal

S = CaseStatus
IMPORTABLE = frozenset({S.REGISTERED, S.RESOLVED, S.RATED, S.ARCHIVED})
CLOSED = frozenset({S.RESOLVED, S.RATED, S.ARCHIVED})
SOURCE_ID_MAX = Case._meta.get_field("source_id").max_length
CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
# Clocks differ: a time a few minutes ahead of ours is not "in the future".
CLOCK_SLACK = dt.timedelta(minutes=10)
_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T ]*(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?分?)?$"
)
_CATEGORY_SEPARATORS = re.compile(r"\s*[>＞›»\\|]\s*|\s*/\s*|\s+-\s+")


@dataclass(slots=True)
class Clean:
    """One row as it will be written."""

    line: int
    source_id: str
    received_at: dt.datetime
    type: str
    channel: str
    category: int | str | None  # a category id, or the key of one the import creates
    title: str
    description: str
    division: str
    town: str | None
    address: str
    applicant: tuple[str, str, str] | None  # name, phone, ID number
    respondent: str
    status: str
    result: str
    resolved_at: dt.datetime | None
    satisfaction: str
    reply: str


@dataclass(frozen=True)
class NewCategory:
    """A category the file names and the import creates (--create-categories)."""

    key: str
    name: str
    parent: int | str | None  # an existing id, the key of another new one, or None
    code: str


def parse_moment(text: str) -> dt.datetime | None:
    """A date and time as offices write it: 2025-03-01 14:22, 2025/3/1 14:22:05,
    2025年3月1日 14时22分, an ISO 8601 text with or without offset, or a date alone (midnight).
    Local time unless the text says otherwise; None when it is no date."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        found = _DATE.match(text)
        if found is None:
            return None
        parts = [int(p) if p else 0 for p in found.groups()]
        try:
            moment = dt.datetime(*parts)
        except ValueError:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Places:
    """Division codes and names of the county, and the gazetteer for addresses."""

    def __init__(self) -> None:
        prefix = settings.CONCORD["COUNTY_CODE"]
        rows = list(
            Division.objects.filter(code__startswith=prefix).values_list("code", "name", "level")
        )
        self.levels = {code: level for code, _name, level in rows}
        county = [(c, n) for c, n, level in rows if level == DivisionLevel.COUNTY]
        self.county = county[0][0] if county else f"{prefix}000000"
        name = county[0][1] if county else ""
        # 上虞区, 上虞, 绍兴市上虞区: naming the county alone says nothing more precise.
        self.county_names = {n for n in (name, name[:-1] if len(name) > 2 else "") if n}
        self.gazetteer = Gazetteer.load()
        self.locate = lru_cache(maxsize=50_000)(self.gazetteer.locate)

    def resolve(self, division: str, address: str) -> tuple[str, str | None] | str:
        """(division code, town code), or why the division is not in the county. A code must
        be the county's; a name is read as an address; an address refines a town to its
        village and places a row that names no division."""
        code, town, village = None, None, None
        if division:
            if division.isdigit():
                if len(division) != 12:
                    return _("区划代码应为12位数字")
                if division not in self.levels:
                    return _("区划代码 %(code)s 不在本县（区）范围内") % {"code": division}
                code = division
            else:
                place = self.locate(division)
                if place.division is None and not any(n in division for n in self.county_names):
                    return _("「%(name)s」不是本县（区）的乡镇（街道）或村（社区）") % {
                        "name": division
                    }
                code = place.division or self.county
            level = self.levels.get(code, DivisionLevel.COUNTY)
            if level == DivisionLevel.VILLAGE:
                return code, code[:9] + "000"
            town = code if level == DivisionLevel.TOWN else None
        if address:
            place = self.locate(address)
            if place.town and (town is None or place.town == town):
                town, village = place.town, place.village
        if village:
            return village, town
        if town:
            return town, town
        return self.county, None


class Categories:
    """Categories by code, by name (where one name means one category) and by path
    "上级/下级"; with `create`, the names not found become new categories."""

    def __init__(self, create: bool) -> None:
        self.create = create
        rows = list(
            Category.objects.filter(active=True).values_list("pk", "code", "name", "parent")
        )
        names = {pk: name for pk, _c, name, _p in rows}
        self.by_code = {normal(code): pk for pk, code, _n, _p in rows}
        self.top = {normal(name): pk for pk, _c, name, parent in rows if parent is None}
        self.by_path = {
            normal(f"{names[parent]}/{name}"): pk
            for pk, _c, name, parent in rows
            if parent in names
        }
        self.by_name: dict[str, list[int]] = {}
        for pk, _c, name, _p in rows:
            self.by_name.setdefault(normal(name), []).append(pk)
        self.parents = {names[parent] for _pk, _c, _n, parent in rows if parent in names}
        self.new: dict[str, NewCategory] = {}

    def find(self, text: str) -> int | str | tuple[str]:
        """The category's id, the key of a new one, or (why,) when it cannot be told."""
        key = normal(text)
        if key in self.by_code:
            return self.by_code[key]
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return (
                _("类别名称「%(name)s」不止一个，请写成「上级类别/%(name)s」") % {"name": text},
            )
        parts = [p for p in _CATEGORY_SEPARATORS.split(text.strip()) if p]
        for cut in range(1, len(parts)):
            parent, child = "/".join(parts[:cut]), "/".join(parts[cut:])
            if pk := self.by_path.get(normal(f"{parent}/{child}")):
                return pk
        if key in self.new:
            return key
        if not self.create:
            return (_("类别「%(name)s」不存在或已停用") % {"name": text},)
        return self._new(text, parts)

    def _new(self, text: str, parts: list[str]) -> str | tuple[str]:
        """A new category: under an existing top-level one when the text starts with its
        name ("婚姻家庭/彩礼纠纷"), else new at the top (and its parent too, for a path)."""
        if any(len(p) > CATEGORY_NAME_MAX for p in parts) or len(parts) > 2:
            return (_("无法新建类别「%(name)s」：最多两级，每级不超过64字") % {"name": text},)
        parent: int | str | None = None
        if len(parts) == 2:
            parent = self.top.get(normal(parts[0]))
            if parent is None:
                parent = self._add(parts[0], None)
        return self._add(parts[-1], parent, key=normal(text))

    def _add(self, name: str, parent: int | str | None, key: str | None = None) -> str:
        key = key or normal(name)
        if key not in self.new:
            digest = hashlib.sha1(key.encode()).hexdigest()[:10]
            self.new[key] = NewCategory(key, name, parent, f"imported-{digest}")
        return key


class Checker:
    """Checks the rows of one file against the rules and the county's reference data."""

    def __init__(self, mapping: Mapping, *, create_categories: bool) -> None:
        self.mapping = mapping
        self.profile = mapping.profile
        self.places = Places()
        self.categories = Categories(create_categories)
        self.seen: dict[str, int] = {}  # source_id → the first line that had it
        self.vocabulary = {
            name: self.profile.vocabulary(name)
            for name in ("type", "channel", "status", "result", "satisfaction")
        }

    def check(self, line: int, values: dict[str, str], now: dt.datetime) -> Clean | list[str]:
        problems: list[str] = []

        def problem(name: str, reason: str) -> None:
            problems.append(f"{self.mapping.header_of(name)}：{reason}")

        get = values.get
        source_id = get("source_id", "")
        if len(source_id) > SOURCE_ID_MAX:
            problem("source_id", _("不能超过%(max)d个字符") % {"max": SOURCE_ID_MAX})
        elif source_id:
            first = self.seen.setdefault(source_id, line)
            if first != line:
                problem("source_id", _("与第%(line)d行重复") % {"line": first})

        description = get("description", "")
        if not description:
            problem("description", _("不能为空"))
        elif len(description) > DESCRIPTION_MAX:
            problem("description", _("不能超过%(max)d字") % {"max": DESCRIPTION_MAX})
        title = get("title", "") or description[:30]
        if len(title) > TITLE_MAX:
            problem("title", _("不能超过%(max)d字") % {"max": TITLE_MAX})

        received_at = self._moment("received_at", get("received_at", ""), now, problem)
        case_type = self._word("type", get("type", ""), problem) or self.profile.type
        channel = self._word("channel", get("channel", ""), problem) or self.profile.channel

        category = None
        if text := get("category", ""):
            found = self.categories.find(text)
            if isinstance(found, tuple):
                problem("category", found[0])
            else:
                category = found

        address = get("address", "")
        if len(address) > ADDRESS_MAX:
            problem("address", _("不能超过%(max)d字") % {"max": ADDRESS_MAX})
        place = self.places.resolve(get("division", ""), address)
        division, town = self.places.county, None
        if isinstance(place, str):
            problem("division", place)
        else:
            division, town = place

        applicant = self._applicant(values, problem)
        respondent = get("respondent_name", "")
        if len(respondent) > NAME_MAX:
            problem("respondent_name", _("不能超过%(max)d字") % {"max": NAME_MAX})

        closed = self._history(values, received_at, now, problem)
        if problems:
            return problems
        status, result, resolved_at, satisfaction, reply = closed
        return Clean(
            line=line,
            source_id=source_id,
            received_at=received_at or now,
            type=case_type,
            channel=channel,
            category=category,
            title=title,
            description=description,
            division=division,
            town=town,
            address=address,
            applicant=applicant,
            respondent=respondent,
            status=status,
            result=result,
            resolved_at=resolved_at,
            satisfaction=satisfaction,
            reply=reply,
        )

    def _word(self, name: str, text: str, problem) -> str:
        if not text:
            return ""
        value = self.vocabulary[name].get(normal(text))
        if value is None:
            labels = self.vocabulary_labels(name)
            problem(
                name,
                _("无法识别「%(value)s」，可填：%(labels)s") % {"value": text, "labels": labels},
            )
            return ""
        return value

    def vocabulary_labels(self, name: str) -> str:
        sep = pgettext("list separator", "、")
        choices = CHOICES[name]
        if name == "status":
            return sep.join(str(S(s).label) for s in S if s in IMPORTABLE)
        return sep.join(str(label) for label in choices.labels)

    def _moment(self, name: str, text: str, now: dt.datetime, problem) -> dt.datetime | None:
        if not text:
            return None
        moment = parse_moment(text)
        if moment is None:
            problem(
                name, _("无法识别的日期「%(value)s」，请写成 2025-03-01 14:30") % {"value": text}
            )
            return None
        if moment < EARLIEST:
            problem(name, _("日期「%(value)s」早于1990年") % {"value": text})
            return None
        if moment > now + CLOCK_SLACK:
            problem(name, _("日期「%(value)s」晚于现在") % {"value": text})
            return None
        return moment

    def _applicant(self, values: dict[str, str], problem) -> tuple[str, str, str] | None:
        name = values.get("applicant_name", "")
        phone = "".join(values.get("applicant_phone", "").split())
        if phone.startswith("+86"):
            phone = phone[3:]
        id_number = values.get("applicant_id_number", "").upper()
        if len(name) > NAME_MAX:
            problem("applicant_name", _("不能超过%(max)d字") % {"max": NAME_MAX})
        if phone and (reason := phone_problem(phone)):
            problem("applicant_phone", reason)
        if id_number and (reason := id_number_problem(id_number)):
            if id_number.isdigit() and len(id_number) != 18:
                reason += _("（Excel 可能把身份证号当成了数字，请将该列设为文本格式）")
            problem("applicant_id_number", reason)
        if not (name or phone or id_number):
            return None
        # A caller who left a number but no name (common on the hotline) is still a party.
        return (name or pgettext("party without a name", "未留姓名"), phone, id_number)

    def _history(self, values: dict[str, str], received_at, now, problem) -> tuple:
        """(status, result, resolved_at, satisfaction, reply): a closed case's history must
        be whole; an open one carries none."""
        get = values.get
        text = get("status", "")
        status = self._word("status", text, problem) if text else S.REGISTERED
        if not status:
            return S.REGISTERED, "", None, "", ""  # an unknown state: said above
        result = self._word("result", get("result", ""), problem)
        satisfaction = self._word("satisfaction", get("satisfaction", ""), problem)
        resolved_at = self._moment("resolved_at", get("resolved_at", ""), now, problem)
        reply = get("reply", "")
        if len(reply) > COMMENT_MAX:
            problem("reply", _("不能超过%(max)d字") % {"max": COMMENT_MAX})
        if status not in IMPORTABLE:
            problem(
                "status",
                _("「%(value)s」的事项不能导入：只能导入%(labels)s的事项")
                % {"value": text, "labels": self.vocabulary_labels("status")},
            )
            return S.REGISTERED, "", None, "", ""
        if status == S.RESOLVED and satisfaction:
            status = S.RATED  # resolved and rated at the source
        if status == S.REGISTERED:
            for name, value in (
                ("result", result),
                ("resolved_at", resolved_at),
                ("satisfaction", satisfaction),
            ):
                if value:
                    problem(name, _("未办结的事项不应填写"))
            return S.REGISTERED, "", None, "", ""
        if not get("result", ""):
            problem("result", _("已办结的事项须填写办理结果"))
        if not get("resolved_at", ""):
            problem("resolved_at", _("已办结的事项须填写办结时间"))
        elif resolved_at and received_at and resolved_at < received_at:
            if resolved_at.date() == received_at.date() and resolved_at.time() == dt.time():
                resolved_at = received_at  # a date alone, the same day
            else:
                problem("resolved_at", _("办结时间早于收到时间"))
        if status == S.RATED and satisfaction not in Satisfaction.values:
            problem("satisfaction", _("已评价的事项须填写满意度"))
        return status, result, resolved_at, satisfaction, reply
