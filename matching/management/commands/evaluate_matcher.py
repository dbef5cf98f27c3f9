"""``python manage.py evaluate_matcher``: NDCG@20 and precision@20 of the matcher, of a
follower-count ranking and of a random one on a time split of the collaborations, one line each
(``matching.evaluation`` says how)."""

from django.core.management.base import BaseCommand

from matching.evaluation import TEST_SHARE, evaluate
from tenancy.scoping import SYSTEM, acting_as


class Command(BaseCommand):
    help = "Evaluate the matcher against follower-count and random rankings on a time split."

    def add_arguments(self, parser):
        parser.add_argument("--test-share", type=float, default=TEST_SHARE)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, test_share, seed, **options):
        if not 0 < float(test_share) < 1:
            self.stderr.write("error: --test-share must be between 0 and 1")
            raise SystemExit(2)
        with acting_as(SYSTEM):
            result = evaluate(test_share=float(test_share), seed=int(seed))
        if not result.lines:
            self.stderr.write("error: too few collaborations with an outcome to evaluate")
            raise SystemExit(1)
        for line in result.lines:
            self.stdout.write(
                f"{line.name:<9} ndcg@20 {line.ndcg:.3f}  precision@20 {line.precision:.3f}"
            )
        model = "conversion model" if result.model else "fit alone (too little history)"
        self.stdout.write(
            f"({result.train_pairs} training and {result.test_pairs} test collaborations, "
            f"{result.groups} brands' deals ranked; {model})"
        )
