"""Public pages: home, category, article, search, and the "Was this helpful?" vote."""

import logging
import re

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from insights import recording as search_log

from . import feedback as feedback_votes
from . import search as search_index
from .models import Article, Category, published_rule
from .presentation import article_context

logger = logging.getLogger(__name__)

RECENT_ARTICLES = 8
RESULTS_PER_PAGE = 10
MAX_PARAMETER_LENGTH = 200

# Control characters (C0, DEL, C1) and lone surrogates: no parameter of ours needs one.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def query_param(request, name):
    """Return the query parameter ``name`` as plain text, "" when absent.

    Every parameter a public view reads comes through here (the search query through
    ``search.clean_query``, which is stricter): whatever a URL carries, a view compares,
    shows or passes on no NUL (PostgreSQL refuses it in text) and no other control
    character, and no more than a bounded amount of text.
    """
    value = request.GET.get(name, "")[: MAX_PARAMETER_LENGTH * 4]
    return _CONTROLS.sub("", value).strip()[:MAX_PARAMETER_LENGTH]


def home(request):
    categories = Category.objects.annotate(
        article_count=Count("articles", filter=published_rule("articles__"))
    ).filter(article_count__gt=0)
    recent = Article.objects.published().for_listing()[:RECENT_ARTICLES]
    return render(request, "articles/home.html", {"categories": categories, "recent": recent})


def category_detail(request, slug):
    category = get_object_or_404(Category, slug=slug)
    articles = Article.objects.published().filter(category=category).order_by("number")
    return render(request, "articles/category.html", {"category": category, "articles": articles})


def can_preview(request):
    """Return whether this request comes from staff who may see unpublished articles.

    Only asked when a session cookie is there: an anonymous reader's request never touches
    the session, so public responses stay free of ``Vary: Cookie``. (A cookie that cannot
    be a session key is no session at all: kb/sessions.py.)
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


def article_detail(request, number, slug=None):
    article = get_object_or_404(Article.objects.for_detail(), number=number)
    preview = not article.is_published
    if preview and not can_preview(request):
        raise Http404
    if slug != article.slug:
        # The number is the identity; an old, wrong or missing slug goes to the canonical URL.
        target = article.get_absolute_url()
        if request.META.get("QUERY_STRING"):
            target = f"{target}?{request.META['QUERY_STRING']}"
        return redirect(target, permanent=True)
    feedback_state = query_param(request, "feedback")
    context = {
        **article_context(article, request.LANGUAGE_CODE, query_param(request, "platform")),
        "feedback_state": feedback_state if feedback_state in FEEDBACK_STATES else "",
        "preview": preview,
    }
    response = render(request, "articles/detail.html", context)
    if preview:
        # A draft seen by staff: never stored by the page cache, a proxy or the browser.
        response["Cache-Control"] = "private, no-store"
    else:
        response["Last-Modified"] = http_date(article.updated_at.timestamp())
    return response


FEEDBACK_STATES = {"thanks", "already", "limited"}


# No CSRF token: public pages carry no CSRF cookie so they stay cacheable and cookie-free.
# A forged vote gains an attacker nothing, and votes are limited per reader and per address.
@csrf_exempt
@require_POST
def article_feedback(request, number):
    article = get_object_or_404(Article.objects.published(), number=number)
    answer = request.POST.get("helpful")
    target = article.get_absolute_url()
    if answer not in {"yes", "no"}:
        return redirect(f"{target}#feedback")
    voted = feedback_votes.voted_articles(request)
    if str(number) in voted:
        state = "already"
    elif feedback_votes.over_rate_limit(request):
        state = "limited"
    else:
        feedback_votes.record_vote(
            article, request.LANGUAGE_CODE, answer == "yes", request.POST.get("reason", "")
        )
        voted.add(str(number))
        state = "thanks"
    response = redirect(f"{target}?feedback={state}#feedback")
    response.status_code = 303  # See Other: the browser follows with a GET.
    response.set_cookie(
        feedback_votes.VOTED_COOKIE,
        feedback_votes.voted_cookie_value(voted),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def search(request):
    query = search_index.clean_query(request.GET.get("q", ""))
    hits = search_index.search(query, request.LANGUAGE_CODE)
    page = Paginator(hits, RESULTS_PER_PAGE).get_page(query_param(request, "page"))
    context = {"query": query, "page_obj": page, "total": len(hits)}
    if query:
        context["search_log"] = _search_log(request.LANGUAGE_CODE, query, page, len(hits))
    if query and not hits:
        context["categories"] = Category.objects.filter(published_rule("articles__")).distinct()
        context["suggested"] = (
            Article.objects.published()
            .select_related("category")
            .annotate(votes=Coalesce(Sum("feedback__helpful"), 0))
            .order_by("-votes", "-updated_at")[:RECENT_ARTICLES]
        )
    return render(request, "articles/search.html", context)


def _search_log(language, query, page, total):
    """What the page's script posts to count this search and the results opened from it,
    signed (insights/recording.py); the same for every reader today, so pages stay cached."""
    logged = search_log.normalise(query)
    day = search_log.today()
    for position, hit in enumerate(page.object_list, start=page.start_index()):
        hit.position = position
        hit.signature = search_log.click_signature(
            language, logged, hit.article.number, position, day
        )
    return {
        "query": logged,
        "results": total,
        "day": day.toordinal(),
        # Only the first page counts as a search; results are opened from any page.
        "signature": search_log.search_signature(language, logged, total, day)
        if page.number == 1
        else "",
    }
