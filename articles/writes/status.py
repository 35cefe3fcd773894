"""Publish, unpublish or archive articles: the status, for those who may publish."""

import reversion
from django.db import transaction
from django.utils.translation import gettext

from ..models import Article
from .changes import Refused
from .rights import Rights


def set_status(user, article_ids, status, comment):
    """Set the status of these articles; return how many changed.

    Each article in its own transaction with its row locked, its version raised and a
    revision of its own (restoring one never writes the others back).
    """
    if not Rights.of(user).publish:
        raise Refused(gettext("You may not publish, unpublish or archive articles."))
    count = 0
    for article_id in article_ids:
        with transaction.atomic(), reversion.create_revision(atomic=False):
            article = Article.objects.select_for_update().filter(pk=article_id).first()
            if article is None or article.status == status:
                continue
            reversion.set_user(user)
            reversion.set_comment(comment)
            article.status = status
            article.version += 1  # under the lock
            article.save()
            count += 1
    return count
