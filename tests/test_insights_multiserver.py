"""A synonym group saved through one app server's admin works on the other's next search
(issue 16, acceptance 1): both servers read the groups' version from the shared Redis."""

import urllib.parse

import pytest

from insights.models import SynonymGroup
from tests.formfields import FormFields
from tests.servers import (
    create_editor,
    fetch,
    log_in,
    needs_shared_services,
)

pytestmark = [needs_shared_services, pytest.mark.django_db(transaction=True)]


def found(server, language, query):
    _status, _headers, html = fetch(
        f"{server}/{language}/search/?" + urllib.parse.urlencode({"q": query})
    )
    return "search-results__item" in html


@pytest.mark.parametrize(
    ("language", "query", "terms"),
    [("en", "wombat", "wombat, HAR file"), ("ja", "スマホ", "スマホ、スマートフォン")],
)
def test_group_saved_on_server_a_finds_on_server_b(
    demo, two_servers, django_user_model, language, query, terms
):
    server_a, server_b = two_servers
    assert not found(server_b, language, query)  # B has loaded the groups (none)
    create_editor(django_user_model, "pw-for-tests-only")
    _status, editor = log_in(server_a, "editor", "pw-for-tests-only")
    add = f"{server_a}/admin/insights/synonymgroup/add/"
    parser = FormFields()
    parser.feed(fetch(add, editor)[2])
    form = {**parser.data, "language": [language], "terms": [terms]}
    status, _headers, html = fetch(
        add, editor, urllib.parse.urlencode(form, doseq=True).encode(), {"Referer": add}
    )
    assert status == 302, html
    assert SynonymGroup.objects.filter(language=language).count() == 1
    # The very URL B answered "no results" to, and B's page cache had stored.
    assert found(server_b, language, query)
    assert found(server_b, language, query.upper())
