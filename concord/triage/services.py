"""Category suggestion for the intake: training from the center's closed cases, the model
kept in process memory, the clerk's choice kept as feedback, accuracy per category."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.cases.choices import CaseStatus
from concord.cases.models import Case, Category
from concord.core.errors import InvalidInput
from concord.core.limits import DESCRIPTION_MAX, has_control_characters
from concord.duplicates.services import similar_to_draft
from concord.risk.scoring import assess_text

from . import classifier
from .models import Feedback, TriageModel

log = logging.getLogger(__name__)

CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.RATED, CaseStatus.ARCHIVED)
TRAINING_MAX = 200_000  # the newest closed cases; older wording matters less
MIN_TRAINING = 20
SUGGESTIONS = 3
# How often a process looks for a newer model or changed categories (one cheap query).
RECHECK_SECONDS = 30


def checked_text(text) -> str:
    """The text to classify, or InvalidInput with the reason in Chinese."""
    text = "" if text is None else text
    if not isinstance(text, str):
        raise InvalidInput({"text": _("诉求内容应为文字")})
    text = text.strip()
    if not text:
        raise InvalidInput({"text": _("请填写诉求内容")})
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput({"text": _("诉求内容不能超过%(max)d字") % {"max": DESCRIPTION_MAX}})
    if has_control_characters(text):
        raise InvalidInput({"text": _("诉求内容含有不可见的控制字符")})
    if not classifier.has_words(text):
        raise InvalidInput({"text": _("诉求内容中没有可识别的文字（不能只有表情或符号）")})
    return text


@dataclass
class _Loaded:
    model_id: int | None = None
    model: classifier.TrainedModel | None = None
    names: dict[str, str] | None = None  # active category code → 劳动争议/欠薪/拖欠工资
    checked: float = 0.0


_loaded = _Loaded()
_lock = threading.Lock()


def _category_names() -> dict[str, str]:
    categories = Category.objects.filter(active=True).select_related("parent")
    # Parents first, each followed by its children: the fill-up order of `classifier.rank`.
    ordered = sorted(
        categories,
        key=lambda c: (
            (c.parent.sort_order, c.parent.code, 1, c.sort_order, c.code)
            if c.parent_id
            else (c.sort_order, c.code, 0, 0, "")
        ),
    )
    return {c.code: str(c) for c in ordered}


def loaded() -> _Loaded:
    """The newest model and the category names, read from the database at most every
    RECHECK_SECONDS; the model bytes only when a newer model exists."""
    now = time.monotonic()
    if _loaded.names is not None and now - _loaded.checked < RECHECK_SECONDS:
        return _loaded
    with _lock:
        newest = TriageModel.objects.order_by("-id").values_list("id", flat=True).first()
        if newest != _loaded.model_id:
            row = TriageModel.objects.filter(id=newest).first() if newest else None
            try:
                _loaded.model = classifier.TrainedModel.loads(row.data) if row else None
            except Exception:
                # A model pickled by older code: the rules answer until the next training.
                log.exception("triage: model %s cannot be loaded", newest)
                _loaded.model = None
            _loaded.model_id = newest
        _loaded.names = _category_names()
        _loaded.checked = now
    return _loaded


def forget_loaded() -> None:
    """Make the next suggestion read the database again, model included (after training, in
    tests)."""
    with _lock:
        _loaded.model_id = _loaded.model = _loaded.names = None
        _loaded.checked = 0.0


SIMILAR_SHOWN = 5


def suggest(
    text, user: User | None = None, *, parties=(), division: str = "", address: str = ""
) -> dict:
    """The answer of POST /api/v1/triage/suggest: the likeliest categories, the cases in the
    user's scope that look like the same matter (duplicates), and the text's risk (risk).
    `parties` (anything with `id_number` and `phone`), `division` (a code) and `address` are
    what the intake form holds so far: the same person or place flags earlier cases too."""
    text = checked_text(text)
    state = loaded()
    names = state.names or {}
    ranked = classifier.rank(text, state.model, list(names), limit=SUGGESTIONS)
    risk = assess_text(text)
    return {
        "categories": [{"code": c, "name": names[c], "score": s} for c, s in ranked],
        "similar": similar(text, user, parties=parties, division=division, address=address),
        "risk": {"level": risk.level, "score": risk.score, "reasons": risk.reasons},
    }


def similar(text: str, user: User | None, *, parties=(), division="", address="") -> list[dict]:
    """The earlier cases a draft may repeat, as the suggestion answers them."""
    if user is None:
        return []
    found = similar_to_draft(text, parties, division or None, user=user, address=address)
    return [
        {
            "id": m.case.pk,
            "tracking_code": m.case.tracking_code,
            "title": m.case.title,
            "status": m.case.status,
            "score": round(m.score, 3),
            "reasons": m.reasons,
        }
        for m in found[:SIMILAR_SHOWN]
    ]


def training_set(limit: int = TRAINING_MAX) -> tuple[list[str], list[str]]:
    """(texts, category codes) of the newest closed cases that carry a category, whatever
    categories they are (imported ones included). Merged copies are left out."""
    rows = (
        Case.objects.filter(status__in=CLOSED_STATUSES, category__isnull=False)
        .filter(merged_into__isnull=True)
        .order_by("-received_at")
        .values_list("title", "description", "category__code")[:limit]
    )
    texts, codes = [], []
    for title, description, code in rows:
        texts.append(f"{title}\n{description}")
        codes.append(code)
    return texts, codes


def train_from_cases(*, limit: int = TRAINING_MAX) -> TriageModel | None:
    """Train on the closed cases and store the model; None when there are too few cases or
    only one category (the keyword rules keep answering)."""
    texts, codes = training_set(limit)
    if len(texts) < MIN_TRAINING or len(set(codes)) < 2:
        log.info("triage: %d closed cases, not enough to train", len(texts))
        return None
    started = time.monotonic()
    model = classifier.train(texts, codes)
    row = TriageModel.objects.create(
        sample_size=len(texts),
        counts=model.counts,
        seconds=round(time.monotonic() - started, 2),
        data=model.dumps(),
    )
    # Older models are never read again; keep the previous one for comparison.
    TriageModel.objects.filter(id__lt=row.id).exclude(
        id__in=TriageModel.objects.filter(id__lt=row.id).order_by("-id").values("id")[:1]
    ).delete()
    forget_loaded()
    return row


def train_daily() -> None:
    """The periodic job (concord.core.jobs.PERIODIC)."""
    train_from_cases()


def shown_codes(value: str) -> list[str]:
    """The codes the intake form says it showed ("a,b,c"), existing categories only."""
    codes = [c.strip() for c in (value or "").split(",") if c.strip()][:SUGGESTIONS]
    known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
    return [c for c in codes if c in known]


@transaction.atomic
def record_choice(*, case: Case, suggested: list[str], actor: User | None) -> Feedback | None:
    """Keep what the clerk was shown and what they registered, once per case. Nothing when
    no suggestion was shown or the case has no category."""
    if not suggested or case.category_id is None:
        return None
    chosen = Category.objects.values_list("code", flat=True).get(pk=case.category_id)
    feedback, _created = Feedback.objects.get_or_create(
        case=case,
        defaults={
            "suggested": suggested,
            "chosen": chosen,
            "top1": suggested[0] == chosen,
            "top3": chosen in suggested[:SUGGESTIONS],
            "created_by": actor,
        },
    )
    return feedback


@dataclass
class Accuracy:
    code: str
    name: str
    total: int
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


def accuracy() -> tuple[list[Accuracy], Accuracy]:
    """Per chosen category (most cases first) and overall, from the feedback."""
    rows = (
        Feedback.objects.values("chosen")
        .annotate(total=Count("id"), top1=Count("id", filter=Q(top1=True)))
        .annotate(top3=Count("id", filter=Q(top3=True)))
        .order_by("-total", "chosen")
    )
    names = {c.code: str(c) for c in Category.objects.select_related("parent")}
    per = [
        Accuracy(r["chosen"], names.get(r["chosen"], r["chosen"]), r["total"], r["top1"], r["top3"])
        for r in rows
    ]
    overall = Accuracy(
        "", _("全部"), sum(a.total for a in per), sum(a.top1 for a in per), sum(a.top3 for a in per)
    )
    return per, overall
