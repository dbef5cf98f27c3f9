"""Originality: near-duplicate texts by MinHash over character shingles, banded for LSH.

Pure Python and numpy (no Django). The database side (``compliance.originality``) stores each
item's signature and band keys and asks one indexed lookup per check.

**Normalisation.** A caption copied from someone else is usually retouched: punctuation changed,
full-width letters typed half-width, spaces and emoji added. :func:`normalise` folds compatibility
forms (NFKC: full-width ``Ａ１`` to ``A1``, half-width katakana to full-width), lower-cases
(``casefold``) and drops every punctuation, symbol, separator and control character (Unicode
categories P*, S*, Z*, C*), so those edits do not move the signature at all.

**Shingles.** Chinese has no spaces, so the set compared is the text's character
``SHINGLE``-grams (3): one changed character changes at most 3 shingles; a reordered sentence
changes the ~2 shingles across each of its seams; a dropped sentence removes its own. On the 44
captions of the recall test (``tests/compliance/data/originality_zh.txt``) light edits give
Jaccard 1.0 (punctuation, width, spaces), 0.75–0.8 (three changed characters), 0.83–0.9
(sentences reordered), 0.5–0.8 (a sentence dropped, of 3–4), while two unrelated captions share
at most 0.02 (mean 0.001), though they share "家人们", "直播间", "下单"... Bigrams would raise
that background ten-fold (0.05 max, 0.009 mean: Chinese has a few thousand common characters);
4-grams would push three changed characters down to ~0.7.

**Signatures.** ``NUM_PERM`` (120) MinHash values per text with datasketch's universal hashing
``(a·h + b) mod (2^61 − 1)`` over the 32-bit SHA-1 of each shingle, from a fixed ``SEED`` so
every process, the index and the rebuild agree. :func:`minhash` is datasketch's ``MinHash`` (its
vectorised ``update_batch``) frozen as a ``LeanMinHash``; :func:`signatures` computes the same
values for many texts at once (numpy, one pass over all shingles), which the index build uses; a
test checks that both agree. The fraction of equal values estimates the Jaccard similarity
(standard error ``sqrt(J(1 − J)/120)``: ±0.045 at 0.45).

**LSH bands.** The 120 values are cut into ``BANDS`` (40) bands of ``ROWS`` (3); each band
hashes to one 64-bit key. Two texts share at least one key with probability
``P(s) = 1 − (1 − s^3)^40`` (the S-curve)::

    s     0.02    0.05    0.1     0.2     0.3     0.4     0.45    0.5     0.6     0.7
    P(s)  0.0003  0.0050  0.039   0.27    0.67    0.93    0.978   0.995   0.9999  1.0

Texts are flagged from ``THRESHOLD`` (Jaccard 0.45 of shingles, verified exactly on the
candidates, so no estimate error flags anything): a candidate at the threshold is found with
probability 0.978, from 0.5 with 0.995, and the light edits above sit at 0.5 and more. A
recall target of 0.95 at 0.45–0.5 rules out 4 rows × 32 bands (0.74 at 0.45, 0.87 at 0.5)
and longer bands. The price is candidates: an unrelated text at Jaccard 0.02 shares a bucket
with probability 0.0003, so a check against a million such items reads a few hundred rows of
the bucket index and ranks at most ``MAX_CANDIDATES`` signatures (``compliance.originality``).
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from datasketch import LeanMinHash, MinHash

SHINGLE = 3
NUM_PERM = 120
BANDS, ROWS = 40, 3
SEED = 15
#: Flag from this Jaccard similarity of shingles on.
THRESHOLD = 0.45
#: A text of fewer characters (after normalisation) is too short to be anyone's original.
MIN_CHARS = 20
#: Candidates whose signature estimate is this far below the threshold are not verified.
ESTIMATE_MARGIN = 0.15

_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_DROPPED = frozenset("PSZC")
assert BANDS * ROWS == NUM_PERM


def normalise(text: str) -> str:
    """Compatibility-folded, lower-cased text without punctuation, symbols or whitespace."""
    for _ in range(4):  # to a fixed point: a mark left by a dropped space may compose anew
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in _DROPPED)
        if kept == text:
            break
        text = kept
    return kept


def shingles(text: str, *, size: int = SHINGLE) -> frozenset[str]:
    """The ``size``-character substrings of the normalised text (the whole of a shorter one)."""
    return shingles_of_normalised(normalise(text), size=size)


def shingles_of_normalised(norm: str, *, size: int = SHINGLE) -> frozenset[str]:
    r""":func:`shingles` of a text already :func:`normalise`\ d."""
    if len(norm) <= size:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (two empty sets are identical: 1)."""
    a, b = set(a), set(b)
    union = len(a | b)
    return len(a & b) / union if union else 1.0


_HASHES: dict[str, int] = {}
_HASHES_MAX = 1 << 21  # common shingles recur ("家人们", "直播间"): remember ~2M of them


def _hash32(shingle: str) -> int:
    """datasketch's ``sha1_hash32`` of the UTF-8 shingle: the first 4 bytes of its SHA-1,
    little-endian; remembered, as common shingles recur across texts."""
    value = _HASHES.get(shingle)
    if value is None:
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        digest = hashlib.sha1(shingle.encode("utf-8")).digest()
        value = _HASHES[shingle] = struct.unpack("<I", digest[:4])[0]
    return value


@cache
def permutations() -> np.ndarray:
    """datasketch's permutation parameters ``(a, b)`` for ``NUM_PERM`` and ``SEED``."""
    return MinHash(num_perm=NUM_PERM, seed=SEED).permutations


def minhash(text: str) -> LeanMinHash:
    """datasketch's MinHash of the text's shingles (vectorised ``update_batch``), frozen."""
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=permutations())
    sketch.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return LeanMinHash(sketch)


def signatures(shingle_sets: Sequence[frozenset[str]], *, chunk: int = 32_768) -> np.ndarray:
    """The MinHash values of many shingle sets at once: ``(n, NUM_PERM)`` uint32. Equal to
    :func:`minhash`'s ``hashvalues``; an empty set gets datasketch's empty signature (all
    ``2^32 − 1``). Items are taken by runs of about ``chunk`` shingles, so the permuted
    ``(shingles × NUM_PERM)`` matrix stays near ``chunk × NUM_PERM × 8`` bytes."""
    a, b = permutations()
    count = len(shingle_sets)
    out = np.full((count, NUM_PERM), _MAX_HASH, dtype=np.uint64)
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=count)
    hashes = np.fromiter(
        (_hash32(s) for shingle_set in shingle_sets for s in shingle_set),
        dtype=np.uint64,
        count=int(sizes.sum()),
    )
    ends = np.cumsum(sizes)
    starts = ends - sizes
    lo = 0
    while lo < count:
        # Items lo..hi-1: at least one, then as many as fit in ``chunk`` shingles.
        hi = max(lo + 1, int(np.searchsorted(ends, starts[lo] + chunk, side="right")))
        rows = np.flatnonzero(sizes[lo:hi]) + lo
        if len(rows):
            first = starts[rows[0]]
            hv = hashes[first : ends[rows[-1]], None]
            permuted = np.bitwise_and((hv * a + b) % _MERSENNE, _MAX_HASH)
            out[rows] = np.minimum.reduceat(permuted, starts[rows] - first, axis=0)
        lo = hi
    return out.astype(np.uint32)


def estimate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaccard estimates: the share of equal MinHash values, for ``b`` one signature or many."""
    return np.mean(np.asarray(a)[None, :] == np.atleast_2d(b), axis=1)


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def _mix(h: np.ndarray) -> np.ndarray:
    # splitmix64's finaliser: every input bit reaches every key bit.
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """``(n, BANDS)`` signed 64-bit keys, one per band of each signature: equal keys ⇔ (but for
    a 2^-64 collision) the band's ``ROWS`` values are equal. Keys of different bands differ."""
    sigs = np.atleast_2d(np.asarray(sigs, dtype=np.uint32)).astype(np.uint64)
    bands = sigs.reshape(len(sigs), BANDS, ROWS)
    h = np.broadcast_to(_FNV_OFFSET ^ np.arange(BANDS, dtype=np.uint64), bands.shape[:2]).copy()
    for j in range(ROWS):
        h = (h ^ bands[:, :, j]) * _FNV_PRIME
    return _mix(h).view(np.int64)


def collision_probability(s: float, *, bands: int = BANDS, rows: int = ROWS) -> float:
    """The S-curve: the chance that two texts of Jaccard ``s`` share a band key."""
    return 1.0 - (1.0 - s**rows) ** bands


def to_bytes(sig: np.ndarray) -> bytes:
    return np.asarray(sig, dtype="<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype="<u4")


def text_digest(norm: str) -> str:
    """A fingerprint of the normalised text and the parameters: same value, same index rows."""
    params = f"{SHINGLE}/{NUM_PERM}/{BANDS}x{ROWS}/{SEED}|"
    return hashlib.blake2b((params + norm).encode("utf-8"), digest_size=16).hexdigest()
