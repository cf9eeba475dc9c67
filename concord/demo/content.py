"""What a demo case says and whom it concerns: subject, place, parties, money and risk.

Texts come from `concord.demo.texts`, filled with the case's own people (masked as 张某), the
county's real town and village names, amounts and dates, so they read like real registrations.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from types import SimpleNamespace

from django.conf import settings
from faker import Faker
from faker.providers.ssn.zh_CN import Provider as ZH_SSN

from concord.accounts.models import Role, User
from concord.cases.choices import PartyRole
from concord.cases.models import Category
from concord.core.crypto import keyed_hash
from concord.core.pii import id_check_digit, phone_problem
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import Organisation

from . import texts as T

try:
    from concord.geo.loader import random_point_near
except ImportError:  # without the geo loader, demo cases simply have no coordinates
    random_point_near = None

Who = tuple[int | None, int | None]  # (user id, organisation id) of whoever took a step
# A Case row being composed: attnames as attributes. A model instance costs more to build than
# everything else about a case, and `bulk.Table` only needs `vars(row)`.
CaseRow = SimpleNamespace


def pick(rng: random.Random, weights: dict):
    """A key drawn by weight. A plain walk: `rng.choices` would rebuild two lists per draw."""
    x = rng.random() * sum(weights.values())
    for key, weight in weights.items():
        x -= weight
        if x < 0:
            return key
    return key


def wait(rng: random.Random, low: float, high: float) -> float:
    """Log-uniform: most waits and sums are small and a few are large, as in real life."""
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def festival(year: int) -> dt.date:
    return T.SPRING_FESTIVAL.get(year, dt.date(year, 2, 1))


@functools.cache  # asked several times for each case, about a year of distinct days
def before_festival(day: dt.date) -> bool:
    """Within the two months before the Spring Festival, when migrant workers want their pay."""
    coming = festival(day.year) if festival(day.year) >= day else festival(day.year + 1)
    return (coming - day).days <= 60


def _masked(name: str) -> str:
    """张三 → 张某, 欧阳明 → 欧阳某: case texts name people by surname only."""
    return (name[:2] if name.startswith(T.COMPOUND_SURNAMES) else name[0]) + "某"


def _money(amount: float) -> str:
    return f"{amount / 10000:g}万元" if amount >= 10000 else f"{amount:g}元"


@dataclass
class Reference:
    """The county as `load_reference_data()` left it, read once per run."""

    towns: list[Division]
    town_weights: list[float]
    villages: dict[str, list[Division]]
    orgs: dict[str, Organisation]
    users: dict[str, User]
    handlers: dict[int, int]  # organisation id → a handler's or mediator's user id
    categories: dict[str, Category]

    @classmethod
    def load(cls) -> Reference:
        county = settings.CONCORD["COUNTY_CODE"]
        divisions = Division.objects.filter(code__startswith=county)
        villages: dict[str, list[Division]] = {}
        for village in divisions.filter(level=DivisionLevel.VILLAGE):
            villages.setdefault(village.code[:9] + "000", []).append(village)
        towns = [t for t in divisions.filter(level=DivisionLevel.TOWN) if t.code in villages]
        if not towns:
            raise RuntimeError("没有乡镇和村（社区）数据：请先运行 load_reference_data()")
        handlers: dict[int, int] = {}
        for user in User.objects.filter(role__in=(Role.HANDLER, Role.MEDIATOR)).order_by("pk"):
            handlers.setdefault(user.organisation_id, user.pk)
        return cls(
            towns=towns,
            town_weights=[T.TOWN_WEIGHTS.get(t.name, 3) for t in towns],
            villages=villages,
            orgs={o.code: o for o in Organisation.objects.select_related("division")},
            users={u.username: u for u in User.objects.all()},
            handlers=handlers,
            categories={c.code: c for c in Category.objects.all()},
        )

    def org(self, code: str, case: CaseRow) -> Organisation | None:
        """An organisation by code; @town and @village mean the case's own town and village."""
        if code == "@town":
            code = f"town-{case.town_id[:9]}"
        elif code == "@village":
            code = f"village-{case.division_id}"
        return self.orgs.get(code)

    def staff(self, username: str) -> Who:
        """A demo account and its organisation, or nobody on behalf of the county center."""
        if user := self.users.get(username):
            return user.pk, user.organisation_id
        center = self.orgs.get("county-center")
        return None, center.pk if center else None

    def handler(self, org: Organisation) -> Who:
        return self.handlers.get(org.id), org.id


class Writer:
    """Composes one case's content; the lifecycle and timestamps are the caller's business."""

    def __init__(self, ref: Reference, rng: random.Random, seed: int, today: dt.date) -> None:
        self.ref, self.rng, self.today = ref, rng, today
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.cat_codes = [c for c in T.PROFILES if c in ref.categories]
        self.cat_weights: dict[tuple, list[float]] = {}
        self.towns = dict(zip(ref.towns, ref.town_weights, strict=True))
        # Faker's weighted surname table drawn through cumulative weights: same names, faster.
        surnames = self.fake.provider("faker.providers.person").last_names
        self.surnames, self.surname_cum = list(surnames), list(accumulate(surnames.values()))
        # County-level codes only (not provinces or cities), as on real cards.
        self.area_codes = [a for a in ZH_SSN.area_codes if not a.endswith("00")]

    def category(self, day: dt.date, channel: str) -> str:
        """Wage arrears peak before the Spring Festival; neighbours quarrel more in summer."""
        key = (before_festival(day), day.month in (6, 7, 8), channel)
        if key not in self.cat_weights:
            allowed = T.CHANNEL_CATEGORIES.get(channel, self.cat_codes)
            boost = {"labour": 2.0 if key[0] else 1, "neighbour": 1.5 if key[1] else 1}
            boost["environment"] = 1.2 if key[1] else 1
            self.cat_weights[key] = [
                T.PROFILES[c]["weight"] * (c in allowed) * boost.get(c, 1) for c in self.cat_codes
            ]
        return self.rng.choices(self.cat_codes, self.cat_weights[key])[0]

    def person(
        self, gender: str = "X", age: int | None = None, local: bool = True, known: bool = True
    ) -> list[str]:
        """[name, ID number, phone], valid by GB 11643 and the phone rules, or drawn again.
        The ID number is empty unless `known`."""
        fake, rng = self.fake, self.rng
        gender = gender if gender in ("F", "M") else rng.choice("FM")
        first = fake.first_name_female() if gender == "F" else fake.first_name_male()
        surname = rng.choices(self.surnames, cum_weights=self.surname_cum)[0]
        number = self.id_number(gender, age, local) if known else ""
        while phone_problem(phone := fake.phone_number()):
            pass
        return [surname + first, number, phone]

    def id_number(self, gender: str, age: int | None, local: bool) -> str:
        """A GB 11643 number: area, birth date `age` years before `today`, order code whose
        parity is the gender (odd for men), check digit. Faker's ssn() ages people from the
        real clock, which would make a seed's output depend on the day it runs."""
        rng = self.rng
        area = "330604" if local else rng.choice(self.area_codes)  # migrants come from anywhere
        years = age or rng.randint(20, 75)
        born = self.today - dt.timedelta(days=round(365.25 * years) + rng.randrange(365))
        order = rng.randrange(500) * 2 + (gender == "M")
        first17 = f"{area}{born:%Y%m%d}{order:03d}"
        return first17 + id_check_digit(first17)

    def company(self, industry: str) -> tuple[str, str]:
        """(name, how texts call it): 上虞恒达建材有限公司, 某建材公司."""
        brand = self.rng.choice(T.BRANDS_1) + self.rng.choice(T.BRANDS_2)
        if industry.endswith(("院", "部")):
            return f"上虞{brand}{industry}", f"某{industry}"
        return f"上虞{brand}{industry}有限公司", f"某{industry}公司"

    def _subject(self, day: dt.date, channel: str) -> tuple[str, str, tuple]:
        """(level-1 category, case type, template): the type follows the category and the
        channel (letters are petitions, the court refers disputes)."""
        rng = self.rng
        cat = self.category(day, channel)
        profile = T.PROFILES[cat]
        kind = rng.choices(T.TYPES, profile["types"])[0]
        if channel in ("letter", "online_petition") and rng.random() < 0.7:
            kind = "petition"
        elif channel == "court_referral" or (
            kind == "consultation" and channel in ("grid", "police_110", "letter")
        ):
            kind = "dispute"
        if kind == "consultation":
            return cat, kind, (*rng.choice(T.CONSULTATIONS[cat]), {"resp": "none"})
        group = rng.random() < profile["group"]
        pool = [t for t in T.TEMPLATES[cat] if bool(t[3].get("group")) == group]
        pool = pool or T.TEMPLATES[cat]
        wage_season = before_festival(day)
        weights = [3 if wage_season and t[3].get("wage") else 1 for t in pool]
        return cat, kind, rng.choices(pool, weights)[0]

    def write(self, case: CaseRow, day: dt.date) -> tuple[list[dict], str, str, dict]:
        """Fill `case` (which has its channel and received_at) with subject, place, people,
        money and risk. Returns its parties, level-1 category, sub-category code, text values."""
        rng, ref, channel = self.rng, self.ref, case.channel
        cat, kind, (child, title, text, opts) = self._subject(day, channel)
        profile, wage_season = T.PROFILES[cat], cat == "labour" and before_festival(day)
        if wanted := profile.get("towns"):
            town = pick(rng, {t: w for t, w in self.towns.items() if t.name in wanted})
        else:
            town = rng.choices(ref.towns, ref.town_weights)[0]
        villages = ref.villages[town.code]
        if profile.get("rural"):  # farmland, forests, fish ponds, old villages being rebuilt
            villages = [v for v in villages if v.name.endswith("村")] or villages
        village = rng.choice(villages)
        vname, urban = village.name, village.name.endswith("社区")
        # Communities (社区) have named estates; villages their own resettlement blocks.
        estate = rng.choice(T.ESTATES) if urban else f"{vname}安置小区"
        if urban:
            home = f"上虞区{town.name}{estate}{rng.randint(1, 30)}幢{rng.randint(101, 1802)}室"
        else:
            home = f"上虞区{town.name}{vname}{rng.randint(1, 300)}号"

        lo, hi = opts.get("n", (5, 60))
        group = bool(opts.get("group"))
        people = int(lo * (hi / lo) ** (rng.random() ** 2)) if group else pick(rng, T.PEOPLE)
        amount = None
        if "amount" in opts:
            value = wait(rng, *opts["amount"]) * (people if opts.get("per_person") else 1)
            amount = round(value, -2 if value < 1e4 else -3 if value < 1e6 else -4)

        since_months, old = rng.randint(2, 14), rng.randint(72, 93)
        case.division_id, case.town_id, case.type = village.code, town.code, kind
        # An applicant said to be {old} years old gets an ID number with that birth year.
        age = old if opts.get("old") else None
        parties, masked_b = self._parties(case, opts, cat, (town, village, home), age)
        since = day.year * 12 + day.month - 1 - since_months
        recent = day - dt.timedelta(days=rng.randint(1, 20))
        resident = "居民" if urban else "村民"
        who = T.CHANNEL_WHO.get(channel, T.WHO[kind]).format(resident=resident)
        if kind == "consultation":
            who = T.CONSULTATION_WHO.get(channel, "来电人")
        values = {
            "who": who,
            "a": _masked(parties[0]["name"]),
            "b": masked_b,
            "n": people,
            "amount": _money(amount) if amount else "",
            "town": town.name,
            "village": vname,
            "place": town.name + vname,
            "estate": estate,
            "resident": resident,
            "lane": "小区道路" if urban else "村道",
            "date": f"{recent.month}月{recent.day}日",
            "since": f"{since // 12}年{since % 12 + 1}月",
            "months": since_months,
            "old": old,
        }
        values |= {key: rng.randint(*span) for key, span in T.SMALL_NUMBERS.items()}
        case.title = title.format(**values)[:200]
        case.description = T.CHANNEL_PREFIX.get(channel, "") + text.format(**values)
        category = ref.categories.get(f"{cat}-{child}" if child else cat)
        case.category_id = category.pk if category else None
        case.people_count = people
        case.amount = Decimal(amount).quantize(Decimal("0.01")) if amount else None
        case.address = home if opts["resp"] in ("none", "village") else f"上虞区{town.name}{vname}"
        case.visits_count = pick(rng, T.VISITS.get(channel, T.VISITS["other"]))
        self._risk(case, opts, wage_season)
        # A dot near the village (or its town) and inside the county outline, when known.
        centre = village if village.lat is not None else town if town.lat is not None else None
        point = random_point_near(centre, rng) if random_point_near and centre else None
        case.lat, case.lng = point or (None, None)
        return parties, cat, f"{cat}-{child}" if child else cat, values

    def _parties(
        self, case: CaseRow, opts: dict, cat: str, where: tuple, age: int | None
    ) -> tuple[list[dict], str]:
        """Applicant(s), usually a respondent, sometimes an insurer, and how texts name the
        respondent. Companies and committees have no ID number."""
        town, village, home = where
        rng, resp, place = self.rng, opts["resp"], f"上虞区{town.name}"
        genders = opts.get("genders", "XX") + "X"
        migrant = cat == "labour" and rng.random() < 0.6
        # Callers often give no ID number.
        known = case.channel not in ("phone", "hotline_12345", "portal") or rng.random() < 0.5
        applicant = self.person(genders[0], age, not migrant, known)
        people = [(PartyRole.APPLICANT, applicant, home)]
        if opts.get("group") and rng.random() < 0.5:
            people.append((PartyRole.APPLICANT, self.person(), home))
        masked = "对方"
        if resp == "person":
            person = self.person(genders[1], known=rng.random() < 0.4)
            people.append((PartyRole.RESPONDENT, person, place + village.name))
            masked = _masked(person[0])
        elif resp == "company":
            name, masked = self.company(opts["industry"])
            phone = f"0575-8{rng.randint(1000000, 9999999)}"
            people.append((PartyRole.RESPONDENT, [name, "", phone], place))
        elif resp == "village":
            committee = "居民委员会" if village.name.endswith("社区") else "村民委员会"
            people.append((PartyRole.RESPONDENT, [village.name + committee, "", ""], place))
        if opts.get("insurer") and len(people) < 3:
            brand = rng.choice(T.BRANDS_1) + rng.choice(T.BRANDS_2)
            insurer = f"{brand}财产保险股份有限公司上虞支公司"
            people.append((PartyRole.THIRD_PARTY, [insurer, "", ""], "上虞区"))
        # Rows of Party; the hashes serve exact-match lookups (the same person in other cases).
        parties = [
            {
                "role": role,
                "name": name,
                "address": address,
                "id_number": number,
                "id_number_hash": keyed_hash(number),
                "phone": phone,
                "phone_hash": keyed_hash(phone),
            }
            for role, (name, number, phone), address in people
        ]
        return parties, masked

    def _risk(self, case: CaseRow, opts: dict, wage_season: bool) -> None:
        """Risk level from the reasons that raise it: group size, money, wording, repetition."""
        rng, people, amount = self.rng, case.people_count, case.amount or 0
        reasons = list(opts.get("risk", ()))
        if people >= settings.CONCORD["GROUP_MATTER_PEOPLE"]:
            reasons.insert(0, f"群体性事项（{people}人）")
        if amount >= 100000:
            reasons.append("涉及金额巨大" if amount >= 1000000 else "涉及金额较大")
        if wage_season and opts.get("wage"):
            reasons.append("临近春节欠薪")
        if case.type == "petition" and case.visits_count >= 2:
            reasons.append("重复信访")
        if not reasons and rng.random() < 0.2:
            reasons.append(rng.choice(T.NOISE_RISKS))  # a clerk's judgement, not a rule
        score = len(reasons) + (people >= 20) + (people >= 40)
        levels = ("blue", "yellow", "yellow", "orange", "red")
        case.risk_level = levels[min(score + (score in (2, 3) and rng.random() < 0.35), 4)]
        case.risk_reasons = reasons
