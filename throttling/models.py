"""What the rate limits remember: one row per action and client, its current window."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimitWindow(models.Model):
    """How often one client has attempted one action since its window opened."""

    action = models.CharField(_("action"), max_length=32)
    client = models.CharField(_("client address"), max_length=64)
    started_at = models.DateTimeField(_("window opened at"))
    attempts = models.PositiveIntegerField(_("attempts"))

    class Meta:
        verbose_name = _("rate-limit window")
        verbose_name_plural = _("rate-limit windows")
        constraints = [
            # The upsert in rate_limit.py counts on it (ON CONFLICT (action, client)).
            models.UniqueConstraint(
                fields=["action", "client"], name="throttling_one_window_per_client"
            ),
        ]
        indexes = [
            # Ended windows are deleted by their start (rate_limit.py).
            models.Index(fields=["action", "started_at"], name="throttling_window_start"),
        ]

    def __str__(self):
        return f"{self.action} · {self.client}"
