from django.core.management.base import BaseCommand, CommandError

from articles.interchange import InvalidContent, import_content, read_directory

from ._progress import Progress


class Command(BaseCommand):
    help = (
        "Import a folder of content files (format: demo/README.md). The whole set is checked "
        "first and nothing is written if any file has a problem; unchanged articles are left "
        "untouched, and nothing is ever deleted."
    )
    summary = "Imported {directory}"

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", help="Folder holding categories.yaml, platforms.yaml and articles/."
        )

    def handle(self, *args, directory, verbosity, **options):
        try:
            content = read_directory(directory)
        except InvalidContent as error:
            problems = len(error.errors)
            raise CommandError(
                f"{error}\nNothing was imported "
                f"({problems} problem{'s' if problems != 1 else ''} to fix first)."
            ) from None
        progress = Progress(self.stdout, "Importing", verbosity)
        result = import_content(content, progress=progress)
        progress.finish()
        self.stdout.write(
            self.style.SUCCESS(
                f"{self.summary.format(directory=directory)}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        )
