"""Values every public template needs: site name and the same page in each language."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _


def site(request):
    """Return the site name and, per language, the URL of the page the reader is on.

    The switcher is a plain link (no form, no cookie) so public pages stay cacheable; the
    query string (``?platform=edge``) is kept so the reader keeps their tab.
    """
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    full_path = request.get_full_path()
    languages = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(full_path, code)
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
        "site_name": settings.KB_SITE_NAME or _("Help Center"),
        "languages": languages,
        "default_language_url": next(
            (lang["absolute_url"] for lang in languages if lang["code"] == settings.LANGUAGE_CODE),
            "",
        ),
    }
