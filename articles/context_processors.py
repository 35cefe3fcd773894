"""Values every public template needs: site name and the same page in each language."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _


def site_name():
    """Return the help center's name in the active language (``KB_SITE_NAME`` if set)."""
    return settings.KB_SITE_NAME or _("Help Center")


def site(request):
    """Return the site name and, per language, the URL of the page the reader is on.

    The switcher is a plain link (no form, no cookie) so public pages stay cacheable; the
    query string (``?platform=edge``) is kept so the reader keeps their tab.
    """
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    languages = []
    for code, _name in settings.LANGUAGES:
        url = same_page_in(request, code)
        languages.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "is_current": code == current,
            }
        )
    return {
        "site_name": site_name(),
        "languages": languages,
        "default_language_url": next(
            (lang["absolute_url"] for lang in languages if lang["code"] == settings.LANGUAGE_CODE),
            "",
        ),
    }


def same_page_in(request, language):
    """Return the path of the page the reader is on in ``language``, else its home page.

    Built by reversing the URL pattern the request matched, never from the path as typed:
    Django's ``translate_url(request.get_full_path())`` gives back an unmatched path as it
    came, and on the 404 page for ``//evil.example/phish`` that is a link to another host
    (browsers read ``///host`` and ``/\\host`` the same way). A path that matched nothing
    has no counterpart, so the switcher leads to that language's home page.
    """
    with translation.override(language):
        home = reverse("articles:home")
        match = getattr(request, "resolver_match", None)
        if match is None:
            return home
        try:
            path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return home
    if not is_local_path(path):
        return home
    query = request.META.get("QUERY_STRING", "")
    # After "?" nothing can name another host; iri_to_uri as request.get_full_path() does.
    return f"{path}?{iri_to_uri(query)}" if query else path


def is_local_path(url):
    """Return whether ``url`` is a path on this site: one leading slash, no host, no scheme."""
    return (
        url.startswith("/")
        and url[1:2] not in {"/", "\\"}
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )
