import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the first admin account with a random password, printed once. "
        "Does nothing when a superuser already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--site-url", default="http://127.0.0.1:8000")

    def handle(self, *args, username, site_url, **options):
        users = get_user_model()
        if users.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email="", password=password)
        bar = "=" * 64
        self.stdout.write(
            f"{bar}\n"
            f"Admin account created (shown only this once):\n"
            f"  URL:      {site_url.rstrip('/')}/admin/\n"
            f"  Username: {username}\n"
            f"  Password: {password}\n"
            f"Change it with: .venv/bin/python manage.py changepassword {username}\n"
            f"{bar}"
        )
