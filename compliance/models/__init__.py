"""Compliance tables, one module per concern; every model is importable from here.

* ``review``: policy, review cases, reviewers' labels, sanctions and appeals, model versions.
* ``consumer``: consumer protection (the daily complaint rates).
* ``originality``: the MinHash index of content texts, near-duplicate flags and contests.
* ``scoping``: the querysets that say who reads a row.
"""

from .consumer import ComplaintRateDaily, ComplaintRateQuerySet, SubjectKind
from .originality import (
    OriginalityBucket,
    OriginalityContest,
    OriginalityFlag,
    OriginalitySignature,
)
from .review import (
    Appeal,
    Case,
    CaseQuerySet,
    Category,
    Label,
    ModelVersion,
    Policy,
    RetrainRun,
    Sanction,
)
from .scoping import AboutCreatorQuerySet, OperatorOnlyQuerySet

__all__ = [
    "AboutCreatorQuerySet",
    "Appeal",
    "Case",
    "CaseQuerySet",
    "Category",
    "ComplaintRateDaily",
    "ComplaintRateQuerySet",
    "Label",
    "ModelVersion",
    "OperatorOnlyQuerySet",
    "OriginalityBucket",
    "OriginalityContest",
    "OriginalityFlag",
    "OriginalitySignature",
    "Policy",
    "RetrainRun",
    "Sanction",
    "SubjectKind",
]
