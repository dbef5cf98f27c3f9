"""How the brand pages write a return on spend: ``1 : 3.45``, or "—" when nothing was spent."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def roi(value) -> str:
    """GMV per unit of spend as the trade writes it (1 : x.xx); None (no spend) is "—"."""
    if value is None:
        return "—"
    return "1 : " + number_format(value, 2, force_grouping=True)
