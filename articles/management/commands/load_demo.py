from pathlib import Path

from django.conf import settings

from .import_articles import Command as ImportCommand

DEMO_DIR = Path(settings.BASE_DIR) / "demo"


class Command(ImportCommand):
    """``import_articles demo/``, with the folder optional: what ``make run`` calls."""

    help = "Load the demo articles shipped in demo/ (idempotent: a second run changes nothing)."
    summary = "Demo content"

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(DEMO_DIR), help="Content directory to load.")
        self.add_user_argument(parser)
