"""Finding cases about the same matter (重复件与关联件) and counting a person's visits.

Four signs, each with its reason shown to the clerk: the same ID number, the same phone
(exact, through the parties' keyed hashes: the values themselves are encrypted), the same
village with a similar address, and a similar description (MinHash band keys in `TextBand`,
then the bigram cosine of each candidate). Only cases the user may see, received within the
window around the case (DUPLICATE_WINDOW_DAYS, default 90), not merged into another.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.cases.models import Case, Party
from concord.cases.scope import visible_cases
from concord.core.crypto import keyed_hash
from concord.geo.models import Division, DivisionLevel

from .models import TextBand
from .text import band_keys, shingles, similarity

# A description at least this similar is flagged; tuned on bench/data/dedup_sample.csv.
TEXT_MIN = 0.18
ADDRESS_MIN = 0.6
# The band lookup keeps the cases sharing most keys; each is then scored on its text.
CANDIDATES = 50
# Cases one band key contributes at most (the most recent ones in the window).
PER_KEY = 200
BAND_CANDIDATES_SQL = """
SELECT hit.case_id, COUNT(*) AS hits
FROM unnest(%(keys)s::bigint[]) AS probe(key)
CROSS JOIN LATERAL (
    SELECT case_id FROM duplicates_textband
    WHERE key = probe.key AND received_at >= %(start)s AND received_at <= %(end)s
    ORDER BY received_at DESC
    LIMIT %(per_key)s
) AS hit
WHERE hit.case_id <> %(exclude)s
GROUP BY hit.case_id
ORDER BY hits DESC
LIMIT %(limit)s
"""
# Cases of one village read to compare addresses: the most recent ones.
VILLAGE_CASES = 200
MATCHES_MAX = 10
WEIGHTS = {"id_number": 1.0, "phone": 0.95}


@dataclass
class Match:
    case: Case
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, score: float, reason: str) -> None:
        # The strongest sign ranks the match; each further sign adds a little.
        self.score = min(1.0, max(self.score, score) + (0.05 if self.reasons else 0.0))
        self.reasons.append(reason)


@dataclass
class Probe:
    """What is compared: a registered case or an intake draft."""

    text: str
    id_hashes: set[str]
    phone_hashes: set[str]
    division: Division | None
    address: str
    at: dt.datetime
    exclude: int | None = None


def window() -> dt.timedelta:
    return dt.timedelta(days=settings.CONCORD.get("DUPLICATE_WINDOW_DAYS", 90))


def find_similar(case: Case, user: User) -> list[Match]:
    """The cases in the user's scope that may be the same matter as `case`, best first."""
    parties = list(case.parties.all())
    probe = Probe(
        text=case.description,
        id_hashes={p.id_number_hash for p in parties} - {""},
        phone_hashes={p.phone_hash for p in parties} - {""},
        division=case.division,
        address=case.address,
        at=case.received_at,
        exclude=case.pk,
    )
    return _matches(probe, visible_cases(user))


def similar_to_draft(
    text: str,
    parties: Iterable = (),
    division: Division | str | None = None,
    *,
    user: User,
    address: str = "",
) -> list[Match]:
    """The intake check, before the case exists: `parties` are PartyDrafts (or anything with
    `id_number` and `phone`), `division` a Division or its code."""
    parties = list(parties)
    if isinstance(division, str):
        division = Division.objects.filter(code=division).first()
    probe = Probe(
        text=text or "",
        id_hashes={keyed_hash(p.id_number or "") for p in parties} - {""},
        phone_hashes={keyed_hash(p.phone or "") for p in parties} - {""},
        division=division,
        address=address or "",
        at=timezone.now(),
    )
    return _matches(probe, visible_cases(user))


def _matches(probe: Probe, scope: QuerySet[Case]) -> list[Match]:
    span = window()
    cases = scope.filter(
        merged_into=None, received_at__gte=probe.at - span, received_at__lte=probe.at + span
    )
    if probe.exclude:
        cases = cases.exclude(pk=probe.exclude)
    found: dict[int, Match] = {}

    def match(case: Case) -> Match:
        return found.setdefault(case.pk, Match(case))

    for kind, hashes, reason in (
        ("id_number", probe.id_hashes, _("同一身份证号")),
        ("phone", probe.phone_hashes, _("同一联系电话")),
    ):
        if not hashes:
            continue
        holders = Party.objects.filter(**{f"{kind}_hash__in": hashes}).values("case_id")
        for case in cases.filter(pk__in=holders):
            match(case).add(WEIGHTS[kind], reason)

    if probe.address and probe.division and probe.division.level == DivisionLevel.VILLAGE:
        mine = shingles(probe.address)
        neighbours = (
            cases.filter(division=probe.division).exclude(address="").order_by("-received_at")
        )
        for case in neighbours[:VILLAGE_CASES]:
            score = similarity(mine, shingles(case.address))
            if score >= ADDRESS_MIN:
                match(case).add(0.6 + 0.2 * score, _("同村且地址相近"))

    grams = shingles(probe.text)
    if keys := band_keys(grams):
        ranked = band_candidates(keys, probe.at - span, probe.at + span, probe.exclude)
        for case in cases.filter(pk__in=ranked):
            if score := text_score(grams, case.description):
                match(case).add(score, _("诉求内容相似 %(score).2f") % {"score": round(score, 2)})

    matches = sorted(found.values(), key=lambda m: (-m.score, -m.case.received_at.timestamp()))
    return matches[:MATCHES_MAX]


def band_candidates(
    keys: list[int], start: dt.datetime, end: dt.datetime, exclude: int | None
) -> list[int]:
    """The cases received in [start, end] sharing most band keys with the probe, best first.

    A key many cases share (a phrase every wage account has) says little and its posting
    list is long: on PostgreSQL each key contributes at most PER_KEY of its most recent cases,
    so the lookup reads a bounded slice of the index whatever the size of the county."""
    if connection.vendor == "postgresql":
        params = {"keys": keys, "start": start, "end": end, "exclude": exclude or 0}
        with connection.cursor() as cursor:
            cursor.execute(BAND_CANDIDATES_SQL, params | {"per_key": PER_KEY, "limit": CANDIDATES})
            return [case_id for case_id, _hits in cursor.fetchall()]
    bands = TextBand.objects.filter(key__in=keys, received_at__gte=start, received_at__lte=end)
    if exclude:
        bands = bands.exclude(case_id=exclude)
    ranked = bands.values("case_id").annotate(hits=Count("id")).order_by("-hits")[:CANDIDATES]
    return [row["case_id"] for row in ranked]


def text_score(grams: frozenset[str], other: str) -> float | None:
    """The similarity of a candidate's description when it is high enough to flag, else None.
    bench/dedup_eval.py measures exactly this decision."""
    score = similarity(grams, shingles(other))
    return score if score >= TEXT_MIN else None


def index_case(case: Case) -> int:
    """(Re)write the case's band keys; returns how many."""
    TextBand.objects.filter(case=case).delete()
    keys = set(band_keys(shingles(case.description)))
    TextBand.objects.bulk_create(
        TextBand(case=case, key=key, received_at=case.received_at) for key in keys
    )
    return len(keys)


def index_missing(*, rebuild: bool = False, batch: int = 2000) -> int:
    """Index the cases that have no band keys yet (bulk imports and seeding pass the signal
    by), or with `rebuild` every case afresh; returns how many cases were indexed. Each batch
    is its own transaction, so a long run can be interrupted and resumed."""
    cases = Case.objects.order_by("pk")
    if rebuild:
        TextBand.objects.all().delete()
    else:
        cases = cases.exclude(pk__in=TextBand.objects.values("case_id"))
    done, last = 0, 0
    while rows := list(
        cases.filter(pk__gt=last).values_list("pk", "description", "received_at")[:batch]
    ):
        bands = [
            TextBand(case_id=pk, key=key, received_at=at)
            for pk, text, at in rows
            for key in set(band_keys(shingles(text)))
        ]
        with transaction.atomic():
            TextBand.objects.bulk_create(bands, batch_size=5000)
        done += len(rows)
        last = rows[-1][0]
    return done


def repeat_visits(
    *, id_number_hash: str = "", phone_hash: str = "", since: dt.datetime, until=None
) -> int:
    """How many cases (not merged into another) one person brought in [since, until]: a party
    with this ID number or, failing one, this phone (重复访 per person)."""
    if id_number_hash:
        holders = Party.objects.filter(id_number_hash=id_number_hash)
    elif phone_hash:
        holders = Party.objects.filter(phone_hash=phone_hash)
    else:
        return 0
    cases = Case.objects.filter(
        pk__in=holders.values("case_id"), merged_into=None, received_at__gte=since
    )
    if until is not None:
        cases = cases.filter(received_at__lte=until)
    return cases.count()
