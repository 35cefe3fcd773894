"""Variants and steps on the article's page: rows from the article graph the page is
built on, structure for source editors only."""

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from modeltranslation.admin import TranslationStackedInline
from nested_admin import NestedInlineFormSet, NestedStackedInlineMixin

from .. import translation_status, writes
from ..models import Article, Platform, Step, Variant
from .forms import (
    COMPACT_TEXT,
    LoadedChoiceField,
    RowIdField,
    edits_source,
    side_by_side,
    source_fields,
)


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
    # A format per language: Japanese puts a full-width colon between the two.
    badge = pgettext("translation badge", "%(language)s: %(status)s")
    return format_html_join(
        " ",
        '<span class="kb-status kb-status--{}">{}</span>',
        ((status, badge % {"language": name, "status": label}) for status, name, label in found),
    )


def _children(parent):
    """Return the rows under ``parent`` as the page loaded them: an article's variants or a
    variant's steps, in order (the shape of ``Article.objects.for_detail()``)."""
    if isinstance(parent, Article):
        return list(getattr(parent, "ordered_variants", ()))
    return list(getattr(parent, "ordered_steps", ()))


def article_rows(parent, model):
    """Return ``{pk: row}`` of every ``model`` row of the article ``parent`` belongs to
    (a step may be posted under another variant of the article: dragged there)."""
    article = parent if isinstance(parent, Article) else parent.article
    variants = getattr(article, "ordered_variants", ())
    if model is Variant:
        return {variant.pk: variant for variant in variants}
    return {step.pk: step for variant in variants for step in variant.ordered_steps}


class ArticleRowsFormSet(NestedInlineFormSet):
    """Inline rows taken from the article graph the page is built on, never queried.

    The page's article comes with its variants and steps (from the database, a stored
    version being restored, or a deleted one being recovered). Django's inline formsets
    would look a posted id up among every row of the table, and django-nested-admin with a
    query per form; here a posted id is one of the article's rows or it is carried as it
    came (``RowIdField``), for the write path to refuse.
    """

    def get_queryset(self):
        return _children(self.instance)

    def _existing_object(self, pk):
        try:
            return article_rows(self.instance, self.model).get(int(pk))
        except (TypeError, ValueError):
            return None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_field = form.fields[self._pk_field.name]
        form.fields[self._pk_field.name] = RowIdField(
            lambda: article_rows(self.instance, self.model),
            required=False,
            widget=pk_field.widget,
            initial=pk_field.initial,
        )


def platform_choices(platforms):
    """Return the platform drop-down's choices, grouped by family (operating systems,
    browsers, applications), each group in the platforms' order."""
    names = {
        Platform.Family.OS: _("Operating systems"),
        Platform.Family.BROWSER: _("Browsers"),
        Platform.Family.APP: _("Applications"),
    }
    ordered = sorted(platforms, key=lambda platform: (platform.order, platform.slug))
    choices = [("", _("— none: steps shared by every platform —"))]
    for family, name in names.items():
        group = [(platform.pk, str(platform)) for platform in ordered if platform.family == family]
        if group:
            choices.append((name, group))
    return choices


class TranslatedInline(NestedStackedInlineMixin, TranslationStackedInline):
    """An inline whose structure only source editors change; translators fill in text."""

    formfield_overrides = COMPACT_TEXT
    extra = 0
    sortable_field_name = "order"
    structure_fields = ("order",)

    def get_extra(self, request, obj=None, **kwargs):
        # A new article starts with one variant holding one empty step (an untouched
        # extra row is not saved); an existing one shows only what it has.
        return 1 if (obj is None or obj.pk is None) and edits_source(request) else 0

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made per request: a translator gets no drag handles.
        if not edits_source(request):
            self.sortable_field_name = ""
        return super().get_formset(request, obj, **kwargs)

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
    max_num = writes.MAX_STEPS_PER_VARIANT
    fields = (
        "order",
        "translation",
        *side_by_side(*Step.TRACKED_TEXTS),
    )

    def get_queryset(self, request):
        # Badges need the article's source language: fetched with the steps, not per step.
        return super().get_queryset(request).select_related("variant__article")


class VariantInline(TranslatedInline):
    model = Variant
    formset = ArticleRowsFormSet
    max_num = writes.MAX_VARIANTS

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "platform":
            platforms = Platform.objects.in_bulk()  # once per page: the field is made once
            kwargs["form_class"] = LoadedChoiceField
            kwargs["rows"] = lambda: platforms
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.choices = platform_choices(platforms.values())
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    inlines = (StepInline,)
    structure_fields = ("order", "platform")
    fields = ("platform", "order", "translation", *side_by_side(*Variant.TRACKED_TEXTS))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")
