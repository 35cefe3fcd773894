"""The article's change page: the forms are checked with no transaction open, then the
write path writes.

Django's ``ModelAdmin.changeform_view`` holds a transaction — on SQLite, the database's
write lock — while it builds and validates every form of the page, and the validation
renders each Markdown text. Here the same forms are built and validated first, with no
transaction; what they ask becomes an ``ArticleChange`` (changes.py), and the write
function takes the lock only to compare and write. The page is built on an article graph
(``ArticlePage``): the one stored now, a stored version being restored, or a deleted
article being recovered; nothing is written to show any of them.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms.formsets import all_valid
from django.forms.utils import ErrorDict
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from .. import revisions, writes
from ..models import Article
from ..writes import graph
from .changes import REFUSED_PREFIX, RESOLVE_PREFIX, SEEN_VERSION, change_from_forms


@dataclass
class ArticlePage:
    """What the article's page shows, and which write saving it is."""

    article: Article | None  # with ordered_variants and their ordered_steps; None: a new one
    kind: str = "change"  # "add", "change", "restore", "recover"
    initial: dict = field(default_factory=dict)  # what the instance does not say (links)
    revision: object = None  # restore, recover: the revision written back
    template: object = None  # the template, when not the change form's
    context: dict = field(default_factory=dict)

    @property
    def article_id(self):
        return self.article.pk if self.article is not None else None

    def save(self, user, change):
        if self.kind == "restore":
            return writes.restore_article(user, change, self.revision)
        if self.kind == "recover":
            return writes.recover_article(user, change, self.revision)
        return writes.save_article(user, change)


def _prepared(article):
    """Give every row its parent without a query (badges and labels read it)."""
    for variant in article.ordered_variants:
        variant.article = article
        for step in variant.ordered_steps:
            step.variant = variant
    return article


def stored_page(object_id):
    """Return the page of the article stored now (None if there is none)."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return None
    article = Article.objects.for_detail().filter(pk=pk).first()
    return None if article is None else ArticlePage(article=_prepared(article))


def version_page(version, article_id, kind, context, template):
    """Return the page of a stored version (restore) or of a deleted article (recover),
    shown as it was, written nowhere."""
    stored = graph.from_revision(version.revision, article_id)
    if stored is None:
        return None
    article = _prepared(graph.as_instances(stored))
    initial = {name: stored.article.get(name, []) for name in ("prerequisites", "related")}
    now = Article.objects.filter(pk=article_id).values_list("version", flat=True).first()
    if now is not None:
        initial["loaded_version"] = now
        article.version = now
    return ArticlePage(
        article=article,
        kind=kind,
        initial=initial,
        revision=version.revision,
        template=template,
        context=context,
    )


def conflict_error(refusal, article_id):
    """Return the refusal as the page shows it: the message, and for conflicts both texts
    side by side with a choice above each (and what lets a hand merge count)."""
    if not refusal.conflicts:
        return refusal.message
    latest = revisions.article_versions(article_id).first()
    who = revisions.describe_revision(latest.revision if latest else None) or "?"
    current = Article.objects.filter(pk=article_id).values_list("version", flat=True).first()
    rows = format_html_join(
        "",
        '<tr data-kb-input="{}"><th scope="row">{}</th>'
        '<td><label><input type="radio" name="{}{}" value="mine"> {}</label>'
        '<div class="kb-conflict__text">{}</div></td>'
        '<td><label><input type="radio" name="{}{}" value="theirs"> {}</label>'
        '<div class="kb-conflict__text kb-conflict__theirs">{}</div>'
        '<input type="hidden" name="{}{}" value="{}"></td></tr>',
        (
            (
                c.input_name,
                c.label,
                RESOLVE_PREFIX,
                c.key,
                gettext("Keep your text"),
                c.mine or "—",
                RESOLVE_PREFIX,
                c.key,
                gettext("Keep their text"),
                c.theirs or "—",
                REFUSED_PREFIX,
                c.key,
                c.mine_digest,
            )
            for c in refusal.conflicts
        ),
    )
    return format_html(
        "<p>{}</p><p>{}</p>"
        '<table class="kb-conflict"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>'
        '<input type="hidden" name="{}" value="{}">',
        gettext(
            "Someone else saved this article while you were editing it (%(who)s) and changed "
            "the same texts as you. Nothing was saved. Everything else you changed is kept "
            "in the form; for each text below, choose which version to keep, then save again."
        )
        % {"who": who},
        gettext(
            "Or merge the two texts in the field itself: a text you change after this message "
            "is saved as you wrote it."
        ),
        gettext("Field"),
        gettext("Your text"),
        gettext("Their text, saved now"),
        rows,
        SEEN_VERSION,
        current or "",
    )


def _check_permission(model_admin, request, page):
    obj = page.article
    if page.kind in ("add", "recover"):
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        return
    if request.method == "POST":
        allowed = model_admin.has_change_permission(request, obj)
    else:
        allowed = model_admin.has_view_or_change_permission(request, obj)
    if not allowed:
        raise PermissionDenied


def article_form_view(model_admin, request, page, form_url=""):
    """Show the article's page, or write what it posts; return the response."""
    if request.method == "POST" and "_saveasnew" in request.POST:
        # Django's "save as new", forged or not: an addition, by who may add.
        page = ArticlePage(article=None, kind="add")
    _check_permission(model_admin, request, page)
    add = page.kind == "add"
    obj = page.article
    too_long = None
    if request.method == "POST":
        try:
            writes.check_rows(request.POST)  # before any form is built
        except writes.Refused as refusal:
            messages.error(request, refusal.message)
            return redirect(request.get_full_path())
        try:
            writes.check_text(request.POST)  # before any form is validated
        except writes.Refused as refusal:
            too_long = refusal
    fieldsets = model_admin.get_fieldsets(request, obj)
    form_class = model_admin.get_form(
        request, obj, change=not add, fields=flatten_fieldsets(fieldsets)
    )
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, instance=obj, initial=page.initial)
        formsets, inline_instances = model_admin._create_formsets(
            request, form.instance, change=not add
        )
        if too_long is not None:
            _show_unvalidated(form, formsets, too_long.message)
        elif all_valid(formsets) and form.is_valid():
            change = change_from_forms(
                form, formsets[0], page.article_id, whole=page.kind in ("restore", "recover")
            )
            try:
                saved = page.save(request.user, change)
            except writes.Refused as refusal:
                form.add_error(
                    None, ValidationError(conflict_error(refusal, page.article_id), code="refused")
                )
            else:
                return model_admin.response_after_save(request, saved, page)
    else:
        initial = model_admin.get_changeform_initial_data(request) if add else page.initial
        form = form_class(instance=obj, initial=initial)
        formsets, inline_instances = model_admin._create_formsets(
            request, form.instance, change=not add
        )
    return _render(model_admin, request, page, form, formsets, inline_instances, form_url)


def _show_unvalidated(form, formsets, message):
    """Show the posted page as typed, with ``message`` alone: nothing of it is validated
    (it carries too much to be checked), and nothing the editor typed is lost."""
    form._errors = ErrorDict({NON_FIELD_ERRORS: form.error_class([message])})
    for formset in formsets:
        formset._non_form_errors = formset.error_class()
        formset._errors = []
        for row in formset.forms:
            row._errors = ErrorDict()
            formset._errors.append(row._errors)


def _render(model_admin, request, page, form, formsets, inline_instances, form_url):
    """Render the page as Django's admin does (its change form template and context)."""
    obj = page.article
    add = page.kind == "add"
    fieldsets = model_admin.get_fieldsets(request, obj)
    may_change = add or model_admin.has_change_permission(request, obj)
    readonly = (
        model_admin.get_readonly_fields(request, obj)
        if may_change
        else flatten_fieldsets(fieldsets)
    )
    admin_form = helpers.AdminForm(
        form,
        list(fieldsets),
        model_admin.get_prepopulated_fields(request, obj) if may_change else {},
        readonly,
        model_admin=model_admin,
    )
    media = model_admin.media + admin_form.media
    inline_formsets = model_admin.get_inline_formsets(request, formsets, inline_instances, obj)
    for inline_formset in inline_formsets:
        media += inline_formset.media
    if add:
        title = gettext("Add %s")
    elif model_admin.has_change_permission(request, obj):
        title = gettext("Change %s")
    else:
        title = gettext("View %s")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title % model_admin.opts.verbose_name,
        "subtitle": str(obj) if obj else None,
        "adminform": admin_form,
        "object_id": page.article_id,
        "original": obj,
        "is_popup": IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET,
        "to_field": request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR)),
        "media": media,
        "inline_admin_formsets": inline_formsets,
        "errors": helpers.AdminErrorList(form, formsets),
        "preserved_filters": model_admin.get_preserved_filters(request),
        **page.context,
    }
    response = model_admin.render_change_form(
        request, context, add=add, change=not add, obj=obj, form_url=form_url
    )
    if page.template:
        response.template_name = page.template
    return response
