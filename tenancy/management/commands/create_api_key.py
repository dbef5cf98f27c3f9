"""``create_api_key --org SLUG --name NAME [--scopes a,b] [--expires-days N]``.

Prints the key once, as the last line. Bad input: one line on stderr and exit code 2.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from tenancy.models import Organization
from tenancy.scopes import unknown_scopes
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create


class UsageError(Exception):
    pass


class Command(BaseCommand):
    help = "Create an API key for an organization and print it once."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", default="", help="comma-separated resource:action scopes")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args, org, name, scopes, expires_days, **options):
        try:
            key, secret = self._create(org, name, scopes, expires_days)
        except UsageError as error:
            self.stderr.write(f"error: {error}")
            raise SystemExit(2) from None
        self.stdout.write(
            f"Created key '{key.name}' for {key.organization.slug} "
            f"(prefix {key.prefix}, scopes: {', '.join(key.scopes) or 'none'})."
        )
        self.stdout.write("Store it now; it is not shown again:")
        self.stdout.write(secret)

    def _create(self, slug, name, scopes_arg, expires_days):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise UsageError(f"unknown organization '{slug}'")
        scopes = [s.strip() for s in scopes_arg.split(",") if s.strip()]
        if unknown := unknown_scopes(scopes):
            raise UsageError(f"unknown scope(s): {', '.join(unknown)}")
        try:
            return api_key_create(
                actor=SYSTEM,
                organization=organization,
                name=name,
                scopes=scopes,
                expires_in_days=expires_days,
            )
        except ValidationError as error:
            raise UsageError("; ".join(error.messages)) from None
