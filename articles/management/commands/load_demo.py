from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.interchange import ContentError, import_content, read_directory

DEMO_DIR = Path(settings.BASE_DIR) / "demo"


class Command(BaseCommand):
    help = "Load the demo articles shipped in demo/ (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(DEMO_DIR), help="Content directory to load.")

    def handle(self, *args, directory, **options):
        try:
            content = read_directory(directory)
        except ContentError as error:
            raise CommandError(str(error)) from None

        def progress(index, total, name, state):
            if options["verbosity"] > 1:
                self.stdout.write(f"[{index}/{total}] {name}: {state}")

        result = import_content(content, progress=progress)
        self.stdout.write(
            f"Demo content: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
