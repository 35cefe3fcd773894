"""The editor experience: one screen per article, both languages side by side.

An article, its variants and each variant's steps are edited together (nested inlines
from django-nested-admin, drag to reorder). Each translated field shows its English and
Japanese versions on one row, so a translator sees the source beside the translation.
modeltranslation's *tabbed* admin is not used: it loads jQuery UI from a CDN.

Around that screen:
- roles: Editors write (source text and structure), Translators change only the
  translation, Publishers publish (permissions ``edit_source`` and ``publish_article``,
  groups from migration 0005);
- translation status per language in the list (with filters) and, on the article, every
  out-of-date translation with a diff of its source and a box to mark it checked;
- history (django-reversion): every save is a revision; compare two, restore, recover;
- no lost edits: every save goes through editing.py (the one write path), which merges a
  stale form into what is stored and refuses only real conflicts.
"""

import contextlib

import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import Textarea
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from nested_admin import NestedInlineFormSet, NestedModelAdminMixin, NestedStackedInlineMixin
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import editing, markdown, revisions, translation_status
from .models import Article, Category, Feedback, FeedbackComment, Platform, Step, Variant
from .xliff import admin_views as xliff_admin

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _number(value):
    """Return a row id taken from a URL, or answer 404 (never a 500) for anything else."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


class SideBySideMedia:
    """Our admin stylesheet: the languages of a field share one row, half each."""

    css = {"all": ("admin/kb-admin.css",)}


def side_by_side(*fields):
    """Return field rows with each translated field's languages on one row."""
    return tuple(tuple(f"{field}_{code}" for code in LANGUAGE_CODES) for field in fields)


class TextWithLineBreaks(forms.CharField):
    """A text whose line breaks are "\n", whatever the browser sends.

    Browsers submit a textarea's line breaks as CRLF: unnormalised, every save would
    "change" every multi-line text (in the history and its diffs) without anyone typing.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


TEXT = {models.TextField: {"form_class": TextWithLineBreaks}}
# Steps are short: three lines each keeps a whole variant on one screen.
COMPACT_TEXT = {
    models.TextField: {"form_class": TextWithLineBreaks, "widget": Textarea(attrs={"rows": 3})}
}


def edits_source(request):
    """Return whether the user may change source text and structure (not only translate)."""
    return request.user.has_perm("articles.edit_source")


def source_fields(fields, parent):
    """Return the source-language columns of ``fields`` (what a translator may not change).

    ``parent`` is the article, or for steps (nested inlines) their variant.
    """
    language = parent.source_language_code() if parent else settings.LANGUAGE_CODE
    return tuple(f"{field}_{language}" for field in fields)


def translation_badges(obj, source):
    """Return "Japanese: Out of date"-style badges for the languages of ``obj`` needing work."""
    found = []
    for code, name in settings.LANGUAGES:
        statuses = {
            translation_status.field_status(obj, field, code, source)
            for field in translation_status.fields_to_check(obj)
        }
        for status in (translation_status.MISSING, translation_status.OUTDATED):
            if status in statuses:
                found.append((status, name, translation_status.STATUS_LABELS[status]))
                break
    if not found:
        return "—"
    return format_html_join(" ", '<span class="kb-status kb-status--{}">{}: {}</span>', found)


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice among rows loaded once per request (``rows()``: ``{pk: row}``), no query.

    Used for the hidden id of an inline row, one of the article's own rows: Django's
    inline formsets accept the id of any row of the model there, and django-nested-admin
    then loads it with a query per form; the write path refuses another article's row
    (editing.check_ownership), and this field never finds one. And for a variant's
    platform, which would otherwise cost a query per variant.
    """

    def __init__(self, rows, queryset=None, **kwargs):
        # The queryset still lists the choices when the field is shown.
        super().__init__(queryset=queryset, **kwargs)
        self.rows = rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.rows()[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class ArticleRowsFormSet(NestedInlineFormSet):
    """Inline rows looked up among the article's own rows, loaded once per request.

    ``rows`` (set by the inline's ``get_formset``) returns ``{pk: row}`` of every row of
    this model in the article: one query for all variants, one for all steps, instead of
    several per row. A step dragged to another variant of the same article is found too.
    """

    rows = None

    def get_queryset(self):
        # django-nested-admin filters on the raw posted ids (a malformed one answered 500
        # when a refused form was shown again): only ids of the article's own rows here.
        if not self.is_bound or self.rows is None:
            return super().get_queryset()
        if not hasattr(self, "_own_rows"):
            rows = self.rows()
            posted = []
            for index in range(min(self.initial_form_count(), self.total_form_count())):
                raw = self.data.get(f"{self.add_prefix(index)}-{self._pk_field.name}")
                with contextlib.suppress(TypeError, ValueError):
                    if int(raw) in rows:
                        posted.append(int(raw))
            self._own_rows = self.model._default_manager.filter(pk__in=posted)
        return self._own_rows

    def _existing_object(self, pk):
        if not self.is_bound:
            return super()._existing_object(pk)
        try:
            return self.rows().get(int(pk))
        except (TypeError, ValueError):
            return None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.is_bound:
            pk_field = form.fields[self._pk_field.name]
            form.fields[self._pk_field.name] = LoadedChoiceField(
                self.rows, required=False, widget=pk_field.widget, initial=pk_field.initial
            )

    def save_existing_objects(self, initial_forms=None, commit=True):
        # django-nested-admin's version loads every row twice more, changed or not.
        saved = []
        for form in initial_forms or ():
            obj = form.instance
            if obj.pk is None:
                continue
            if self._should_delete_form(form):
                self.deleted_objects.append(obj)
                self.delete_existing(obj, commit=commit)
                continue
            moved = getattr(obj, self.fk.attname) != obj.loaded_parent
            if form.has_changed() or moved:
                self.changed_objects.append((obj, form.changed_data))
                saved.append(self.save_existing(form, obj, commit=commit))
                if not commit:
                    self.saved_forms.append(form)
        return saved


def _platforms(request):
    if not hasattr(request, "_kb_platforms"):
        request._kb_platforms = Platform.objects.in_bulk()
    return request._kb_platforms


def _article_rows(request, model, article_id):
    """Return ``{pk: row}`` for the ``model`` rows of one article, loaded once per request."""
    cache = request.__dict__.setdefault("_kb_article_rows", {})
    key = (model, article_id)
    if key not in cache:
        if article_id is None:
            rows = model.objects.none()
        elif model is Variant:
            rows = Variant.objects.filter(article_id=article_id).select_related(
                "article", "platform"
            )
        else:
            rows = Step.objects.filter(variant__article_id=article_id).select_related(
                "variant__article"
            )
        cache[key] = {row.pk: row for row in rows}
        parent = "article_id" if model is Variant else "variant_id"
        for row in cache[key].values():
            row.loaded_parent = getattr(row, parent)
            if model is Variant:
                row.loaded_platform = row.platform_id
    return cache[key]


class TranslatedInline(NestedStackedInlineMixin, TranslationStackedInline):
    """An inline whose structure only source editors change; translators fill in text."""

    formfield_overrides = COMPACT_TEXT
    extra = 0
    sortable_field_name = "order"
    structure_fields = ("order",)

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made per request: a translator gets no drag handles.
        if not edits_source(request):
            self.sortable_field_name = ""
        formset = super().get_formset(request, obj, **kwargs)
        if request.method != "POST":
            return formset
        article_id = obj.pk if isinstance(obj, Article) else getattr(obj, "article_id", None)
        model = self.model
        return type(
            formset.__name__,
            (formset,),
            {
                "rows": staticmethod(lambda: _article_rows(request, model, article_id)),
                "article_rows": staticmethod(
                    lambda other: _article_rows(request, other, article_id)
                ),
            },
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ("translation",)
        if edits_source(request):
            return readonly
        return (*readonly, *self.structure_fields, *source_fields(self.model.TRACKED_TEXTS, obj))

    @admin.display(description=_("translation"))
    def translation(self, obj):
        if obj.pk is None:
            return "—"
        return translation_badges(obj, obj.source_language_code())


class StepInline(TranslatedInline):
    model = Step
    formset = ArticleRowsFormSet
    max_num = editing.MAX_STEPS_PER_VARIANT
    fields = (
        "order",
        "translation",
        *side_by_side("body", "figure", "figure_caption", "figure_alt"),
    )

    def get_queryset(self, request):
        # Badges need the article's source language: fetched with the steps, not per step.
        return super().get_queryset(request).select_related("variant__article")


class _RolledBack(Exception):
    """Leaves a restore's transaction without keeping it, with the response to send."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class VariantFormSet(ArticleRowsFormSet):
    """The article's variants; its validation runs the write path's checks for the page."""

    def clean(self):
        super().clean()
        form = getattr(self.instance, "_admin_form", None)
        if form is None:
            return
        # django-nested-admin validates the formsets a second time when a row is deleted:
        # a refusal must hold then too (the article form keeps its error between passes).
        refusal = getattr(form, "refusal", None)
        if refusal is None and not form.errors:
            try:
                stored = (self.rows(), self.article_rows(Step))
                restoring_version = form.restoring.version if form.restoring else None
                form.reviewed_rows = editing.review_admin_save(
                    form, self, form.rights, stored, restoring_version
                )
            except editing.Refused as refused:
                form.refusal = refusal = refused
                form.add_error(None, ValidationError(refused.message, code="refused"))
        if refusal is not None:
            raise ValidationError(
                gettext("Nothing was saved: see the message at the top of the page."),
                code="refused",
            )


class VariantInline(TranslatedInline):
    model = Variant
    formset = VariantFormSet
    max_num = editing.MAX_VARIANTS

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "platform":
            kwargs["form_class"] = LoadedChoiceField
            kwargs["rows"] = lambda: _platforms(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    inlines = (StepInline,)
    structure_fields = ("order", "platform")
    fields = ("platform", "order", "translation", *side_by_side("intro"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")


class ArticleAdminForm(forms.ModelForm):
    """The article form, plus the version it was loaded at and the translations checked."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Which language's fields were editable, or read-only for a translator, when the form
    # was loaded: the page posted is only understood with the same layout.
    loaded_language = forms.CharField(widget=forms.HiddenInput, required=False)
    mark_translated = forms.MultipleChoiceField(
        label=_("Checked translations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick a translation once it says what the changed source text says; it is then "
            "no longer flagged. Editing the translation itself also clears the flag."
        ),
    )

    # The model and fields come from ArticleAdmin (modelform_factory).

    # Set by ArticleAdmin.get_form: who saves, and a restore or recovery under way.
    rights = None
    restoring = None
    # Set by the variant formset's validation: the page's rows, as the write path saw them.
    reviewed_rows = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The variant formset, built on this same instance, reads the whole page from here.
        self.instance._admin_form = self
        if self.instance.pk:
            self.fields["loaded_version"].initial = (
                self.restoring.version if self.restoring else self.instance.version
            )
            self.fields["loaded_language"].initial = self.instance.source_language
        if self.instance.pk:
            # Loaded only when the page shows the list or a box was ticked: a save that
            # checks nothing does not read the whole article again for it.
            self.fields["mark_translated"].choices = self._outdated_choices

    def full_clean(self):
        super().full_clean()
        loaded = self.data.get(self.add_prefix("loaded_language")) if self.is_bound else None
        # As stored: an editor's form may be changing it now, which is fine.
        stored = self.initial.get("source_language", self.instance.source_language)
        if self.instance.pk and loaded and loaded != stored:
            # The fields' errors would speak of a layout this editor never saw: only this.
            self._errors = ErrorDict()
            self.add_error(
                None,
                ValidationError(
                    gettext(
                        "Someone else changed the language this article is written in while "
                        "you were editing. Nothing was saved: reload the page to see which "
                        "texts are now the source and which the translation."
                    ),
                    code="language_changed",
                ),
            )

    def _outdated_choices(self):
        names = dict(settings.LANGUAGES)
        outdated = translation_status.outdated_texts(
            Article.objects.for_detail().get(pk=self.instance.pk)
        )
        return [
            (
                item.key,
                format_html(
                    '<span class="kb-review__where">{} · {} ({})</span> '
                    '<span class="kb-review__changed">{}</span> {}',
                    item.place,
                    item.field_label,
                    names[item.language],
                    gettext("Source figure replaced:")
                    if item.field == "figure"
                    else gettext("Source text changed:"),
                    item.diff_html,
                ),
            )
            for item in outdated
        ]


class LinksField(forms.ModelMultipleChoiceField):
    """Links to other articles; a link to an article deleted since the form was loaded is
    dropped (deleting it removed the link here already), so the rest of the form saves."""

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code != "invalid_choice" or not isinstance(value, list | tuple):
                raise
        existing = {
            str(pk)
            for pk in self.queryset.filter(
                pk__in=[v for v in value if str(v).isdigit()]
            ).values_list("pk", flat=True)
        }
        return super().clean([v for v in value if str(v) in existing])


class TranslationListFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        choices = []
        for code, name in settings.LANGUAGES:
            choices.append((f"missing-{code}", _("Missing %(language)s") % {"language": name}))
            choices.append((f"outdated-{code}", _("%(language)s out of date") % {"language": name}))
        return choices

    def queryset(self, request, queryset):
        status, _sep, code = (self.value() or "").partition("-")
        if status in {"missing", "outdated"} and code in dict(settings.LANGUAGES):
            return queryset.filter(**{f"translation_state__{code}__{status}__gt": 0})
        return queryset


@admin.register(Article)
class ArticleAdmin(NestedModelAdminMixin, VersionAdmin, TranslationAdmin):
    form = ArticleAdminForm
    formfield_overrides = TEXT
    list_display = (
        "number",
        "title",
        "category",
        "status",
        "translation_en",
        "translation_ja",
        "updated_at",
        "helpful_en",
        "helpful_ja",
    )
    list_display_links = ("number", "title")
    list_filter = ("status", TranslationListFilter, "category")
    search_fields = ("=number", "title_en", "title_ja", "slug")
    filter_horizontal = ("prerequisites", "related")
    save_on_top = True
    inlines = (VariantInline,)
    Media = SideBySideMedia
    actions = ("publish", "unpublish", "archive", xliff_admin.export_for_translation)
    object_history_template = "admin/articles/article/object_history.html"
    history_latest_first = True
    text_fieldset = (
        _("Text"),
        {
            "fields": side_by_side(*Article.TRACKED_TEXTS),
            "description": _(
                "English on the left, Japanese on the right. Markdown is allowed in the "
                "introduction, notes and troubleshooting; link another article with "
                "[[KB 1042]]."
            ),
        },
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": (
                        ("number", "slug"),
                        ("category", "status", "source_language"),
                        ("loaded_version", "loaded_language"),
                    )
                },
            ),
            self.text_fieldset,
            (_("Links to other articles"), {"fields": ("prerequisites", "related")}),
        ]
        if obj is not None and any(
            translation_status.summary(obj.translation_state, code) == "outdated"
            for code, _name in settings.LANGUAGES
        ):
            fieldsets.insert(
                1,
                (
                    _("Translations to check"),
                    {"fields": ("mark_translated",), "classes": ("kb-review",)},
                ),
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = []
        if not request.user.has_perm("articles.publish_article"):
            readonly.append("status")
        if obj is not None and not edits_source(request):
            readonly += [
                "number",
                "slug",
                "category",
                "source_language",
                "prerequisites",
                "related",
                *source_fields(Article.TRACKED_TEXTS, obj),
            ]
        return list(dict.fromkeys(readonly))

    def get_prepopulated_fields(self, request, obj=None):
        # Only a new article gets its slug from the title; later, a slug change is deliberate.
        if obj is None and edits_source(request):
            return {"slug": (f"title_{settings.LANGUAGE_CODE}",)}
        return {}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attributes = {
            "rights": editing.Rights.of(request.user),
            "restoring": getattr(request, "kb_restoring", None),
        }
        return type(form.__name__, (form,), attributes)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", LinksField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            try:
                editing.check_row_counts(request.POST)
            except editing.Refused as refusal:
                messages.error(request, refusal.message)
                return redirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        # A save locks the article's row before anything is read for the form: what the
        # forms compare with is what is stored, until the save commits.
        if request.method == "POST" and transaction.get_connection().in_atomic_block:
            with contextlib.suppress(ValueError, TypeError):
                editing.lock(int(object_id))
        return super().get_object(request, object_id, from_field)

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

    def save_model(self, request, obj, form, change):
        if not change and not request.user.has_perm("articles.publish_article"):
            obj.status = Article.Status.DRAFT
        if change:
            restoring = getattr(request, "kb_restoring", None)
            editing.raise_version(obj, floor=restoring.version if restoring else None)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        editing.delete_articles(request.user, [obj.pk])

    def delete_queryset(self, request, queryset):
        editing.delete_articles(request.user, list(queryset.values_list("pk", flat=True)))

    # Publishing: a permission of its own, so Editors can write but not publish.

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def _set_status(self, request, queryset, status, message):
        try:
            count = editing.set_status(
                request.user, list(queryset.values_list("pk", flat=True)), status
            )
        except editing.Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        reversion.set_comment(message)
        self.message_user(request, f"{message} ({count})", messages.SUCCESS)

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED, gettext("Published"))

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT, gettext("Unpublished"))

    @admin.action(description=_("Archive selected articles"), permissions=["publish"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, Article.Status.ARCHIVED, gettext("Archived"))

    # Translation status columns.

    @staticmethod
    def _translation(article, code):
        status = translation_status.summary(article.translation_state, code)
        counts = (article.translation_state or {}).get(code, {})
        label = translation_status.STATUS_LABELS[status]
        count = counts.get(status, 0)
        return format_html(
            '<span class="kb-status kb-status--{}">{}{}</span>',
            status,
            label,
            f" ({count})" if count else "",
        )

    @admin.display(description=_("English"))
    def translation_en(self, article):
        return self._translation(article, "en")

    @admin.display(description=_("Japanese"))
    def translation_ja(self, article):
        return self._translation(article, "ja")

    # History: compare two revisions.

    def get_urls(self):
        urls = super().get_urls()
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        xliff_import = path(
            "import-xliff/",
            self.admin_site.admin_view(lambda request: xliff_admin.import_view(self, request)),
            name="articles_article_import_xliff",
        )
        return [compare, xliff_import, *urls]

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

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("category")
        # Votes per language as columns (one query for the whole list), sortable by "yes".
        for code in LANGUAGE_CODES:
            rows = Feedback.objects.filter(article=OuterRef("pk"), language=code)
            for field in ("helpful", "not_helpful"):
                queryset = queryset.annotate(
                    **{
                        f"{field}_{code}_votes": Coalesce(
                            Subquery(rows.values(field)[:1], output_field=IntegerField()),
                            Value(0),
                        )
                    }
                )
        return queryset

    @staticmethod
    def _votes(article, code):
        yes = getattr(article, f"helpful_{code}_votes", 0)
        no = getattr(article, f"not_helpful_{code}_votes", 0)
        return format_html('<span title="{} / {}">👍 {} · 👎 {}</span>', yes, no, yes, no)

    @admin.display(description=_("Helpful (English)"), ordering="-helpful_en_votes")
    def helpful_en(self, article):
        return self._votes(article, "en")

    @admin.display(description=_("Helpful (Japanese)"), ordering="-helpful_ja_votes")
    def helpful_ja(self, article):
        return self._votes(article, "ja")

    def save_related(self, request, form, formsets, change):
        editing.free_platforms(
            form.reviewed_rows, _article_rows(request, Variant, form.instance.pk)
        )
        super().save_related(request, form, formsets, change)
        restoring = getattr(request, "kb_restoring", None)
        if restoring:
            editing.keep_within_rights(form.rights, restoring.before, form.instance.pk)
        request.kb_saved = True
        checked = form.cleaned_data.get("mark_translated")
        if checked:
            translation_status.mark_current(
                Article.objects.for_detail().get(pk=form.instance.pk), checked
            )
        self.warn_about_broken_references(request, form, formsets)

    def warn_about_broken_references(self, request, form, formsets):
        """Tell the editor which [[KB n]] links readers will see as plain text."""
        rows = [form.instance] + [
            row_form.instance
            for formset in formsets
            for row_form in formset.forms
            if row_form.instance.pk and not formset._should_delete_form(row_form)
        ]
        texts = (
            getattr(row, f"{field}_{code}")
            for row in rows
            for field in row.TRACKED_TEXTS
            for code in LANGUAGE_CODES
        )
        cited = markdown.referenced_numbers(*(text for text in texts if isinstance(text, str)))
        published = set(
            Article.objects.published().filter(number__in=cited).values_list("number", flat=True)
        )
        broken = sorted(cited - published)
        if broken:
            numbers = ", ".join(f"KB {number}" for number in broken)
            messages.warning(
                request,
                ngettext(
                    "This article links to %(numbers)s, which is not published or does not "
                    "exist; readers see it as plain text until it is published.",
                    "This article links to %(numbers)s, which are not published or do not "
                    "exist; readers see them as plain text until they are published.",
                    len(broken),
                )
                % {"numbers": numbers},
            )


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    formfield_overrides = TEXT
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name_en",)}
    fields = ("slug", "order", *side_by_side("name", "description"))
    Media = SideBySideMedia


@admin.register(Platform)
class PlatformAdmin(TranslationAdmin):
    list_display = ("name", "slug", "family", "order")
    list_editable = ("order",)
    list_filter = ("family",)
    fields = ("slug", "family", "order", *side_by_side("name"))
    Media = SideBySideMedia


@admin.register(FeedbackComment)
class FeedbackCommentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "article", "language", "helpful", "text")
    list_filter = ("language", "helpful")
    list_select_related = ("article",)
    search_fields = ("text",)
    readonly_fields = ("article", "language", "helpful", "text", "created_at")

    def has_add_permission(self, request):
        return False
