"""The originality engine: normalisation, shingles, MinHash signatures (datasketch and the
vectorised batch agree), band keys, the S-curve, estimated and exact Jaccard."""

import string

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.engine import originality as engine

HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E00 + 500)
ASCII_WORD = st.sampled_from(list(string.ascii_letters + string.digits))
MARKS = "，。！？、；：“”‘’（）《》【】…—～·" + ",.!?;:'\"()[]-+=$" + " \t\n\u3000🔥✨¥"
PUNCTUATION = st.sampled_from(list(MARKS))
TEXT = st.text(st.one_of(HANZI, ASCII_WORD), min_size=0, max_size=80)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in text)


@settings(max_examples=150, deadline=None)
@given(text=TEXT, noise=st.lists(st.tuples(st.integers(0, 80), PUNCTUATION), max_size=20))
def test_normalisation_ignores_punctuation_spaces_and_symbols(text, noise):
    noisy = list(text)
    for at, mark in sorted(noise, reverse=True):
        noisy.insert(min(at, len(noisy)), mark)
    assert engine.normalise("".join(noisy)) == engine.normalise(text)
    assert engine.shingles("".join(noisy)) == engine.shingles(text)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_normalisation_ignores_width_and_case_and_is_idempotent(text):
    assert engine.normalise(full_width(text)) == engine.normalise(text)
    assert engine.normalise(text.upper()) == engine.normalise(text.lower())
    assert engine.normalise(engine.normalise(text)) == engine.normalise(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60))
def test_normalisation_is_idempotent_on_any_unicode(text):
    once = engine.normalise(text)
    assert engine.normalise(once) == once
    assert not any(ch.isspace() for ch in once)


def test_normalisation_examples():
    assert engine.normalise("Ｈｅｌｌｏ，　世界！ 99元🔥") == "hello世界99元"
    assert engine.normalise("") == ""


def test_shingles_are_three_character_windows():
    assert engine.shingles("直播间好物") == {"直播间", "播间好", "间好物"}
    assert engine.shingles("好物") == {"好物"}  # shorter than a shingle: itself
    assert engine.shingles("！！！") == frozenset()


@settings(max_examples=80, deadline=None)
@given(a=TEXT, b=TEXT)
def test_similarity_is_symmetric_and_bounded(a, b):
    sa, sb = engine.shingles(a), engine.shingles(b)
    assert engine.jaccard(sa, sb) == engine.jaccard(sb, sa)
    assert 0.0 <= engine.jaccard(sa, sb) <= 1.0
    sigs = engine.signatures([sa, sb])
    assert engine.estimate(sigs[0], sigs[1])[0] == engine.estimate(sigs[1], sigs[0])[0]


@settings(max_examples=80, deadline=None)
@given(text=TEXT)
def test_identical_texts_are_similar_one(text):
    s = engine.shingles(text)
    assert engine.jaccard(s, engine.shingles(text + "。")) == 1.0
    sig = engine.signatures([s])[0]
    assert engine.estimate(sig, sig)[0] == 1.0
    assert (engine.band_keys(sig) == engine.band_keys(engine.signatures([s])[0])).all()


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=8))
def test_batch_signatures_equal_datasketch_minhash(texts):
    sets = [engine.shingles(t) for t in texts]
    batch = engine.signatures(sets, chunk=7)
    for text, sig in zip(texts, batch, strict=True):
        lean = engine.minhash(text)
        assert isinstance(lean, LeanMinHash) and lean.seed == engine.SEED
        assert (lean.hashvalues.astype(np.uint32) == sig).all()


def test_the_signature_is_datasketchs_with_the_fixed_seed():
    text = "家人们晚上好，欢迎来到直播间，今天这款保温杯真的很好用"
    plain = MinHash(num_perm=engine.NUM_PERM, seed=engine.SEED)
    for s in engine.shingles(text):
        plain.update(s.encode("utf-8"))
    assert plain.jaccard(engine.minhash(text)) == 1.0
    other = MinHash(num_perm=engine.NUM_PERM, seed=engine.SEED + 1)
    other.update_batch([s.encode() for s in engine.shingles(text)])
    assert not (other.hashvalues == plain.hashvalues).all()  # the seed matters


def test_estimate_tracks_exact_jaccard():
    base = (
        "这款面霜我自己用了两个月质地像冰淇淋一样化开"
        "抹上去一点都不油秋冬换季脸上起皮的姐妹一定要试试"
    )
    variants = [base, base[:40] + "早晚各一次第二天上妆很服帖", base[::2], "今天的苹果特别甜"]
    sets = [engine.shingles(v) for v in variants]
    sigs = engine.signatures(sets)
    for s, sig in zip(sets, sigs, strict=True):
        exact = engine.jaccard(sets[0], s)
        assert abs(engine.estimate(sigs[0], sig)[0] - exact) < 0.2, (exact,)


def test_band_keys_differ_by_band_and_match_equal_bands():
    sig = engine.signatures([engine.shingles("家人们晚上好欢迎来到直播间")])[0]
    keys = engine.band_keys(sig)[0]
    assert keys.shape == (engine.BANDS,) and keys.dtype == np.int64
    assert len(set(keys.tolist())) == engine.BANDS  # an empty-ish band still keys per band
    changed = sig.copy()
    changed[0] ^= 1  # one value of band 0 differs: only band 0's key changes
    other = engine.band_keys(changed)[0]
    assert other[0] != keys[0] and (other[1:] == keys[1:]).all()


def test_the_s_curve_meets_the_recall_target_at_the_threshold():
    assert engine.BANDS * engine.ROWS == engine.NUM_PERM
    at = engine.collision_probability
    assert at(engine.THRESHOLD) >= 0.95 and at(0.5) >= 0.99
    assert at(0.02) < 0.001 and at(0.1) < 0.05  # unrelated texts rarely share a bucket
    probabilities = [at(s / 20) for s in range(21)]
    assert probabilities == sorted(probabilities) and probabilities[0] == 0 and at(1.0) == 1.0
    assert at(0.45) == pytest.approx(1 - (1 - 0.45**3) ** 40)


def test_signature_bytes_round_trip_and_empty_text():
    sig = engine.signatures([engine.shingles("家人们晚上好欢迎来到直播间")])[0]
    assert (engine.from_bytes(engine.to_bytes(sig)) == sig).all()
    assert len(engine.to_bytes(sig)) == 4 * engine.NUM_PERM
    empty = engine.signatures([frozenset()])[0]
    assert (empty == np.iinfo(np.uint32).max).all()
    assert engine.jaccard(set(), set()) == 1.0 and engine.jaccard({"a"}, set()) == 0.0
