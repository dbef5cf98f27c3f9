"""``seed_demo``: the demo tenants and logins (later issues add the demo world). Idempotent."""

from django.core.management.base import BaseCommand

from demo.services import DEMO_LOGINS, DEMO_PASSWORD, demo_tenants_seed


class Command(BaseCommand):
    help = "Create (or leave as they are) the demo organizations, users and data."

    def handle(self, *args, **options):
        demo_tenants_seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} → {login.lands_on}")
