"""The policy a fresh platform starts with (migration 0002 writes it; the operator edits it).

Thresholds are on the combined risk and come from the engine (``engine.scoring.DEFAULT_POLICY``,
where the review threshold is explained). Counterfeits are sanctioned on the first confirmed
case; absolute claims, the commonest slip of an honest seller, get the most room.
"""

from .engine.scoring import DEFAULT_POLICY as THRESHOLDS

#: category: confirmed violations (in the window) that restrict, and that suspend
LADDER = {
    "absolute": (3, 5),
    "medical": (2, 4),
    "off_platform": (2, 3),
    "counterfeit": (1, 2),
    "fake_price": (3, 5),
}
#: category: (review threshold, block threshold, restrict after, suspend after)
DEFAULT_POLICY = {
    category: (THRESHOLDS[category].review, THRESHOLDS[category].block, *ladder)
    for category, ladder in LADDER.items()
}
#: Confirmed violations older than this no longer count towards the ladder.
WINDOW_DAYS = 180
#: How long a traffic restriction lasts, and the merit factor while it does.
RESTRICTION_DAYS = 30
RESTRICTION_FACTOR = 0.5
