"""``ecosystem_report [--as-of YYYY-MM-DD] [--json] [--store]``.

Computes every ecosystem report (``analytics.reports``) from the rows as of the day (default:
yesterday, the beat's day) and prints the figures readably, or with ``--json`` one JSON object
(the cached payload's shape, plus ``durations``). ``--store`` also caches it as the beat would.
A bad date: one line on stderr and exit code 2.
"""

import datetime
import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.services import ecosystem_report_compute, ecosystem_report_store
from analytics.text import lines
from tenancy.scoping import SYSTEM, acting_as


class Command(BaseCommand):
    help = "Compute the ecosystem report (Gini, bands, concentration, income, ROI …) and print it."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default yesterday)")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object"
        )
        parser.add_argument("--store", action="store_true", help="also cache it")

    def handle(self, *args, as_of, as_json: bool, store: bool, **options):
        try:
            day = _day(as_of)
        except ValueError as error:
            self.stderr.write(f"error: {error}")
            raise SystemExit(2) from None
        with acting_as(SYSTEM):
            if store:
                cached = ecosystem_report_store(actor=SYSTEM, as_of=day)
                payload, durations = cached.payload, cached.durations
            else:
                payload, durations = ecosystem_report_compute(as_of=day)
        if as_json:
            self.stdout.write(_json({**payload, "durations": durations}))
            return
        for line in lines(payload, durations):
            self.stdout.write(line)


def _day(text: str | None) -> datetime.date:
    if text is None:
        return timezone.localdate() - datetime.timedelta(days=1)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


def _json(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=False, allow_nan=False)
