"""'Was this article helpful?': counting votes without losing any, one per reader.

The article page stays the same for everyone (and cacheable): the vote is a plain form
posted to its own endpoint, which alone sets the cookie that remembers what a reader has
voted on. A limit per client address (throttling/rate_limit.py) bounds what one client
can do.
"""

import re

from django.conf import settings
from django.db.models import F

from kb.client_address import client_address
from throttling import rate_limit

from .models import Feedback, FeedbackComment

VOTED_COOKIE = "kb_voted"
MAX_REASON_LENGTH = 500
MAX_NUMBER_DIGITS = 10  # article numbers are positive integers

# What a reason never keeps: C0 controls but tab and line feed (NUL among them, which
# PostgreSQL refuses in text), DEL, C1 controls and lone surrogates (which no database
# encodes). Line breaks arrive as CR LF from a textarea and are made LF first.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BLANK_LINES = re.compile(r"\n{3,}")


def record_vote(article, language, helpful, reason=""):
    """Count one vote (an atomic ``F()`` increment) and keep its reason, if any."""
    Feedback.objects.get_or_create(article=article, language=language)
    field = "helpful" if helpful else "not_helpful"
    Feedback.objects.filter(article=article, language=language).update(**{field: F(field) + 1})
    reason = clean_reason(reason)
    if reason:
        FeedbackComment.objects.create(
            article=article, language=language, helpful=helpful, text=reason
        )


def clean_reason(text):
    """Return a reader's reason as it is stored: their words and line breaks, tabs kept;
    control characters, trailing blanks and runs of empty lines gone; at most
    ``MAX_REASON_LENGTH`` characters."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = (line.rstrip() for line in _CONTROLS.sub("", text).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()[:MAX_REASON_LENGTH].rstrip()


def voted_articles(request):
    """Return the article numbers this reader has voted on (from their cookie)."""
    raw = request.COOKIES.get(VOTED_COOKIE, "")
    # ASCII digits only: "²" and "٣" are digits to isdigit() but not numbers we wrote, and
    # int() refuses both that and a number of thousands of digits.
    return {
        part
        for part in raw.split(".")
        if part.isascii() and part.isdigit() and len(part) <= MAX_NUMBER_DIGITS
    }


def voted_cookie_value(numbers):
    # Newest numbers last; a cookie stays well under 4 KB even for a prolific reader.
    return ".".join(sorted(numbers, key=int)[-300:])


def over_rate_limit(request):
    """Count this vote against the client's address; return whether it is over the limit."""
    return not rate_limit.allowed(
        "vote",
        client_address(request),
        limit=settings.KB_FEEDBACK_VOTES_PER_HOUR,
        window=settings.KB_FEEDBACK_VOTE_WINDOW,
    )
