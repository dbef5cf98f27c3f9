"""Webhooks: endpoints, signed deliveries, retries, the SSRF guard, the event catalogue."""
