"""'Was this article helpful?': counting votes without losing any, one per reader.

The article page stays the same for everyone (and cacheable): the vote is a plain form
posted to its own endpoint, which alone sets the cookie that remembers what a reader has
voted on. A limit per client address (throttling/rate_limit.py) bounds what one client
can do.
"""

from django.conf import settings
from django.db.models import F

from kb.client_address import client_address
from throttling import rate_limit

from .models import Feedback, FeedbackComment

VOTED_COOKIE = "kb_voted"
MAX_REASON_LENGTH = 500


def record_vote(article, language, helpful, reason=""):
    """Count one vote (an atomic ``F()`` increment) and keep its reason, if any."""
    Feedback.objects.get_or_create(article=article, language=language)
    field = "helpful" if helpful else "not_helpful"
    Feedback.objects.filter(article=article, language=language).update(**{field: F(field) + 1})
    reason = " ".join((reason or "").split())[:MAX_REASON_LENGTH]
    if reason:
        FeedbackComment.objects.create(
            article=article, language=language, helpful=helpful, text=reason
        )


def voted_articles(request):
    """Return the article numbers this reader has voted on (from their cookie)."""
    raw = request.COOKIES.get(VOTED_COOKIE, "")
    return {part for part in raw.split(".") if part.isdigit()}


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
