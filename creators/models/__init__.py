"""Models of the creators app: the creators themselves (``core``), the academy and the
incentive plan (growth programmes)."""

from .academy import Course, Enrolment, Lesson, LessonCompletion, Track
from .core import (
    AudienceProfile,
    ContentItem,
    Creator,
    MetricSnapshot,
    PrivateToCreatorManager,
    PrivateToCreatorQuerySet,
    sees_private_figures,
)
from .incentives import (
    Award,
    IncentivePlan,
    IncentiveRun,
    Milestone,
    MilestoneKind,
)

__all__ = [
    "AudienceProfile",
    "Award",
    "ContentItem",
    "Course",
    "Creator",
    "Enrolment",
    "IncentivePlan",
    "IncentiveRun",
    "Lesson",
    "LessonCompletion",
    "MetricSnapshot",
    "Milestone",
    "MilestoneKind",
    "PrivateToCreatorManager",
    "PrivateToCreatorQuerySet",
    "Track",
    "sees_private_figures",
]
