from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.xliff import ImportRefused, apply, read

from ._progress import Progress


class Command(BaseCommand):
    help = (
        "Import translated XLIFF files exported by export_xliff. Every file and unit is "
        "checked first; nothing is written if anything is wrong. Each article changed gets "
        "one revision by --user, with that user's rights."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", required=True, help="The staff user the import is made by (username)."
        )
        parser.add_argument("files", nargs="+", metavar="FILE", help="XLIFF files.")

    def handle(self, *args, user, files, verbosity, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"No active user {user!r}.")
        contents = []
        for name in files:
            try:
                contents.append((name, Path(name).read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror}") from None
        try:
            plans = read(contents, account)
        except ImportRefused as refusal:
            count = len(refusal.problems)
            raise CommandError(
                f"{refusal}\nNothing was imported "
                f"({count} problem{'s' if count != 1 else ''} to fix first)."
            ) from None
        progress = Progress(self.stdout, "Importing", verbosity)
        result = apply(plans, account, progress=progress)
        progress.finish()
        for unit in result.incomplete:
            self.stdout.write(f"Left as it was, translated only in part: {unit}")
        for number in result.refused:
            self.stdout.write(
                self.style.WARNING(
                    f"KB {number} was changed while importing; not imported, run again."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {result.fields} texts in {result.articles} articles; "
                f"{result.unchanged} articles unchanged, {result.untranslated} units "
                "not translated yet."
            )
        )
