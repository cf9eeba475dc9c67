"""Text similarity for the duplicate check: character bigrams, MinHash, LSH band keys.

Chinese re-tellings of one matter share few words but many character pairs (拖欠、工资、
工地), so the shingles are the bigrams of the text with spaces and punctuation removed.
A MinHash signature of PERMUTATIONS values is cut into BANDS bands of ROWS values; two texts
whose bigram sets have Jaccard similarity J share at least one band key with probability
1 − (1 − J^ROWS)^BANDS: ≈ 0.81 at J = 0.16 (a re-telling in other words), ≈ 0.06 at
J = 0.03 (another matter of the same kind). Boilerplate every account carries (channel
preambles, 申请人, 请求调解) is removed before shingling. The hash family's constants derive
from fixed strings, so keys stay the same across processes and versions: changing any
constant here means rebuilding the index (`manage.py index_duplicates --all`).
"""

import hashlib
import math
import re
import unicodedata
import zlib

import numpy as np

from concord.core.limits import DESCRIPTION_MAX

BANDS, ROWS = 64, 2
PERMUTATIONS = BANDS * ROWS
# Letters, digits and CJK ideographs; everything else (spaces, punctuation, emoji) is dropped.
_NOISE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
# What every account says whatever the matter: the channel's preamble, who is speaking, what
# they ask for, and the commonest function characters. Left in, they make two different
# matters told through one channel look alike and one matter told through two look apart.
BOILERPLATE = (  # noqa: SIM905  (one line of words reads better than 43 quoted ones)
    "12345热线转办 网格员走访发现并上报 网格员上报 110转来非警务警情 法院委派诉前调解 网上信访 "
    "申请人 信访人 投诉人 求助人 来电人 报警人 市民 反映 请求 要求 帮助 调解 协调 希望 先生 女士 "
    "某 称 其 他 她 的 了 在 和 与 被 对 说 都 也 就 想 给 是 等 人"
).split()
_BOILERPLATE = re.compile("|".join(sorted(map(re.escape, BOILERPLATE), key=len, reverse=True)))


def _constants(name: str) -> np.ndarray:
    values = [
        int.from_bytes(hashlib.blake2b(f"{name}{i}".encode(), digest_size=8).digest(), "little")
        for i in range(PERMUTATIONS)
    ]
    return np.array(values, dtype=np.uint64)


# Multiply-shift hashing: h(x) = ((a·x + b) mod 2^64) >> 32, with odd a.
_A = _constants("concord-minhash-a") | np.uint64(1)
_B = _constants("concord-minhash-b")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")[:DESCRIPTION_MAX].lower()
    return _NOISE.sub("", text)


def shingles(text: str) -> frozenset[str]:
    """The character bigrams of the normalised text without its boilerplate (one character
    alone for a 1-character text)."""
    clean = _BOILERPLATE.sub("", normalise(text))
    if len(clean) < 2:
        return frozenset(clean)
    return frozenset(clean[i : i + 2] for i in range(len(clean) - 1))


def band_keys(grams: frozenset[str]) -> list[int]:
    """The LSH band keys of a bigram set, as signed 64-bit integers (a BigIntegerField)."""
    if not grams:
        return []
    x = np.array([zlib.crc32(g.encode()) for g in grams], dtype=np.uint64)
    with np.errstate(over="ignore"):
        hashed = (np.outer(x, _A) + _B) >> np.uint64(32)
    signature = hashed.min(axis=0).astype(np.uint32)
    keys = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of the two bigram sets (|A∩B| / √(|A|·|B|)): a short re-telling of a long
    account still scores high, unlike Jaccard."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
