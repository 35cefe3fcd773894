"""Admin login throttling: a client guessing passwords is stopped with 429."""

import pytest
from django.core.management import call_command
from django.test import Client

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


def test_a_login_with_another_account_does_not_reset_the_address(client, django_user_model):
    """Four wrong passwords, one good login with the attacker's own account, repeat: the
    address is still stopped after five wrong guesses in all (issue: 16 guesses, no lockout).
    """
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    django_user_model.objects.create_superuser("mallory", "", "mallorys-own-password")
    guesses = []
    for round_ in range(4):
        guesses += [attempt(client, f"guess-{round_}-{n}").status_code for n in range(4)]
        own_login = Client().post(
            "/admin/login/?next=/admin/",
            {"username": "mallory", "password": "mallorys-own-password"},
        )
        if round_ == 0:
            assert own_login.status_code == 302  # a good login still works before the lockout
    assert guesses.count(200) == 5  # five wrong guesses answered, then 429 for every other
    assert guesses[5:] == [429] * 11
    # The address is locked out: the attacker's own account too, in either language.
    locked = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "mallory", "password": "mallorys-own-password"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert locked.status_code == 429
    assert "ログインの試行回数が多すぎます" in locked.content.decode()


def test_a_good_login_clears_only_that_accounts_own_typos(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "", "the-right-password")
    django_user_model.objects.create_superuser("aiko", "", "aikos-password")
    # Aiko mistypes twice, then logs in: her own typos are forgiven...
    for n in range(2):
        Client().post("/admin/login/", {"username": "aiko", "password": f"typo-{n}"})
    good = Client().post("/admin/login/", {"username": "aiko", "password": "aikos-password"})
    assert good.status_code == 302
    # ...so a colleague at the same address still has five tries of their own.
    statuses = [attempt(client, f"wrong-{n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
