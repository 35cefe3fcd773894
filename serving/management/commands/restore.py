from django.core.management.base import BaseCommand, CommandError

from serving import backup


class Command(BaseCommand):
    help = "Restore a backup folder (from `backup`) into an empty data folder."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Backup folder holding db.sqlite3 and media/.")

    def handle(self, *args, source, **options):
        try:
            backup.restore(source)
        except (backup.NotSQLite, FileNotFoundError, FileExistsError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {source}"))
