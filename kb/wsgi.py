"""WSGI entry point for gunicorn (see the Makefile's `run` target).

Django runs inside the page cache's WSGI layer, which answers anonymous readers with a
stored page before Django's request handling starts (serving/page_cache.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

django_application = get_wsgi_application()

from serving.page_cache import PageCache  # noqa: E402  (needs the settings set up above)

application = PageCache(django_application)
