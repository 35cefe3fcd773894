"""The editor experience: one screen per article, both languages side by side.

An article, its variants and each variant's steps are edited together (nested inlines
from django-nested-admin, drag to reorder). Each translated field shows its English and
Japanese versions on one row, so a translator sees the source beside the translation.
modeltranslation's *tabbed* admin is not used: it loads jQuery UI from a CDN.

- ``article.py``: the article list and change page; roles (Editors write source text and
  structure, Translators change only the translation, Publishers publish: permissions
  ``edit_source`` and ``publish_article``, groups from migration 0005); every save goes
  through ``articles/editing.py``, the one write path.
- ``forms.py``: the article form (the version it was loaded at, translations to mark
  checked) and its fields.
- ``inlines.py``: variants and steps, loaded once per request; the variant formset runs
  the write path's review of the whole page.
- ``history.py``: django-reversion's history: compare two revisions, restore, recover.
- ``vocabulary.py``: categories, platforms, and readers' comments.
"""

from . import article, vocabulary  # noqa: F401 - registers the models with the admin site
