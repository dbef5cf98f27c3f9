"""The scorer in service: the active model and the operator's policy, and what scoring writes.

The risk model in service is the active :class:`~compliance.models.ModelVersion`, or, until a
retrain has promoted one, the baseline trained from the shipped corpus's training split
(deterministic, so every process trains the same one). Models are cached per process by
version; the version in service is read from the database on each use, so a promotion reaches
every worker at its next check.

Scoring content items, product claims and collaboration submissions opens a :class:`Case` for
every item at or above its category's review threshold (``track`` block at the block threshold);
an item already under an open case for the same text is not opened twice.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Product
from brands.review_hooks import Finding
from creators.models import ContentItem

from .engine import evaluation
from .engine import model as engine_model
from .engine.rules import Matcher, shipped_lexicon
from .engine.scoring import BLOCK, PASS, Assessment, Scorer, Thresholds
from .models import Case, ModelVersion, Policy

#: The API's and the ingestion's limits on one text.
TEXT_MAX = 20_000

_models: dict[str, engine_model.RiskModel] = {}
_lock = threading.Lock()


@cache
def _matcher() -> Matcher:
    return Matcher(shipped_lexicon())


@cache
def baseline_model() -> engine_model.RiskModel:
    """The model trained on the shipped corpus's training split: in service until a retrain
    promotes one. Trained on the same rows as a retrain starts from, so the two are measured on
    the same held-out rows, which neither has seen."""
    return engine_model.train(evaluation.split(engine_model.load_corpus())[0])


def active_model() -> engine_model.RiskModel:
    row = ModelVersion.objects.unscoped().filter(status=ModelVersion.Status.ACTIVE)
    version = row.values_list("version", flat=True).first()
    if version is None:
        return baseline_model()
    with _lock:
        if version not in _models:
            blob = row.values_list("blob", flat=True).get()
            _models[version] = engine_model.RiskModel.loads(bytes(blob))
        return _models[version]


def active_scorer() -> Scorer:
    return Scorer(_matcher(), active_model())


def policy_thresholds() -> dict[str, Thresholds]:
    rows = Policy.objects.unscoped().values_list("category", "review_threshold", "block_threshold")
    return {category: Thresholds(review, block) for category, review, block in rows}


def assess_texts(texts: Sequence[str], *, vertical: str | None = None) -> list[Assessment]:
    """Score ``texts`` under the operator's policy (a read: nothing is written)."""
    return active_scorer().assess_many(list(texts), vertical=vertical, policy=policy_thresholds())


def reasons_of(assessment: Assessment) -> list[dict]:
    """The reasons as the API and the case show them: rule hits with spans, then the model."""
    reasons = [
        {
            "kind": "rule",
            "rule": hit.rule,
            "category": hit.category,
            "severity": hit.severity,
            "start": hit.start,
            "end": hit.end,
            "text": hit.text,
        }
        for hit in assessment.hits
    ]
    reasons.append(
        {
            "kind": "model",
            "rule": assessment.model_version,
            "category": assessment.category or "",
            "probability": assessment.model_probability,
            "start": None,
            "end": None,
            "text": "",
        }
    )
    return reasons


# --- What scoring writes -------------------------------------------------------------------------


def _open_case(
    assessment: Assessment, *, source: str, text: str, **subject
) -> tuple[Case | None, bool]:
    """``(case, opened now)``: none for a pass, the open one already there for the same text."""
    if assessment.decision == PASS:
        return None, False
    existing = Case.objects.unscoped().filter(
        source=source, status__in=Case.OPEN_STATUSES, text=text, **subject
    )
    if (case := existing.first()) is not None:
        return case, False
    return Case.objects.unscoped().create(
        source=source,
        track=Case.Track.BLOCK if assessment.decision == BLOCK else Case.Track.REVIEW,
        text=text,
        risk=assessment.risk,
        category=assessment.category,
        reasons=reasons_of(assessment),
        model_probability=assessment.model_probability,
        model_version=assessment.model_version,
        lexicon_version=assessment.lexicon_version,
        opened_at=timezone.now(),
        **subject,
    ), True


def content_text(item: ContentItem) -> str:
    return f"{item.title}\n{item.text}".strip()[:TEXT_MAX]


@transaction.atomic
def content_items_score(*, content_ids: Sequence[int]) -> int:
    """Score captions and live transcripts (the ingestion task); returns the cases opened."""
    items = list(ContentItem.objects.unscoped().filter(pk__in=list(content_ids)).order_by("pk"))
    texts = [content_text(item) for item in items]
    opened = 0
    for item, text, assessment in zip(items, texts, assess_texts(texts), strict=True):
        _case, new = _open_case(
            assessment,
            source=Case.Source.CONTENT,
            text=text,
            content_item_id=item.pk,
            creator_id=item.creator_id,
        )
        opened += new
    return opened


@transaction.atomic
def product_claims_score(*, product_ids: Sequence[int]) -> int:
    """Score products' selling claims, each claim on its own under its product's vertical (one
    model call per vertical); returns the cases opened."""
    products = Product.objects.unscoped().filter(pk__in=list(product_ids)).order_by("pk")
    by_vertical: dict[str, list[tuple[Product, str]]] = {}
    for product in products:
        for claim in product.claims:
            if str(claim).strip():
                by_vertical.setdefault(product.category, []).append(
                    (product, str(claim)[:TEXT_MAX])
                )
    opened = 0
    for vertical, claims in by_vertical.items():
        assessments = assess_texts([claim for _, claim in claims], vertical=vertical)
        for (product, claim), assessment in zip(claims, assessments, strict=True):
            _case, new = _open_case(
                assessment,
                source=Case.Source.PRODUCT,
                text=claim,
                product_id=product.pk,
                organization_id=product.organization_id,
            )
            opened += new
    return opened


def submission_check(submission) -> list[Finding]:
    """The brand workspace's review hook: a caption at review or block opens a case and tells
    the brand; a blocked one stays held (:func:`submission_hold`) until a reviewer approves."""
    collaboration = submission.collaboration
    vertical = (
        Product.objects.unscoped()
        .filter(pk=collaboration.product_id)
        .values_list("category", flat=True)
        .first()
    )
    assessment = assess_texts([submission.caption], vertical=vertical)[0]
    case, _new = _open_case(
        assessment,
        source=Case.Source.SUBMISSION,
        text=submission.caption,
        submission_id=submission.pk,
        creator_id=collaboration.creator_id,
        organization_id=collaboration.organization_id,
    )
    if case is None:
        return []
    words = "、".join(dict.fromkeys(hit.text for hit in assessment.hits)) or _("the model")
    if case.track == Case.Track.BLOCK:
        message = _("Held by compliance (risk %(risk).2f, flagged: %(words)s) until reviewed.")
        code = "compliance.blocked"
    else:
        message = _("Sent to compliance review (risk %(risk).2f, flagged: %(words)s).")
        code = "compliance.review"
    return [Finding(code, message % {"risk": assessment.risk, "words": words})]


def submission_hold(submission) -> str | None:
    """Why ``submission`` may not go live yet, or None: a blocked case not yet approved."""
    held = (
        Case.objects.unscoped()
        .filter(submission_id=submission.pk, track=Case.Track.BLOCK)
        .exclude(status=Case.Status.APPROVED)
    )
    if held.exists():
        return _("Compliance holds this submission: a reviewer has not approved it.")
    return None
