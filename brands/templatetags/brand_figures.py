"""How the brand pages write a return on spend: ``1 : 3.45``, or "—" when nothing was spent."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def roi(value) -> str:
    """GMV per unit of spend as the trade writes it (1 : x.xx); None (no spend) is "—"."""
    if value is None:
        return "—"
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "1 : " + number_format(rounded, 2, force_grouping=True)
