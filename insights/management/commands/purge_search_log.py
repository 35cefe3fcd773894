"""Remove raw search events older than KB_SEARCH_LOG_DAYS; the daily totals stay.

Run once a day, by cron or a systemd timer (docs/search.md), e.g.:
``17 3 * * * cd /srv/kb && .venv/bin/python manage.py purge_search_log``
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from insights.models import ClickEvent, SearchEvent


class Command(BaseCommand):
    help = "Remove raw search events older than KB_SEARCH_LOG_DAYS (daily totals are kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of KB_SEARCH_LOG_DAYS.",
        )

    def handle(self, *args, days=None, **options):
        days = settings.KB_SEARCH_LOG_DAYS if days is None else days
        if days < 1:
            self.stderr.write("--days must be 1 or more.")
            return
        cutoff = timezone.now() - datetime.timedelta(days=days)
        searches, _kinds = SearchEvent.objects.filter(created_at__lt=cutoff).delete()
        clicks, _kinds = ClickEvent.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(
            f"Removed {searches} searches and {clicks} opened results older than {days} days; "
            "daily totals kept."
        )
