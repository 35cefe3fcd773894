from django.core.management.base import BaseCommand, CommandError

from articles.interchange import ExportError, export_content

from ._progress import Progress


def count(number, singular, plural=None):
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


class Command(BaseCommand):
    help = (
        "Export every category, platform and article, with their figures, as content files "
        "(format: demo/README.md) that import_articles reads back. The same database always "
        "gives the same files."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder to write; new or empty (see --replace).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Write into a folder holding a previous export: its categories.yaml, "
            "platforms.yaml, articles/*.yaml and figures/ are replaced, other files kept.",
        )

    def handle(self, *args, directory, replace, verbosity, **options):
        progress = Progress(self.stdout, "Exporting", verbosity)
        try:
            result = export_content(directory, replace=replace, progress=progress)
        except ExportError as error:
            raise CommandError(str(error)) from None
        progress.finish()
        counts = [
            count(result.articles, "article"),
            count(result.categories, "category", "categories"),
            count(result.platforms, "platform"),
        ]
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {', '.join(counts)} and {count(result.figures, 'figure')} "
                f"to {directory}."
            )
        )
