"""No URL a reader (or a bot) can type produces a server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

prefixes = st.sampled_from(["/en/", "/ja/", "/", "/fr/", "/EN/", "//", "/en//", "/ja/ja/"])
segments = st.one_of(
    st.sampled_from(
        ["articles", "categories", "search", "feedback", "1008", "1005", "0", "-1",
         "99999999999999999999999", "generate-a-har-file", "..", ".", "%00", "%2e%2e",
         "technical-support", "admin", "sitemap.xml", "healthz", "media", "static"]
    ),
    st.text(max_size=12),
)  # fmt: skip
query_values = st.one_of(
    st.sampled_from(["edge", "safari", "", "<script>", "NEAR(", '"', "1", "-5", "abc"]),
    st.text(max_size=20),
)
query_names = st.sampled_from(["platform", "q", "page", "feedback", "utm_source"])


@pytest.mark.django_db
@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=prefixes,
    parts=st.lists(segments, max_size=4),
    trailing=st.booleans(),
    query=st.lists(st.tuples(query_names, query_values), max_size=3),
)
def test_random_urls_never_answer_500(client, demo, prefix, parts, trailing, query):
    path = prefix + "/".join(quote(part, safe="") for part in parts) + ("/" if trailing else "")
    query_string = "&".join(f"{name}={quote(value, safe='')}" for name, value in query)
    response = client.get(path, QUERY_STRING=query_string)
    assert response.status_code < 500, (path, query_string)
