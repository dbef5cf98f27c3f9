"""What a report could not measure, one message per case.

A ``missing`` line is ``"<payload key>: <message>"`` in English: the JSON, the command's output
and the CSV export stay in one language whatever the reader's. The page shows the message in
the reader's language: :func:`translated` finds which message (and which values) a line was made
of and translates it, so every message here is marked for the catalogue.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as noop

NO_FOLLOWERS = noop("no creator with followers")
NO_RUN = noop("no succeeded allocation run on or before %(date)s")
RUN_WITHOUT_IMPRESSIONS = noop("allocation run %(run)s handed out no impressions")
NO_REVENUE = noop("no tipping or GMV in the %(days)s days")
NO_BAND_FIGURE = noop("none in the %(days)s days")
NO_GMV = noop("no GMV in any snapshot up to %(date)s")
NO_AGENCY_GMV = noop("no agency had GMV in %(quarter)s")
NO_COMPLETE_MONTH = noop("no complete month up to %(date)s")
NO_PAID_COLLABORATION = noop("no paid collaboration went ahead up to %(date)s")
ONE_YEAR_ONLY = noop("paid collaborations in one year only")
NOBODY_WATCHED = noop("no new creator has been watched for 3 months")
NOBODY_TRAINED = noop("no new creator completed an academy course")
NO_ORDERS = noop("no order placed in the %(days)s days")
NO_STORED_RATES = noop("no daily complaint rates stored yet")
NO_VIOLATIONS = noop("no violation confirmed up to %(date)s")
NO_SPEND = noop("no spend recorded (no fee, commission)")
NO_VIEWS = noop("no views in the %(days)s days")
NO_PORTRAITS = noop("no creator with views has an audience portrait")

MESSAGES = tuple(value for name, value in dict(globals()).items() if name.isupper())


def line(key: str, message: str, **values) -> str:
    """The payload's line: ``key`` (where in the payload) and the English message."""
    return f"{key}: {message % values}"


@cache
def _pattern(message: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", message)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex)


def translated(text: str) -> tuple[str, str]:
    """``(key, message in the active language)`` of a payload line; a line made elsewhere keeps
    its English message."""
    key, _, message = text.partition(": ")
    for known in MESSAGES:
        found = _pattern(known).fullmatch(message)
        if found:
            return key, gettext(known) % found.groupdict()
    return key, message
