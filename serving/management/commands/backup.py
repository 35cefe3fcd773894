from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from serving import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup) and the media folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            help="New folder to write (default: <data folder>/backups/<UTC time>).",
        )

    def handle(self, *args, destination=None, **options):
        if destination is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            destination = Path(settings.DATA_DIR) / "backups" / stamp
        try:
            written = backup.backup(destination)
        except (backup.NotSQLite, FileExistsError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written}"))
