"""Operator pages for traffic allocation runs, and the creator's "my traffic" panel.

Reads go through ``traffic.selectors``; runs are created, executed (by the Celery task, enqueued
after commit) and published through ``traffic.services``, which also write the audit records.
"""

import csv
import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from tenancy import roles
from tenancy.tasking import enqueue
from tenancy.views_base import tenant_view
from ui.pages import found, paginate, render_list
from ui.streaming import stream_as

from . import tasks
from .forms import RunForm
from .models import AllocationRun
from .selectors import (
    allocation_run_get,
    allocation_runs_list,
    creator_traffic,
    run_bands,
    run_csv_rows,
    run_lorenz,
    run_movers,
    run_packages,
)
from .services import allocation_run_create, allocation_run_publish

logger = logging.getLogger(__name__)
OPERATOR = [roles.OPERATOR]
BAND_LABELS = {
    "head": gettext_lazy("Head (≥1M followers)"),
    "mid": gettext_lazy("Mid (100k–1M)"),
    "waist": gettext_lazy("Waist (10k–100k)"),
    "tail": gettext_lazy("Tail (<10k)"),
}
FINISHED = {AllocationRun.Status.SUCCEEDED, AllocationRun.Status.FAILED}


def _runs_page(request, actor, form, status=200):
    runs = allocation_runs_list(actor=actor).select_related("created_by")
    context = {"page": paginate(request, runs), "form": form}
    response = render_list(request, "traffic/runs.html", "traffic/_run_table.html", context)
    response.status_code = status
    return response


@tenant_view(OPERATOR)
def runs(request, *, actor):
    """The runs (paginated) and the form that starts a new one."""
    if request.method != "POST":
        return _runs_page(request, actor, RunForm())
    form = RunForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = allocation_run_create(
                actor=actor,
                pool=data["pool"],
                target_gini=data["target_gini"],
                floor=data["floor"],
                cap=data["cap"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _start(request, actor, run)
            return redirect("traffic:run", pk=run.pk)
    return _runs_page(request, actor, form, status=400)


def _start(request, actor, run) -> None:
    """Enqueue the run and say what happened to it. Embedded (eager Celery) it has already
    finished by now, so the message tells the outcome; with a worker it is on its way."""
    try:
        enqueue(tasks.allocation_run_execute, actor=actor, run_id=run.pk)
    except Exception:  # eager only: the task has recorded the failure on the run
        logger.exception("allocation run %s crashed", run.pk)
    run.refresh_from_db()
    if run.status == AllocationRun.Status.SUCCEEDED:
        text = ngettext(
            "Run %(id)s finished: %(count)s creator, Gini %(before).3f → %(after).3f.",
            "Run %(id)s finished: %(count)s creators, Gini %(before).3f → %(after).3f.",
            run.creators,
        )
        values = {"before": run.gini_before, "after": run.gini_after, "count": run.creators}
        messages.success(request, text % {"id": run.pk, **values})
    elif run.status == AllocationRun.Status.FAILED:
        text = _("Run %(id)s failed: %(error)s")
        messages.error(request, text % {"id": run.pk, "error": run.error})
    else:
        text = _("Run %(id)s is queued; this page follows its progress.")
        messages.info(request, text % {"id": run.pk})


def _results_context(actor, run) -> dict:
    if run.status != AllocationRun.Status.SUCCEEDED:
        return {}
    gainers, losers = run_movers(actor=actor, run=run)
    lorenz = run_lorenz(actor=actor, run=run)
    bands = [(BAND_LABELS[key], share) for key, share in run_bands(run)]
    both = zip(lorenz["before"], lorenz["after"], strict=False)
    return {
        "gainers": gainers,
        "losers": losers,
        "lorenz_curves": [
            (_("Before: merit-proportional"), lorenz["before"]),
            (_("After: this run"), lorenz["after"]),
        ],
        "lorenz_rows": [(b[0], b[1], a[1]) for b, a in both],
        "bands": bands,
        "packages": run_packages(run),
    }


@tenant_view(OPERATOR)
def run_detail(request, pk: int, *, actor):
    run = found(allocation_run_get, actor=actor, run_id=pk)
    context = {"run": run, "finished": run.status in FINISHED, **_results_context(actor, run)}
    return render(request, "traffic/run.html", context)


@tenant_view(OPERATOR)
def run_status(request, pk: int, *, actor):
    """The polled status partial; once the run has finished, the page reloads to its results."""
    run = found(allocation_run_get, actor=actor, run_id=pk)
    finished = run.status in FINISHED
    response = render(request, "traffic/_run_status.html", {"run": run, "finished": finished})
    if finished:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@tenant_view(OPERATOR)
def run_publish(request, pk: int, *, actor):
    run = found(allocation_run_get, actor=actor, run_id=pk)
    try:
        allocation_run_publish(actor=actor, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You cannot do this."))
    else:
        messages.success(request, _("Run %(id)s is now the published one.") % {"id": run.pk})
    return redirect("traffic:run", pk=run.pk)


class _Echo:
    def write(self, value):
        return value


@tenant_view(OPERATOR)
def run_csv(request, pk: int, *, actor):
    """One row per creator of the run, streamed (a run may hold every creator on the platform)."""
    run = found(allocation_run_get, actor=actor, run_id=pk)
    rows = run_csv_rows(actor=actor, run=run)  # read lazily, while the body streams
    writer = csv.writer(_Echo())
    header = [
        "creator",
        "followers",
        "merit",
        "impressions",
        "proportional_impressions",
        "eligible",
        "package_impressions",  # last, so the earlier columns keep their places
    ]

    def lines():
        yield writer.writerow(header)
        for handle, followers, merit, impressions, proportional, eligible, package in rows:
            yield writer.writerow(
                [
                    handle,
                    followers,
                    f"{merit:.4f}",
                    impressions,
                    f"{proportional:.1f}",
                    eligible,
                    package,
                ]
            )

    # The body is read after this view returned (and reset the actor): stream it as the actor.
    body = stream_as(actor, lines())
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="allocation-run-{run.pk}.csv"'
    return response


@tenant_view([roles.CREATOR])
def my_traffic(request, *, actor):
    """Full page, or the ``_my_traffic.html`` fragment the creator portal loads with htmx."""
    context = {"traffic": creator_traffic(actor=actor)}
    template = "traffic/_my_traffic.html" if request.htmx else "traffic/my_traffic.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # caches must not serve one for the other
    return response
