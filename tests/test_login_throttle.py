"""Admin login throttling: a client guessing passwords is stopped with 429."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def attempt(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password})


def test_sixth_failed_login_from_one_client_answers_429(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    statuses = [attempt(client, f"wrong-{n}").status_code for n in range(6)]
    assert statuses[:5] == [200] * 5  # the login form again, with an error
    assert statuses[5] == 429
    assert "Too many login attempts" in attempt(client, "again").content.decode()
    # Locked out: even the right password is refused during the cool-off.
    assert attempt(client, "the-right-password").status_code == 429


def test_reset_command_lifts_the_lockout(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    for n in range(6):
        attempt(client, f"wrong-{n}")
    call_command("axes_reset", verbosity=0)
    assert attempt(client, "the-right-password").status_code == 302


def test_successful_login_is_not_throttled(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    for n in range(3):
        attempt(client, f"wrong-{n}")
    assert attempt(client, "the-right-password").status_code == 302
