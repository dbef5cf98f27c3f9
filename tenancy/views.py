"""Sign-in, the role-routing home, the tenant switcher and the API key settings page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .forms import ApiKeyForm
from .homes import home_of
from .roles import ORGANIZATION_KINDS
from .scoping import ADMIN_ROLES
from .selectors import (
    CREATOR_CONTEXT,
    api_keys_list,
    creator_id_of_user,
    memberships_of_user,
    organization_of,
)
from .services import api_key_create, api_key_revoke
from .views_base import SESSION_CONTEXT_KEY, request_actor, tenant_view

ADMINS_ONLY = gettext_lazy("Only an owner or admin of the organization can manage API keys.")


@login_required
def home(request):
    actor = request_actor(request)
    landing = home_of("creator" if actor.is_creator else actor.organization_kind)
    if landing:
        return redirect(landing)
    return render(request, "tenancy/no_context.html")


@require_POST
@login_required
def switch_context(request):
    """Act for another of the user's organizations (or as their creator profile)."""
    chosen = request.POST.get("context", "")
    allowed = {str(m.organization_id) for m in memberships_of_user(user=request.user)}
    if creator_id_of_user(request.user):
        allowed.add(CREATOR_CONTEXT)
    if chosen not in allowed:
        raise Http404
    request.session[SESSION_CONTEXT_KEY] = chosen
    return redirect(_safe_next(request) or reverse("tenancy:home"))


def _safe_next(request) -> str | None:
    target = request.POST.get("next")
    ok = target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else None


@tenant_view(ORGANIZATION_KINDS)  # a creator has no organization, hence no keys: 404
def api_keys(request, *, actor):
    actor.require(roles=ADMIN_ROLES, message=ADMINS_ONLY)  # 403, as the API answers
    form = ApiKeyForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        organization = organization_of(actor=actor)
        try:
            key, secret = api_key_create(
                actor=actor, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Key “%(name)s” created.") % {"name": key.name})
            form = ApiKeyForm()
    page = Paginator(api_keys_list(actor=actor).order_by("-created"), 25).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "secret": secret}
    return render(request, "tenancy/api_keys.html", context)


@require_POST
@tenant_view(ORGANIZATION_KINDS)
def api_key_revoke_view(request, prefix, *, actor):
    actor.require(roles=ADMIN_ROLES, message=ADMINS_ONLY)
    key = get_object_or_404(api_keys_list(actor=actor), prefix=prefix)
    api_key_revoke(actor=actor, api_key=key)
    messages.success(request, _("Key “%(name)s” revoked.") % {"name": key.name})
    return HttpResponseRedirect(reverse("tenancy:api_keys"))


def login_locked_out(request, original_response=None, credentials=None):
    """The lock-out page (AXES_LOCKOUT_CALLABLE): 429 in the user's language, saying how long to
    wait; ``Retry-After`` says it to machines."""
    cool_off = settings.AXES_COOLOFF_TIME
    seconds = int(cool_off.total_seconds())
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": max(1, seconds // 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(seconds)
    return response
