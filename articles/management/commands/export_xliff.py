from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from articles.xliff import DEFAULT_SCOPES, SCOPES, ExportError, export

from ._progress import Progress


class Command(BaseCommand):
    help = (
        "Write the texts of articles that need translating into LANG as one XLIFF 1.2 file "
        "(one <file> per article) for a CAT tool such as OmegaT, Trados or memoQ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lang",
            required=True,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language to translate into.",
        )
        parser.add_argument(
            "--only",
            default=",".join(DEFAULT_SCOPES),
            help=f"Which texts: a comma-separated choice of {', '.join(SCOPES)} "
            f"(default: {','.join(DEFAULT_SCOPES)}).",
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="Put before the articles' paths in the notes, e.g. https://help.example.com",
        )
        parser.add_argument(
            "articles",
            nargs="*",
            type=int,
            metavar="ARTICLE",
            help="KB numbers to export (default: every article).",
        )
        parser.add_argument("out", metavar="OUT", help="The XLIFF file to write.")

    def handle(self, *args, lang, only, site_url, articles, out, verbosity, **options):
        scopes = tuple(scope.strip() for scope in only.split(",") if scope.strip())
        queryset = Article.objects.all()
        if articles:
            queryset = queryset.filter(number__in=articles)
            unknown = sorted(set(articles) - set(queryset.values_list("number", flat=True)))
            if unknown:
                raise CommandError(f"No article KB {unknown[0]}.")
        path = Path(out)
        if path.is_dir():
            raise CommandError(f"{out}: is a folder; name the file to write.")
        progress = Progress(self.stdout, "Exporting", verbosity)
        try:
            data, result = export(queryset, lang, scopes, site_url=site_url, progress=progress)
        except ExportError as error:
            raise CommandError(error.message) from None
        progress.finish()
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{out}: {error.strerror}") from None
        if result.skipped:
            numbers = ", ".join(f"KB {n}" for n in result.skipped)
            self.stdout.write(f"Skipped (written in {lang} already): {numbers}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {out}: {result.articles} articles, {result.fields} texts, "
                f"{result.units} units."
            )
        )
