"""The two endpoints the search page's script posts to: a search seen, a result opened.

Public, anonymous, no CSRF token and no cookie (public pages carry neither, so they stay
cacheable): what makes a post count is its signature (``recording.py``). Each answers
204 when counted, 400 for anything it does not expect, 429 over the rate limit; never a
page, never a cookie, never a 500.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kb.client_address import client_address
from throttling import rate_limit

from . import recording

MAX_BODY = 2048
_DIGITS = frozenset("0123456789")


def _number(value, limit=10):
    """Return ``value`` as a non-negative int if it is plain ASCII digits, else None."""
    if not value or len(value) > limit or not set(value) <= _DIGITS:
        return None
    return int(value)


def _answer(status):
    response = HttpResponse(status=status)
    response["Cache-Control"] = "no-store"
    return response


def _read(request, names):
    """Return the posted fields ``names`` (strings), or None when the post is not ours."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if _number(length) is None or int(length) > MAX_BODY:
        return None
    try:
        posted = request.POST
    except Exception:  # noqa: BLE001 - a malformed body is a bad request, not a 500
        return None
    values = {}
    for name in names:
        value = posted.get(name)
        if value is None or len(value) > recording.QUERY_LENGTH * 4:
            return None
        values[name] = value
    return values


def _limited(request):
    return not rate_limit.allowed(
        "search-log",
        recording.client_key(client_address(request)),
        limit=settings.KB_SEARCH_EVENTS_PER_HOUR,
        window=settings.KB_SEARCH_EVENT_WINDOW,
    )


@csrf_exempt
@require_POST
def search_seen(request):
    values = _read(request, ("q", "n", "d", "s"))
    if values is None:
        return _answer(400)
    query = recording.normalise(values["q"])
    results, day = _number(values["n"]), _number(values["d"], 7)
    if (
        not query
        or query != values["q"]
        or results is None
        or day is None
        or not recording.check_search(request.LANGUAGE_CODE, query, results, day, values["s"])
    ):
        return _answer(400)
    if _limited(request):
        return _answer(429)
    recording.record_search(request.LANGUAGE_CODE, query, results)
    return _answer(204)


@csrf_exempt
@require_POST
def result_opened(request):
    values = _read(request, ("q", "a", "p", "d", "s"))
    if values is None:
        return _answer(400)
    query = recording.normalise(values["q"])
    number, position, day = _number(values["a"]), _number(values["p"], 3), _number(values["d"], 7)
    if (
        not query
        or query != values["q"]
        or number is None
        or position is None
        or not 1 <= position <= recording.MAX_POSITION
        or day is None
        or not recording.check_click(
            request.LANGUAGE_CODE, query, number, position, day, values["s"]
        )
    ):
        return _answer(400)
    if _limited(request):
        return _answer(429)
    recording.record_click(request.LANGUAGE_CODE, query, number, position)
    return _answer(204)
