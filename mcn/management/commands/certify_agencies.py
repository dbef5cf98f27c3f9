"""``certify_agencies [--as-of YYYY-MM-DD]``: run one certification cycle now, as SYSTEM, under
the active policy, and print the tier counts (``S 3, A 7, B 12, none 4``). The cycle's run is
reused when it exists (a second call prints the same counts and writes nothing). Bad input: one
line on stderr and exit code 2."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from mcn.certification import certification_run_create, certification_run_execute
from mcn.labels import tier_counts_line
from tenancy.scoping import SYSTEM, acting_as


class Command(BaseCommand):
    help = "Run one 星火计划 certification cycle now and print the tier counts."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="the window's last day (default today)")

    def handle(self, *args, as_of, **options):
        try:
            day = None if as_of is None else datetime.date.fromisoformat(as_of)
        except ValueError:
            self.stderr.write(f"error: --as-of must be a date YYYY-MM-DD, got {as_of!r}")
            raise SystemExit(2) from None
        with acting_as(SYSTEM):
            try:
                run, _created = certification_run_create(actor=SYSTEM, as_of=day)
            except ValidationError as error:
                self.stderr.write("error: " + " ".join(error.messages))
                raise SystemExit(2) from None
            run = certification_run_execute(actor=SYSTEM, run_id=run.pk)
        if run.status != run.Status.SUCCEEDED:
            self.stderr.write(f"error: run {run.pk} {run.status}: {run.error}")
            raise SystemExit(1)
        self.stdout.write(tier_counts_line(run.tier_counts))
