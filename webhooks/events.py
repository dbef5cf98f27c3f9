"""The catalogue of webhook events an endpoint may subscribe to.

Each app registers the events it emits from its ``AppConfig.ready``, so this app names none of
the apps to its right; :func:`webhooks.services.webhook_emit` refuses an event nobody registered.
"""

from __future__ import annotations

#: name → what it means (shown to partners by ``GET /api/v1/webhooks/events/``).
EVENTS: dict[str, str] = {}
#: Sent only by the API's "test" action, whatever the endpoint subscribes to.
PING = "ping"


def register(name: str, description) -> None:
    """Add ``name`` to the catalogue; registering the same name twice must mean the same."""
    known = EVENTS.get(name)
    if known is not None and str(known) != str(description):
        raise ValueError(f"Webhook event {name!r} is already registered with another meaning.")
    EVENTS[name] = description
