"""History of an article (django-reversion): compare two revisions, restore one, recover a
deleted article. Restore and recover run the change form through the write path."""

import reversion
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from .. import editing, revisions
from ..models import Article


def _number(value):
    """Return a row id taken from a URL, or answer 404 (never a 500) for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


class _RolledBack(Exception):
    """Leaves a restore's transaction without keeping it, with the response to send."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class ArticleHistoryMixin:
    """For ArticleAdmin: reversion's revision and recover views, through the write path."""

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Show a stored version of an article; saving the form restores it."""
        article_id = _number(object_id)
        # Only a version of this article (reversion itself would take any row's version
        # with this id, a step's included); a deleted article is recovered, not restored.
        version = get_object_or_404(revisions.article_versions(article_id), pk=_number(version_id))
        if not Article.objects.filter(pk=article_id).exists():
            raise Http404
        context = {
            "title": _("Revert %(name)s") % {"name": version.object_repr},
            "revert": True,
            **(extra_context or {}),
        }
        template = self.revision_form_template or self._reversion_get_template_list(
            "revision_form.html"
        )
        return self._revision_form(request, version, article_id, template, context)

    def recover_view(self, request, version_id, extra_context=None):
        """Show a deleted article as last stored; saving the form brings it back."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(Article), pk=_number(version_id))
        context = {
            "title": _("Recover %(name)s") % {"name": version.object_repr},
            "recover": True,
            **(extra_context or {}),
        }
        template = self.recover_form_template or self._reversion_get_template_list(
            "recover_form.html"
        )
        return self._revision_form(request, version, int(version.object_id), template, context)

    def _revision_form(self, request, version, article_id, template, context):
        """Write the stored version over the article and run the change form on it.

        Inside one transaction: the article's row is locked, the version written (this
        article's part only, editing.restore), then the change form runs through the write
        path. The transaction is kept only when the form was saved; showing the version, a
        refused form or anything else rolls it back.
        """
        try:
            with transaction.atomic():
                before = None
                if Article.objects.filter(pk=article_id).exists():
                    editing.lock(article_id)
                    before = editing.load_graph(article_id)
                request.kb_restoring = editing.Restoring(
                    before=before,
                    version=before.article.version
                    if before
                    else editing.highest_version(article_id),
                )
                editing.restore(version.revision, article_id)
                with self.create_revision(request):
                    response = self.changeform_view(request, str(article_id), request.path, context)
                    if request.method == "POST" and getattr(request, "kb_saved", False):
                        reversion.set_comment(
                            gettext("Reverted to previous version, saved on %(datetime)s")
                            % {
                                "datetime": localize(
                                    template_localtime(version.revision.date_created)
                                )
                            }
                        )
                        return response
                    if response.status_code == 200:
                        response.template_name = template
                        response.render()
                    raise _RolledBack(response)
        except editing.Refused as refusal:
            messages.error(request, refusal.message)
            return redirect("admin:articles_article_changelist")
        except _RolledBack as rolled_back:
            return rolled_back.response

    # History: compare two revisions.

    def get_urls(self):
        urls = super().get_urls()
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        return [compare, *urls]

    def compare_view(self, request, object_id):
        article = get_object_or_404(Article, pk=_number(object_id))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = list(revisions.article_versions(article.pk)[:200])
        by_revision = {str(v.revision_id): v.revision for v in versions}

        def state_of(key):
            if key == "current" or key not in by_revision:
                return revisions.current_state(article)
            return revisions.revision_state(by_revision[key], article.pk)

        older = request.GET.get("from") or (
            str(versions[1].revision_id) if len(versions) > 1 else "current"
        )
        newer = request.GET.get("to") or "current"
        before, after = state_of(older), state_of(newer)
        changes = revisions.compare(
            revisions.flatten(before) if before else {}, revisions.flatten(after) if after else {}
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": _("Compare versions of %(article)s") % {"article": article},
            "changes": changes,
            "revisions": [v.revision for v in versions],
            "older": older,
            "newer": newer,
            "history_url": reverse("admin:articles_article_history", args=[article.pk]),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)
