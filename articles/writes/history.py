"""Restore an earlier version of an article, or recover a deleted one.

Both write a stored version back through ``save_article``, as a whole (rows the article
has now but the version has not are removed; rows the version has are written back with
their ids) and within the user's rights: what the role may not change is kept as it is
(a restore by a translator changes translations only; a recovery by someone who may not
publish brings the article back as a draft).
"""

from django.utils.formats import localize
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from .. import revisions
from .changes import KEEP
from .save import save_article


def highest_version(article_id):
    """Return the highest version this article ever had, by its history (0 if none)."""
    stored = [
        version.field_dict.get("version") or 0
        for version in revisions.article_versions(article_id)[:500]
    ]
    return max(stored, default=0)


def _as_restore(change, revision):
    change.whole = True
    change.outside_rights = KEEP
    change.comment = gettext("Reverted to previous version, saved on %(datetime)s") % {
        "datetime": localize(template_localtime(revision.date_created))
    }
    return change


def restore_article(user, change, revision):
    """Write ``change`` (the version of ``revision``, as the editor saw and perhaps edited
    it) over the article that exists now."""
    return save_article(user, _as_restore(change, revision))


def recover_article(user, change, revision):
    """Bring a deleted article back with its id, counting its version on from its history."""
    change = _as_restore(change, revision)
    change.recover = True
    change.version_floor = highest_version(change.article_id)
    return save_article(user, change)
