"""The operator's ecosystem analytics page, its "compute now" and its exports.

The page reads the cached report (``analytics.selectors_page``) and never computes one: with
none cached it shows an empty state whose button asks for one (``analytics.services_compute``,
a task enqueued after commit); while the task runs the page polls ``report_status`` with htmx
and goes to the report once it has arrived. The date range picks the report (the newest as of
"to") and cuts the series of quarters and years; the exports take the same range.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.views_base import tenant_view

from .exports import XLSX, csv_text, in_period, workbook_bytes
from .forms import ComputeForm, RangeForm
from .sections import report_sections
from .selectors_page import cached_days, report_arrived, report_in_range
from .services_compute import ecosystem_report_request

logger = logging.getLogger(__name__)
OPERATOR = [roles.OPERATOR]
#: How long the page waits for a report asked for (the task's time limit, and a little).
PATIENCE = timedelta(minutes=35)


def _range(request) -> tuple[RangeForm, object, object]:
    form = RangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, None, None


def _page(request, actor, *, compute_form=None, status=200):
    form, start, end = _range(request)
    if form.is_bound and not form.is_valid():
        status = 400
    report = report_in_range(actor=actor, start=start, end=end)
    yesterday = timezone.localdate() - timedelta(days=1)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "report": report,
        "sections": report_sections(report.payload, start, end) if report else [],
        "days": cached_days(actor=actor, start=start, end=end),
        "compute_form": compute_form
        or ComputeForm(initial={"as_of": min(end, yesterday) if end else yesterday}),
        "can_write": actor.can_write(),
        "pending": _pending(request.GET),
        "export_query": urlencode({k: v for k, v in request.GET.items() if k in ("start", "end")}),
    }
    return render(request, "analytics/report.html", context, status=status)


def _pending(query) -> dict | None:
    """The report asked for that the page follows (``?pending=YYYY-MM-DD&since=epoch``)."""
    try:
        as_of = datetime.strptime(query["pending"], "%Y-%m-%d").date()
        since = datetime.fromtimestamp(int(query["since"]), tz=UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        return None
    return {"as_of": as_of, "since": since, "epoch": int(since.timestamp())}


@tenant_view(OPERATOR)
def report(request, *, actor):
    """The latest cached ecosystem report (or the range's), drawn as charts with their numbers."""
    return _page(request, actor)


@require_POST
@tenant_view(OPERATOR)
def report_compute(request, *, actor):
    """Ask for a day's report. Embedded, it is there at once; with a worker the page follows it."""
    form = ComputeForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, compute_form=form, status=400)
    as_of = form.cleaned_data["as_of"]
    since = timezone.now().replace(microsecond=0)
    try:
        ecosystem_report_request(actor=actor, as_of=as_of)
    except ValidationError as error:
        form.add_error("as_of", error)
        return _page(request, actor, compute_form=form, status=400)
    except Exception:  # eager only: the computation itself failed
        logger.exception("ecosystem report of %s crashed", as_of)
        messages.error(request, _("Computing the report failed; the error is in the log."))
        return redirect("analytics:report")
    if report_arrived(actor=actor, as_of=as_of, since=since):
        messages.success(request, _("The report as of %(day)s is ready.") % {"day": as_of})
        return redirect(reverse("analytics:report") + "?" + urlencode({"end": as_of}))
    messages.info(request, _("The report as of %(day)s is being computed.") % {"day": as_of})
    query = {"pending": as_of.isoformat(), "since": int(since.timestamp())}
    return redirect(reverse("analytics:report") + "?" + urlencode(query))


@tenant_view(OPERATOR)
def report_status(request, *, actor):
    """The polled progress of a report asked for; once it has arrived, htmx goes to it."""
    pending = _pending(request.GET)
    if pending is None:
        return HttpResponseBadRequest(_("Say which report: pending=YYYY-MM-DD and since."))
    arrived = report_arrived(actor=actor, as_of=pending["as_of"], since=pending["since"])
    late = timezone.now() - pending["since"] > PATIENCE
    context = {"pending": pending, "arrived": arrived, "late": late and not arrived}
    response = render(request, "analytics/_report_pending.html", context)
    if arrived:
        response["HX-Redirect"] = (
            reverse("analytics:report") + "?" + urlencode({"end": pending["as_of"]})
        )
    return response


def _export(request, actor):
    form, start, end = _range(request)
    if form.is_bound and not form.is_valid():
        return None, HttpResponseBadRequest(" ".join(sum(form.errors.values(), [])))
    chosen = report_in_range(actor=actor, start=start, end=end)
    if chosen is None:
        messages.error(request, _("There is no cached report to export in this range."))
        return None, redirect("analytics:report")
    return (chosen, start, end), None


def _attachment(response, chosen, extension: str):
    name = f"ecosystem-report-{chosen.as_of.isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@tenant_view(OPERATOR)
def report_csv(request, *, actor):
    """The whole report (the range's series cut) in long format: report,key,value."""
    found, refused = _export(request, actor)
    if refused:
        return refused
    chosen, start, end = found
    body = csv_text(in_period(chosen.payload, start, end), chosen.computed_at)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    return _attachment(response, chosen, "csv")


@tenant_view(OPERATOR)
def report_xlsx(request, *, actor):
    """The whole report as an Excel workbook: a sheet per report, numbers as numbers."""
    found, refused = _export(request, actor)
    if refused:
        return refused
    chosen, start, end = found
    body = workbook_bytes(chosen.payload, chosen.computed_at, start, end)
    return _attachment(HttpResponse(body, content_type=XLSX), chosen, "xlsx")
