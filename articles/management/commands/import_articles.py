from django.contrib.auth import get_user_model
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
        self.add_user_argument(parser)

    @staticmethod
    def add_user_argument(parser):
        parser.add_argument(
            "--user",
            help=(
                "Import as this staff account: its role's rights apply and the history names "
                "it. Without it the import runs as the system, with every right."
            ),
        )

    def handle(self, *args, directory, verbosity, user=None, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"No active account named {user!r}. Nothing was imported.")
        progress = Progress(self.stdout, "Importing", verbosity)
        try:
            # The files are read and checked whole (and each article against an article's
            # bounds) before anything is written.
            result = import_content(read_directory(directory), progress=progress, user=account)
        except InvalidContent as error:
            problems = len(error.errors)
            raise CommandError(
                f"{error}\nNothing was imported "
                f"({problems} problem{'s' if problems != 1 else ''} to fix first)."
            ) from None
        progress.finish()
        for problem in result.problems:
            self.stderr.write(f"Not imported: {problem}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{self.summary.format(directory=directory)}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged"
                + (f", {result.refused} refused." if result.refused else ".")
            )
        )
