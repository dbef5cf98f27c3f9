"""The operator's "compute now": a cached ecosystem report asked for from the page.

:func:`ecosystem_report_request` checks the role, records the audit event and enqueues the
task (after commit) that runs ``analytics.services.ecosystem_report_store`` for the day; the
page then follows it (``analytics.selectors_page.report_progress``). Embedded (eager Celery) the
report is there when this returns; with a worker it arrives when the task has run.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from tenancy.tasking import enqueue

from . import tasks

REQUESTED = "analytics.ecosystem_report_requested"


def ecosystem_report_request(*, actor: Actor, as_of: date) -> None:
    """Ask for ``as_of``'s report to be (re)computed: the operator's writers only; a day that
    has not ended yet is refused (its rows are still arriving)."""
    actor.require(kinds=[roles.OPERATOR], write=True)
    if as_of >= timezone.localdate():
        raise ValidationError(
            _("Choose a day that has ended: yesterday at the latest."), code="future"
        )
    audit_event_record(actor=actor, action=REQUESTED, data={"as_of": as_of.isoformat()})
    enqueue(tasks.ecosystem_report_store, actor=actor, as_of=as_of.isoformat())
