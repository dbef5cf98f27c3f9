"""``python manage.py build_match_index``: retrain the conversion model and rebuild the index
from what is in the database now (the same service the Celery task runs)."""

from django.core.management.base import BaseCommand

from matching.services import match_index_build
from tenancy.scoping import SYSTEM, acting_as


class Command(BaseCommand):
    help = "Retrain the conversion model and rebuild the match index from the database."

    def handle(self, *args, **options):
        with acting_as(SYSTEM):
            build = match_index_build(actor=SYSTEM)
        model = (
            f"model on {build.training_pairs} collaborations (R² {build.model_r2:.2f} in sample)"
            if build.has_model
            else "no conversion model (too little history: fit alone)"
        )
        self.stdout.write(
            f"match index v{build.pk}: {build.creators} creators, {model}, "
            f"{build.build_seconds:.1f} s"
        )
