from django.core.management.base import BaseCommand

from articles import search


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the published articles."

    def handle(self, *args, **options):
        def progress(done, total):
            self.stdout.write(f"Indexed {done}/{total} articles")

        total = search.rebuild(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {total} published articles."))
