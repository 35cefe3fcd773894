"""Preview before saving: the article form's unsaved content, as readers will see it.

The posted page goes through the same forms as a save (``ArticleAdmin``'s form and
formsets) and every rule of the write path (``writes.review_article``: the change as it
would be written, without writing or locking), then through the reader's presentation
code (``presentation.build_article_page``) and template (``articles/detail.html``).
Nothing is written and no transaction is opened; no revision is recorded, and the page
cache is not asked (it answers anonymous GETs only; this is a staff POST, sent
``Cache-Control: private, no-store``).
A figure uploaded with the form is shown from the request itself (a ``data:`` URL, which
the admin's Content-Security-Policy allows), never written to the media folder.
"""

import base64

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.forms.formsets import all_valid
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext

from .. import writes
from ..fields import LANGUAGE_CODES, column
from ..models import Article
from ..presentation import article_context
from .changes import change_from_forms
from .editor import ArticlePage, stored_page


class UnsavedFigure:
    """A figure uploaded with the previewed form: shown inline, never stored."""

    def __init__(self, upload):
        image = getattr(upload, "image", None)
        kind = (image.format if image is not None and image.format else "PNG").lower()
        upload.seek(0)
        data = base64.b64encode(upload.read()).decode("ascii")
        upload.seek(0)
        self.url = f"data:image/{kind};base64,{data}"
        self.name = getattr(upload, "name", "")

    def __bool__(self):
        return True


def _show_uploads(step):
    """Show a figure uploaded with the form (already checked by the form) from memory."""
    for code in LANGUAGE_CODES:
        name = column("figure", code)
        value = getattr(step, name)
        if value and not getattr(value, "_committed", True):
            step.__dict__[name] = UnsavedFigure(value.file)


def _unsaved_article(article, change):
    """Give the reviewed article what the page shows of it: figures uploaded with the form
    from memory, and the linked articles readers would see."""
    for variant in article.ordered_variants:
        for step in variant.ordered_steps:
            _show_uploads(step)
    for name in ("prerequisites", "related"):
        if name in change.values:
            chosen = change.values[name]
        elif article.pk:
            chosen = (
                getattr(Article, name)
                .through.objects.filter(from_article_id=article.pk)
                .values_list("to_article_id", flat=True)
            )
        else:
            chosen = []
        linked = Article.objects.published().filter(pk__in=list(chosen)).order_by("number")
        setattr(article, f"published_{name}", list(linked))
    return article


def _form_errors(form):
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        yield from ((label, error) for error in errors)


def _errors(form, formsets):
    """Return ``(field label, message)`` for every error of the posted page."""
    found = list(_form_errors(form))
    for formset in formsets:
        found += [("", error) for error in formset.non_form_errors()]
        for row in formset.forms:
            found += _form_errors(row)
            found += _errors_of_nested(row)
    return found


def _errors_of_nested(row):
    found = []
    for nested in getattr(row, "nested_formsets", []):
        found += [("", error) for error in nested.non_form_errors()]
        for step_form in nested.forms:
            found += _form_errors(step_form)
    return found


def preview_urls(model_admin):
    """Return the preview's URL patterns (a new article's, and an existing one's)."""
    return [
        path(
            "add/preview/",
            model_admin.admin_site.admin_view(lambda request: preview_view(model_admin, request)),
            name="articles_article_preview_new",
        ),
        path(
            "<path:object_id>/preview/",
            model_admin.admin_site.admin_view(
                lambda request, object_id: preview_view(model_admin, request, object_id)
            ),
            name="articles_article_preview",
        ),
    ]


def preview_url(model_admin, request, obj):
    """Return where the form's Preview buttons post, or None for who may not save it."""
    if obj is None or obj.pk is None:
        if model_admin.has_add_permission(request):
            return reverse("admin:articles_article_preview_new")
        return None
    if model_admin.has_change_permission(request, obj):
        return reverse("admin:articles_article_preview", args=(obj.pk,))
    return None


def preview_view(model_admin, request, object_id=None):
    """Render the posted article form as the public article page; write nothing."""
    change_url = (
        reverse("admin:articles_article_change", args=(object_id,))
        if object_id
        else reverse("admin:articles_article_add")
    )
    if request.method != "POST":
        return HttpResponseRedirect(change_url)
    language = request.POST.get("_preview_language")
    if language not in LANGUAGE_CODES:
        language = translation.get_language()
    # No transaction: nothing is written, so the database's write lock is never taken.
    response = _preview(model_admin, request, object_id, language)
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request, errors):
    return render(
        request,
        "admin/articles/article/preview_refused.html",
        {"errors": errors, "title": gettext("Preview")},
    )


def _preview(model_admin, request, object_id, language):
    try:
        writes.check_rows(request.POST)  # as a save does, before any form is built
        writes.check_text(request.POST)
    except writes.Refused as refusal:
        return _refused(request, [("", refusal.message)])
    if object_id is not None:
        page = stored_page(unquote(object_id))
        if page is None or not model_admin.has_change_permission(request, page.article):
            raise PermissionDenied
    else:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        page = ArticlePage(article=None, kind="add")
    change_view = page.article is not None
    form_class = model_admin.get_form(request, page.article, change=change_view, fields=None)
    form = form_class(request.POST, request.FILES, instance=page.article)
    formsets, _inlines = model_admin._create_formsets(request, form.instance, change=change_view)
    form_valid = form.is_valid()
    if not (all_valid(formsets) and form_valid):
        return _refused(request, _errors(form, formsets))
    change = change_from_forms(form, formsets[0], page.article_id)
    try:
        article, _plan = writes.review_article(request.user, change)
    except writes.Refused as refusal:
        return _refused(request, [("", refusal.message)])
    article = _unsaved_article(article, change)
    if article.pk is not None and article.pk < 0:
        article.pk = None
    with translation.override(language):
        request.LANGUAGE_CODE = language
        context = article_context(article, language, request.POST.get("_preview_tab"))
        return render(
            request,
            "admin/articles/article/preview.html",
            {
                **context,
                "feedback_state": "",
                "preview": not article.is_published,
                "unsaved_preview": True,
            },
        )
