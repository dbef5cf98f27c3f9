"""The model track, the combined score, and the rule that promotes a model."""

from functools import cache

import numpy as np
import pytest

from compliance.engine import evaluation
from compliance.engine.model import CLEAN, Corpus, RiskModel, load_corpus, train
from compliance.engine.rules import Matcher, shipped_lexicon
from compliance.engine.scoring import BLOCK, PASS, REVIEW, TRUST, Scorer, Thresholds


@cache
def corpus():
    return load_corpus()


@cache
def split_model():
    train_part, held_out = evaluation.split(corpus())
    return train(train_part), held_out


def scorer(model=None):
    return Scorer(Matcher(shipped_lexicon()), model or split_model()[0])


def test_the_shipped_corpus_is_large_varied_and_well_formed():
    rows = corpus()
    assert len(rows) >= 800
    labels = set(rows.labels)
    assert labels == {CLEAN, "absolute", "medical", "off_platform", "counterfeit", "fake_price"}
    assert sum(rows.hard_negative) >= 200
    assert all(
        label == CLEAN for label, hard in zip(rows.labels, rows.hard_negative, strict=True) if hard
    )
    assert len(set(rows.texts)) == len(rows)


def test_the_split_is_stable_stratified_and_disjoint():
    train_a, held_a = evaluation.split(corpus())
    train_b, held_b = evaluation.split(corpus())
    assert held_a.texts == held_b.texts and train_a.texts == train_b.texts
    assert not set(train_a.texts) & set(held_a.texts)
    share = lambda c: np.mean([label != CLEAN for label in c.labels])  # noqa: E731
    assert share(held_a) == pytest.approx(share(train_a), abs=0.02)


def test_training_is_deterministic_and_the_version_names_the_corpus():
    part = corpus().take(range(0, len(corpus()), 2))
    first, second = train(part), train(part)
    assert first.version == second.version
    texts = list(corpus().texts[:50])
    assert np.array_equal(first.predict(texts)[0], second.predict(texts)[0])
    other = train(corpus().take(range(1, len(corpus()), 2)))
    assert other.version != first.version


def test_a_model_survives_its_serialisation():
    model, held_out = split_model()
    again = RiskModel.loads(model.dumps())
    texts = list(held_out.texts[:30])
    assert again.version == model.version
    assert np.allclose(again.predict(texts)[0], model.predict(texts)[0])


def test_a_corpus_without_both_sides_cannot_train():
    with pytest.raises(ValueError):
        train(Corpus(("a", "b"), (CLEAN, CLEAN), (False, False)))


def test_the_held_out_figures_are_measured_on_unseen_rows():
    model, held_out = split_model()
    report = evaluation.measure(scorer(model), held_out)
    assert report.held_out_rows == len(held_out)
    # Far better than chance on rows the model never saw; the card states the exact figures.
    assert report.f1 > 0.8
    assert report.hard_negative_flag_rate < 0.2


def test_risk_combines_both_tracks_and_the_policy_decides():
    s = scorer()
    blatant = s.assess("家人们全网最低价，加微信私聊下单，高仿大牌包包")
    assert blatant.decision == BLOCK and blatant.risk >= 0.85
    assert {h.category for h in blatant.hits} >= {"off_platform", "counterfeit", "fake_price"}
    assert blatant.category == "counterfeit"  # the most severe hit names the category
    clean = s.assess("这款面霜质地清爽，适合混油皮")
    assert clean.decision == PASS and clean.category is None and not clean.hits
    strict = s.assess("这款面霜质地清爽，适合混油皮", policy={})
    assert strict.risk == clean.risk
    assert 0 <= clean.risk < 0.5


def test_a_rule_hit_counts_in_full_only_when_the_model_trusts_the_context():
    s = scorer()
    for text in ["家人们这是全网最好的面霜", "防骗提醒：任何要求你转账到个人账户的都是骗子"]:
        a = s.assess(text)
        severity = max(h.severity for h in a.hits)
        expected = max(a.model_probability, severity * min(1.0, a.model_probability / TRUST))
        assert a.risk == pytest.approx(expected, abs=1e-3)


def test_thresholds_are_validated_and_decide_at_their_bounds():
    with pytest.raises(ValueError):
        Thresholds(review=0.9, block=0.5)
    with pytest.raises(ValueError):
        Thresholds(review=0, block=0.5)
    t = Thresholds(review=0.5, block=0.8)
    assert (t.decide(0.49), t.decide(0.5), t.decide(0.79), t.decide(0.8)) == (
        PASS,
        REVIEW,
        REVIEW,
        BLOCK,
    )


def test_a_batch_scores_like_single_checks():
    s = scorer()
    texts = list(split_model()[1].texts[:40])
    batch = s.assess_many(texts)
    assert [a.risk for a in batch] == [s.assess(t).risk for t in texts]
    assert s.assess_many([]) == []


def _report(f1, rate):
    return evaluation.Report(f1, 0, 0, rate, 0, 0, 0)


def test_only_a_model_that_is_not_worse_is_promoted():
    incumbent = _report(0.9, 0.04)
    assert evaluation.not_worse(_report(0.9, 0.04), incumbent)
    assert evaluation.not_worse(_report(0.95, 0.03), incumbent)
    assert not evaluation.not_worse(_report(0.89, 0.03), incumbent)
    assert not evaluation.not_worse(_report(0.95, 0.05), incumbent)
    assert evaluation.not_worse(_report(0.1, 0.9), None)


def test_when_every_hit_is_negated_the_model_counts_at_its_factor():
    from compliance.engine.scoring import NEGATED_MODEL_FACTOR

    s = scorer()
    text = "家人们千万别加微信，我们只在平台卖货"
    a = s.assess(text)
    assert a.hits and all(h.negated for h in a.hits)
    counted = a.model_probability * NEGATED_MODEL_FACTOR
    severity = max(h.severity for h in a.hits)
    assert a.risk == pytest.approx(max(counted, severity * min(1, counted / TRUST)), abs=1e-3)
