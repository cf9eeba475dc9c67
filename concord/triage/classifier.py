"""The category classifier as pure functions (no database): the server's training job and
bench/triage_eval.py call exactly these.

Features are the words rjieba cuts plus character bigrams and trigrams: words carry meaning
(拖欠工资), character n-grams survive segmentation mistakes and place names. TF-IDF (sublinear)
feeds a linear model trained by SGD with logistic loss, whose probabilities rank categories.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import joblib
import numpy as np
import rjieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

from .keywords import KEYWORDS

# Runs of Han characters, Latin letters or digits: everything else (punctuation, emoji) is
# a separator.
_RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|[0-9]+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
MAX_FEATURES = 80_000


def has_words(text: str) -> bool:
    """Whether the text holds anything to classify (not only emoji or punctuation)."""
    return bool(_RUNS.search(text))


def analyze(text: str) -> list[str]:
    """Tokens of one text: rjieba words (two characters or more), then character 2- and
    3-grams of each Han run."""
    tokens = [w for w in rjieba.cut(text) if len(w) > 1 and _RUNS.fullmatch(w)]
    for run in _HAN.findall(text):
        tokens += [run[i : i + 2] for i in range(len(run) - 1)]
        tokens += ["^" + run[i : i + 3] for i in range(len(run) - 2)]
    return tokens


@dataclass
class TrainedModel:
    vectorizer: TfidfVectorizer
    classifier: SGDClassifier
    counts: dict[str, int] = field(default_factory=dict)  # training cases per category code

    @property
    def codes(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes) -> TrainedModel:
        return joblib.load(io.BytesIO(bytes(data)))


def train(texts: Sequence[str], codes: Sequence[str], *, seed: int = 0) -> TrainedModel:
    """Fit on (text, category code) pairs; needs at least two categories."""
    counts = Counter(codes)
    if len(counts) < 2:
        raise ValueError("training needs at least two categories")
    vectorizer = TfidfVectorizer(
        analyzer=analyze,
        sublinear_tf=True,
        min_df=2 if len(texts) >= 1000 else 1,
        max_features=MAX_FEATURES,
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform(texts)
    classifier = SGDClassifier(
        loss="log_loss", alpha=2e-6, max_iter=30, tol=1e-4, random_state=seed, n_jobs=-1
    )
    classifier.fit(matrix, list(codes))
    # Half the size in memory and in the database, no visible change in the scores.
    classifier.coef_ = classifier.coef_.astype(np.float32)
    return TrainedModel(vectorizer, classifier, dict(counts))


def model_scores(model: TrainedModel, text: str) -> dict[str, float]:
    """Category code → probability for one text."""
    probabilities = model.classifier.predict_proba(model.vectorizer.transform([text]))[0]
    return dict(zip(model.codes, (float(p) for p in probabilities), strict=True))


def rule_scores(text: str, codes: Iterable[str] | None = None) -> dict[str, float]:
    """Level-1 code → share of the keyword hits, for the codes that have any (of `codes`)."""
    allowed = set(codes) if codes is not None else None
    hits = {
        code: sum(text.count(word) for word in words)
        for code, words in KEYWORDS.items()
        if allowed is None or code in allowed
    }
    total = sum(hits.values())
    return {code: n / total for code, n in hits.items() if n} if total else {}


def rank(
    text: str,
    model: TrainedModel | None,
    known: Sequence[str],
    *,
    limit: int = 3,
) -> list[tuple[str, float]]:
    """The best `limit` (code, score) for a text, best first, among `known` codes (active
    categories, in their display order).

    1. With a model: its probabilities over the categories it learnt.
    2. Keyword rules for categories the model has not seen (all of them without a model),
       weighted below a confident model: a rule can rank a new category, not outvote history.
    3. Filled up to `limit` with the remaining known codes (score 0) so the clerk always sees
       three choices.
    """
    known_set = set(known)
    scores: dict[str, float] = {}
    if model is not None:
        scores = {c: s for c, s in model_scores(model, text).items() if c in known_set}
    # Rules speak only for families (劳动争议/欠薪 and its children) the model knows nothing of.
    learnt = {code.split("-")[0] for code in scores}
    unseen = [c for c in known if c.split("-")[0] not in learnt]
    weight = 0.5 if scores else 1.0
    for code, score in rule_scores(text, unseen).items():
        scores[code] = weight * score
    order = {code: i for i, code in enumerate(known)}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], order.get(item[0], 0)))[:limit]
    for code in known:
        if len(ranked) >= limit:
            break
        if code not in scores:
            ranked.append((code, 0.0))
    return [(code, round(score, 3)) for code, score in ranked]
