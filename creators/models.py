"""Creators: the people who make content. Issue 3 adds portraits, metrics and content."""

from django.conf import settings
from django.db import models


class Creator(models.Model):
    """Platform-wide, not owned by a tenant: public fields are visible to every signed-in tenant.

    ``user`` is the creator's own login to the portal (reverse name ``creator``).
    """

    handle = models.SlugField(max_length=64, unique=True)
    display_name = models.CharField(max_length=120)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creator",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["handle"]

    def __str__(self) -> str:
        return f"{self.display_name} (@{self.handle})"
