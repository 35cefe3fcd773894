"""History of an article (django-reversion): compare two revisions, restore one, recover a
deleted article. Restore and recover show the stored version on the article's page and
write it back through the write path."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from .. import revisions, writes
from ..models import Article
from . import editor


def _number(value):
    """Return a row id taken from a URL, or answer 404 (never a 500) for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


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
        return self._version_form(request, version, article_id, "restore", template, context)

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
        return self._version_form(
            request, version, int(version.object_id), "recover", template, context
        )

    def _version_form(self, request, version, article_id, kind, template, context):
        """Show the stored version on the article's page, as it was; saving the page writes
        it back through the write path (writes.restore_article / recover_article).
        Showing it writes nothing and opens no transaction."""
        page = editor.version_page(version, article_id, kind, context, template)
        if page is None:
            raise Http404
        try:
            return editor.article_form_view(self, request, page, request.path)
        except writes.Refused as refusal:
            messages.error(request, refusal.message)
            return redirect("admin:articles_article_changelist")

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
