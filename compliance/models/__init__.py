"""Compliance tables, one module per concern; every model is importable from here.

* ``review``: policy, review cases, reviewers' labels, sanctions and appeals, model versions.
* ``consumer``: consumer protection (the daily complaint rates).
* ``scoping``: the querysets that say who reads a row.
"""

from .consumer import ComplaintRateDaily, ComplaintRateQuerySet, SubjectKind
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
    "Policy",
    "RetrainRun",
    "Sanction",
    "SubjectKind",
]
