"""Running calls at the same time, each in a thread (and so a database connection) of its own,
for the PostgreSQL tests of row locks and constraints under concurrent requests."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def race(*calls) -> list[str]:
    """Run ``calls`` at once: "won" or "refused" (a ``ValidationError``) for each, sorted."""
    barrier, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)
