"""Delete articles, and take the links to them out of the articles that had them."""

import reversion
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from ..models import Article


def delete_articles(user, article_ids):
    """Delete these articles (the admin checks the delete permission). Every other
    article that linked to one of them loses that link, which is a change of that
    article: its version goes up and it gets a revision."""
    ids = set(article_ids)
    linking = set(
        Article.objects.filter(Q(prerequisites__in=ids) | Q(related__in=ids))
        .exclude(pk__in=ids)
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        # One order of locks: two deletes at once never wait for each other in a circle.
        locked = {
            article.pk: article
            for article in Article.objects.select_for_update()
            .filter(pk__in=ids | linking)
            .order_by("pk")
        }
        for article_id in ids:
            if article_id in locked:
                locked[article_id].delete()
        if not linking:
            return
        with reversion.create_revision(atomic=False):
            reversion.set_user(user)
            reversion.set_comment(gettext("Links to deleted articles removed"))
            for article_id in sorted(linking):
                article = locked.get(article_id)
                if article is None:
                    continue
                article.version += 1
                article.save()
                reversion.add_to_revision(article)
