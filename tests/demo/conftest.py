import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


def seeded_world(**options):
    """A module-scoped fixture: ``seed_demo`` run once for the module's tests instead of once per
    test (a 3,000-creator world takes seconds on SQLite and more on PostgreSQL). The world is
    written inside a transaction that stays open while the module runs and is rolled back after
    it, so nothing outlives the module; each test (``django_db``, not transactional) runs in a
    savepoint inside it, so what one test writes is rolled back before the next, as before. The
    world is seeded under the settings the per-test autouse fixtures would give it."""

    @pytest.fixture(scope="module")
    def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
        overrides = override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            LANGUAGE_CODE="en",
            MATCH_INDEX_DIR=tmp_path_factory.mktemp("match_index"),
        )
        with django_db_blocker.unblock(), overrides, transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO(), **options)
            yield
            transaction.set_rollback(True)

    return seeded
