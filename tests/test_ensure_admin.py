"""The first admin account: created once, its password printed once."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_first_run_prints_a_working_password_and_second_run_prints_nothing(capsys):
    call_command("ensure_admin", site_url="http://127.0.0.1:8123")
    out = capsys.readouterr().out
    password = re.search(r"Password: (\S+)", out).group(1)
    assert "http://127.0.0.1:8123/admin/" in out
    login = RequestFactory().post("/admin/login/")
    assert authenticate(login, username="admin", password=password) is not None

    call_command("ensure_admin")
    assert capsys.readouterr().out == ""
