"""Both tracks together: one risk score, a decision by the category's policy, and its reasons.

``risk = max(p, r · min(1, p / TRUST))`` where ``p`` is the model's probability of a violation
and ``r`` the highest severity among the rule hits (0 when none). A hit counts in full once the
model, which reads the context, gives a violation at least ``TRUST`` odds, and in proportion
below that: "第一" in "第一感觉是质感挺好" or "转账" in a warning against transfers are words
of a rule but not violations, and the model's low probability says so. Without a hit the model
alone decides. When every hit is negated ("我们不卖高仿", "千万别加微信", see
:mod:`.rules`), the text talks about the claim without making it, which character n-grams cannot
tell: the model's probability counts at ``NEGATED_MODEL_FACTOR``. The category whose policy
decides is the one of the most severe hit, else the
model's likeliest violation category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .model import RiskModel
from .rules import Hit, Matcher

PASS, REVIEW, BLOCK = "pass", "review", "block"
DECISIONS = (PASS, REVIEW, BLOCK)


@dataclass(frozen=True)
class Thresholds:
    review: float
    block: float

    def __post_init__(self):
        if not 0.0 < self.review <= self.block <= 1.0:
            raise ValueError("thresholds need 0 < review ≤ block ≤ 1")

    def decide(self, risk: float) -> str:
        if risk >= self.block:
            return BLOCK
        return REVIEW if risk >= self.review else PASS


#: A category without a policy row (never on a migrated platform) is decided by these.
DEFAULT_THRESHOLDS = Thresholds(review=0.65, block=0.9)
#: The policy a fresh platform starts with; the operator edits it (``compliance.Policy``). The
#: review threshold sits where 5-fold cross-validation on the corpus's training split keeps
#: hard negatives under 5% flagged; counterfeits are blocked soonest, absolute claims (the
#: commonest slip of an honest seller) and price talk latest.
DEFAULT_POLICY = {
    "absolute": Thresholds(review=0.65, block=0.95),
    "medical": Thresholds(review=0.65, block=0.9),
    "off_platform": Thresholds(review=0.65, block=0.9),
    "counterfeit": Thresholds(review=0.65, block=0.85),
    "fake_price": Thresholds(review=0.65, block=0.95),
}
#: The model probability from which a rule hit counts at its full severity.
TRUST = 0.6
#: What the model's probability counts for when every rule hit is negated.
NEGATED_MODEL_FACTOR = 0.5


@dataclass(frozen=True)
class Assessment:
    risk: float
    decision: str
    category: str | None  # None: nothing pointed at a category (a pass)
    hits: tuple[Hit, ...]
    model_probability: float
    model_version: str
    lexicon_version: str


class Scorer:
    """Scores texts with a matcher and a model under per-category thresholds."""

    def __init__(self, matcher: Matcher, model: RiskModel):
        self.matcher = matcher
        self.model = model

    def assess(self, text: str, *, vertical=None, policy=None) -> Assessment:
        return self.assess_many([text], vertical=vertical, policy=policy)[0]

    def assess_many(
        self,
        texts: Sequence[str],
        *,
        vertical: str | None = None,
        policy: Mapping[str, Thresholds] | None = None,
    ) -> list[Assessment]:
        """One model call for the whole batch; the matcher reads each text once."""
        probabilities, likeliest = self.model.predict(texts)
        policy = policy or {}
        return [
            self._assessment(self.matcher.find(text, vertical=vertical), float(p), cat, policy)
            for text, p, cat in zip(texts, probabilities, likeliest, strict=True)
        ]

    def _assessment(self, hits, probability, likeliest, policy) -> Assessment:
        top = max(hits, key=lambda h: h.severity, default=None)
        severity = top.severity if top else 0.0
        counted = probability
        if hits and all(hit.negated for hit in hits):
            counted = probability * NEGATED_MODEL_FACTOR
        risk = float(np.clip(max(counted, severity * min(1.0, counted / TRUST)), 0, 1))
        category = top.category if top else str(likeliest)
        decision = policy.get(category, DEFAULT_POLICY.get(category, DEFAULT_THRESHOLDS))
        decision = decision.decide(risk)
        return Assessment(
            risk=round(risk, 4),
            decision=decision,
            category=category if (hits or decision != PASS) else None,
            hits=tuple(hits),
            model_probability=round(probability, 4),
            model_version=self.model.version,
            lexicon_version=self.matcher.lexicon.version,
        )
