"""How good a model is, and whether a new one may replace the one in service.

The held-out split is stratified by label and seeded, so every candidate is measured on the same
rows of the shipped corpus (reviewers' decisions only ever join the training side). The report
counts the combined scorer (rules and model): an item is *flagged* when its decision is review or
block; F1 is of flagged against labelled violations; the hard-negative rate is the share of the
corpus's hard negatives (ordinary text with trigger-like words) that are flagged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from .model import CLEAN, Corpus, train
from .rules import Matcher
from .scoring import PASS, Scorer

HELD_OUT_SHARE = 0.25
SEED = 20261201
#: A candidate may score this much lower on F1 and still count as "not worse" (one row's noise).
F1_TOLERANCE = 0.0


@dataclass(frozen=True)
class Report:
    f1: float
    precision: float
    recall: float
    hard_negative_flag_rate: float
    model_only_f1: float
    train_rows: int
    held_out_rows: int

    def as_dict(self) -> dict:
        return asdict(self)


def split(corpus: Corpus) -> tuple[Corpus, Corpus]:
    """``(train, held_out)``: stratified, seeded, the same every time for the same corpus."""
    index = np.arange(len(corpus))
    train_index, held_index = train_test_split(
        index, test_size=HELD_OUT_SHARE, random_state=SEED, stratify=corpus.labels
    )
    return corpus.take(sorted(train_index)), corpus.take(sorted(held_index))


def measure(scorer: Scorer, held_out: Corpus, *, policy=None, train_rows: int = 0) -> Report:
    assessments = scorer.assess_many(held_out.texts, policy=policy)
    truth = np.array([label != CLEAN for label in held_out.labels])
    flagged = np.array([a.decision != PASS for a in assessments])
    model_flagged = np.array([a.model_probability >= 0.5 for a in assessments])
    hard = np.array(held_out.hard_negative)
    return Report(
        f1=round(float(f1_score(truth, flagged)), 4),
        precision=round(float(precision_score(truth, flagged, zero_division=0)), 4),
        recall=round(float(recall_score(truth, flagged)), 4),
        hard_negative_flag_rate=round(float(flagged[hard].mean()) if hard.any() else 0.0, 4),
        model_only_f1=round(float(f1_score(truth, model_flagged)), 4),
        train_rows=train_rows,
        held_out_rows=len(held_out),
    )


def cross_validate(corpus: Corpus, matcher: Matcher, *, folds: int = 5) -> list[Report]:
    """Stratified k-fold reports of the combined scorer (for the model card)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    reports = []
    for train_index, test_index in splitter.split(np.zeros(len(corpus)), corpus.labels):
        fitted = train(corpus.take(train_index))
        reports.append(
            measure(Scorer(matcher, fitted), corpus.take(test_index), train_rows=len(train_index))
        )
    return reports


def not_worse(candidate: Report, incumbent: Report | None) -> bool:
    """Promote only a candidate at least as good on F1 and no worse on hard negatives."""
    if incumbent is None:
        return True
    return (
        candidate.f1 >= incumbent.f1 - F1_TOLERANCE
        and candidate.hard_negative_flag_rate <= incumbent.hard_negative_flag_rate
    )
