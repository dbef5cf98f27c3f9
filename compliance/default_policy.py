"""The policy a fresh platform starts with (migration 0002 writes it; the operator edits it).

Thresholds are on the combined risk (``compliance.engine.scoring``). Counterfeits are blocked
soonest and sanctioned on the first confirmed case; absolute claims, the commonest slip of an
honest seller, get the most room.
"""

#: category: (review threshold, block threshold, restrict after, suspend after)
DEFAULT_POLICY = {
    "absolute": (0.5, 0.9, 3, 5),
    "medical": (0.5, 0.85, 2, 4),
    "off_platform": (0.5, 0.85, 2, 3),
    "counterfeit": (0.45, 0.8, 1, 2),
    "fake_price": (0.5, 0.9, 3, 5),
}
#: Confirmed violations older than this no longer count towards the ladder.
WINDOW_DAYS = 180
#: How long a traffic restriction lasts, and the merit factor while it does.
RESTRICTION_DAYS = 30
RESTRICTION_FACTOR = 0.5
