"""Several app servers behind a load balancer share PostgreSQL and Redis (issue 7).

Two gunicorn servers with the production settings, each with its own data folder (as on
two machines): whatever one server changes, the other serves on its very next request.
"""

import urllib.parse

import pytest

from tests.formfields import FormFields
from tests.servers import (
    browser_session,
    create_editor,
    fetch,
    log_in,
    needs_shared_services,
)

pytestmark = [needs_shared_services, pytest.mark.django_db(transaction=True)]


def test_edit_saved_through_server_a_shows_on_server_b_next_anonymous_request(
    demo, two_servers, django_user_model
):
    server_a, server_b = two_servers
    create_editor(django_user_model, "pw-for-tests-only")
    page = demo[1008].get_absolute_url()
    status, _headers, html = fetch(server_b + page)
    assert status == 200
    assert "Generating a HAR file for our support team" in html
    # B now answers from the shared page cache.
    status, headers, _html = fetch(server_b + page)
    assert headers["X-Page-Cache"] == "hit"

    # An editor saves a new title through server A's admin form.
    _status, editor = log_in(server_a, "editor", "pw-for-tests-only")
    change = f"{server_a}/admin/articles/article/{demo[1008].pk}/change/"
    parser = FormFields()
    parser.feed(fetch(change, editor)[2])
    form = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
    form["title_en"] = ["Record a HAR file (saved on server A)"]
    status, headers, html = fetch(
        change, editor, urllib.parse.urlencode(form, doseq=True).encode(), {"Referer": change}
    )
    assert status == 302, html  # saved: back to the list
    assert "/change/" not in headers["Location"]

    status, _headers, html = fetch(server_b + page)
    assert status == 200
    assert "Record a HAR file (saved on server A)" in html
    assert "Generating a HAR file for our support team" not in html


def test_login_lockout_earned_on_server_a_holds_on_server_b(two_servers, django_user_model):
    server_a, server_b = two_servers
    create_editor(django_user_model, "the-right-password")
    statuses = [log_in(server_a, "editor", f"wrong-{n}")[0] for n in range(6)]
    assert statuses == [200] * 5 + [429]
    # Another server, even the right password: still locked out.
    assert log_in(server_b, "editor", "the-right-password")[0] == 429


def test_a_login_on_server_a_is_a_session_on_server_b(two_servers, django_user_model):
    server_a, server_b = two_servers
    create_editor(django_user_model, "pw-for-tests-only")
    opener = browser_session()
    status, _opener = log_in(server_a, "editor", "pw-for-tests-only", opener)
    assert status == 302
    status, _headers, html = fetch(server_b + "/admin/", opener)
    assert status == 200
    assert "Manage articles and staff" in html  # the admin's dashboard, logged in
