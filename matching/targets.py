"""A target audience a brand describes in a few words, as the portrait the matcher ranks for.

Pure (the taxonomy only): a gender lean, an age band, a city tier and an interest become one
distribution per audience axis. A chosen key holds :data:`FOCUS` of its axis and the others
share the rest evenly; an axis left open is uniform, so it favours no creator.
"""

from __future__ import annotations

from creators import taxonomy

#: The share a chosen age band, city tier or interest holds on its axis.
FOCUS = 0.6
#: The share of the gender a lean favours ("balanced" or none: half each).
GENDER_LEAN = 0.8
GENDER_LEANS: tuple[str, ...] = ("female", "male", "balanced")
#: The price a described target is ranked at (yuan): the middle of the common price bands.
DEFAULT_PRICE = 99.0


def axis_shares(axis: str, chosen: str | None, focus: float = FOCUS) -> dict[str, float]:
    """``{key: share}`` over ``axis``: ``focus`` on ``chosen``, the rest evenly; uniform
    without a choice."""
    keys = taxonomy.keys(axis)
    if not chosen:
        return {key: 1.0 / len(keys) for key in keys}
    if chosen not in keys:
        raise ValueError(f"{chosen!r} is no {axis} key")
    rest = (1.0 - focus) / (len(keys) - 1)
    return {key: focus if key == chosen else rest for key in keys}


def gender_shares(lean: str | None) -> dict[str, float]:
    if lean in (None, "", "balanced"):
        return axis_shares("gender", None)
    if lean not in taxonomy.GENDER:
        raise ValueError(f"{lean!r} is no gender lean")
    return axis_shares("gender", lean, GENDER_LEAN)


def target_portrait(
    *,
    gender: str | None = None,
    age: str | None = None,
    city_tier: str | None = None,
    interest: str | None = None,
) -> dict[str, dict[str, float]]:
    """The described audience as ``{axis: {key: share}}``, every axis a distribution."""
    return {
        "gender": gender_shares(gender),
        "age": axis_shares("age", age),
        "city_tier": axis_shares("city_tier", city_tier),
        "interests": axis_shares("interests", interest),
    }


def category_code(category: str | None) -> int:
    """The vertical's code for the matcher; -1 for none (category fit then favours nobody)."""
    return taxonomy.VERTICAL.index(category) if category else -1
