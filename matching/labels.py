"""What each reason of a match is called, for people: one label per engine component kind.

One dict (``REASON_LABELS``) and one reader (:func:`reason_label`), shared by the pages and the
API so both name a reason alike.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import engine

#: engine component kind (and ``engine.OTHER``) → its label.
REASON_LABELS = {
    "audience_gender": _("Audience gender fit"),
    "audience_age": _("Audience age fit"),
    "audience_city_tier": _("Audience city-tier fit"),
    "audience_interests": _("Audience interest fit"),
    "category": _("Category fit"),
    "price_band": _("Price-band affinity"),
    "engagement": _("Fan engagement"),
    "conversion": _("Expected conversion"),
    engine.OTHER: _("Other factors"),
}


def reason_label(reason: engine.Reason) -> str:
    """The reason's label in the active language (its kind, should one be unknown)."""
    return str(REASON_LABELS.get(reason.kind, reason.kind))
