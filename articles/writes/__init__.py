"""Every way an article's content changes, one write function per kind of change.

- create or change an article: ``save_article`` (admin form, YAML content import, XLIFF
  import, demo loader);
- see it before saving: ``review_article`` (admin preview);
- restore a version, recover a deleted article: ``restore_article``,
  ``recover_article`` (admin history);
- publish, unpublish, archive: ``set_status`` (admin list actions);
- delete: ``delete_articles`` (admin delete page and list action).

Each takes the user and plain data (``changes.ArticleChange``), never a form or a
request: what the door received is its own business, the rules are this package's.
Costs are bounded before any lock (bounds.py); the rules are decided on plain values
(review.py: ownership, rights, merge, result); one module writes (apply.py).
"""

from .bounds import (
    MAX_ROWS,
    MAX_STEPS_PER_VARIANT,
    MAX_TEXT_PER_LANGUAGE,
    MAX_VARIANTS,
    check_change,
    check_rows,
    check_text,
)
from .changes import KEEP, REFUSE, ArticleChange, NewRow, Refused, RowChange
from .delete import delete_articles
from .history import highest_version, recover_article, restore_article
from .merge import Conflict
from .rights import Rights
from .save import Saved, review_article, save_article
from .status import set_status

__all__ = [
    "KEEP",
    "MAX_ROWS",
    "MAX_STEPS_PER_VARIANT",
    "MAX_TEXT_PER_LANGUAGE",
    "MAX_VARIANTS",
    "REFUSE",
    "ArticleChange",
    "Conflict",
    "NewRow",
    "Refused",
    "Rights",
    "RowChange",
    "Saved",
    "check_change",
    "check_rows",
    "check_text",
    "delete_articles",
    "highest_version",
    "recover_article",
    "restore_article",
    "review_article",
    "save_article",
    "set_status",
]
