"""Compliance pages: the operator's review queue (placeholder until the pages land)."""

from django.shortcuts import render

from tenancy import roles
from tenancy.views_base import tenant_view
from ui.pages import paginate

from .selectors import case_queue


@tenant_view([roles.OPERATOR])
def queue(request, *, actor):
    page = paginate(request, case_queue(actor=actor))
    return render(request, "compliance/queue.html", {"page": page})
