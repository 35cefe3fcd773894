"""The editor experience: one screen per article, both languages side by side.

An article, its variants and each variant's steps are edited together (nested inlines
from django-nested-admin, drag to reorder). Each translated field shows its English and
Japanese versions on one row, so a translator sees the source beside the translation.
modeltranslation's *tabbed* admin is not used: it loads jQuery UI from a CDN.

- ``article.py``: the article list and change page; roles (Editors write source text and
  structure, Translators change only the translation, Publishers publish: permissions
  ``edit_source`` and ``publish_article``, groups from migration 0005); every save goes
  through ``articles/writes/``, one write function per kind of change.
- ``forms.py``: the article form (the version it was loaded at, translations to mark
  checked) and its fields.
- ``inlines.py``: variants and steps, loaded once per request; the variant formset runs
  the write path's review of the whole page.
- ``history.py``: django-reversion's history: compare two revisions, restore, recover.
- ``vocabulary.py``: categories, platforms, and readers' comments.

This module also names the admin after the help center.
"""

from django.contrib import admin
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from articles.context_processors import site_name

from . import article, vocabulary  # noqa: F401 - registers the models with the admin site

# The admin is the help center's, not "Django administration", in the staff member's
# language: evaluated per request, like the name on the public pages (KB_SITE_NAME when
# set). Its login page gets its heading from templates/admin/login.html.
admin.site.site_header = format_lazy(_("{site} administration"), site=lazy(site_name, str)())
admin.site.site_title = admin.site.site_header
admin.site.index_title = _("Manage articles and staff")
