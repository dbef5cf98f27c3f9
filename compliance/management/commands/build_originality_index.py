"""``python manage.py build_originality_index [--batch N]``: rebuild the originality index
(MinHash signatures and LSH buckets, COPY on PostgreSQL) from every content item in the
database, then re-decide every item's flag. Flags people acted on stay as they are; the result
equals what incremental indexing on ingestion leaves."""

import time

from django.core.management.base import BaseCommand, CommandError

from compliance.originality import BATCH, index_rebuild
from tenancy.scoping import SYSTEM, acting_as


class Command(BaseCommand):
    help = "Rebuild the originality index from the database and re-decide the flags."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help="items per batch")

    def handle(self, *args, batch, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        started = time.perf_counter()
        with acting_as(SYSTEM):
            result = index_rebuild(batch=batch, progress=self.stdout.write)
        self.stdout.write(
            f"originality index: {result['indexed']:,} of {result['items']:,} items indexed "
            f"(the others too short), {result['flags_changed']:,} flags changed, "
            f"{time.perf_counter() - started:.1f} s"
        )
