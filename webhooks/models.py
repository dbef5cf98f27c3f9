"""Where an organization wants its events sent, and every delivery of one event to one endpoint."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.models import TenantOwned


class WebhookEndpoint(TenantOwned):
    """A URL an organization wants its events POSTed to, signed with a shared secret.

    ``secret`` is stored in clear on purpose: unlike an API key, which we only *check*, we must
    *sign* with it, so a hash would be useless. It is shown once, on creation, and never again.
    ``events`` lists names from the catalogue in ``webhooks.events``.
    """

    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwned.Meta):
        ordering = ["-id"]
        # webhook_emit looks up the active endpoints of a few organizations.
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(TenantOwned):
    """One event sent to one endpoint, with every attempt's outcome folded into one row.

    ``event_id`` is the id receivers deduplicate on: retries of a delivery reuse it. The last
    attempt's error is stored as a code and its parameters, not as a sentence: ``last_error``
    words it in the reader's language when it is read (the API follows ``Accept-Language``).
    """

    class Error(models.TextChoices):
        REFUSED = "refused", _("Refused by the address check")
        CONNECTION = "connection", _("Connection failed")
        HTTP_STATUS = "http_status", _("Answered with an error status")
        ENDPOINT_DISABLED = "endpoint_disabled", _("Endpoint disabled")

    #: code → the sentence, with ``last_error_params`` filled in.
    ERROR_MESSAGES = {
        Error.REFUSED: _(
            "Not sent: the address check refused %(host)s (public addresses on allowed ports only)."
        ),
        Error.CONNECTION: _("The request failed: %(error)s"),
        Error.HTTP_STATUS: _("The endpoint answered HTTP %(status)s."),
        Error.ENDPOINT_DISABLED: _("Not sent: the endpoint is disabled."),
    }

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed, will retry")
        ABANDONED = "abandoned", _("Abandoned")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error_code = models.CharField(max_length=20, choices=Error.choices, blank=True)
    #: What the message names: the host, the status, the network error as the OS put it.
    last_error_params = models.JSONField(default=dict, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantOwned.Meta):
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # An endpoint's recent deliveries (the API list, newest first).
            models.Index(fields=["endpoint", "-id"]),
            # The sweeper: open deliveries whose next attempt is overdue.
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "succeeded", "failed", "abandoned"]),
                name="webhook_delivery_status_valid",
                violation_error_message=_("Choose a valid delivery status."),
                violation_error_code="webhook_delivery_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    @property
    def last_error(self) -> str:
        """The last attempt's error in the active language ("" after a success)."""
        if not self.last_error_code:
            return ""
        return str(self.ERROR_MESSAGES[self.last_error_code]) % self.last_error_params
