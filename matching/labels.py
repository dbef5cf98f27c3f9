"""What the pages and the API call the matcher's score components (one dict for both), and the
reasons shaped for templates."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from creators import taxonomy
from creators.filters import taxonomy_lang

from . import engine

#: engine component kind (and ``engine.OTHER``) → its label.
REASON_LABELS = {
    "audience_gender": _("Fans' gender"),
    "audience_age": _("Fans' age"),
    "audience_city_tier": _("Fans' city tier"),
    "audience_interests": _("Fans' interests"),
    "category": _("Category"),
    "price_band": _("Price band"),
    "engagement": _("Engagement"),
    "conversion": _("Expected conversion"),
    engine.OTHER: _("Other"),
}


@dataclass(frozen=True)
class ShownReason:
    kind: str
    label: str
    detail: str | None
    contribution: float


def _axis(kind: str) -> str | None:
    axis = kind.removeprefix("audience_")
    return axis if axis in engine.AUDIENCE_AXES and axis != kind else None


def reason_label(kind: str) -> str:
    return str(REASON_LABELS.get(kind, kind))


def detail_label(reason: engine.Reason, lang: str) -> str | None:
    axis = _axis(reason.kind)
    if axis is None or not reason.detail:
        return None
    return taxonomy.label(reason.detail, lang, axis=axis)


def shown_reasons(reasons: list[engine.Reason]) -> list[ShownReason]:
    """The reasons in the page's language: kind label, the audience key's label, contribution."""
    lang = taxonomy_lang()
    return [
        ShownReason(r.kind, reason_label(r.kind), detail_label(r, lang), r.contribution)
        for r in reasons
    ]
