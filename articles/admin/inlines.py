"""Variants and steps on the article's page: rows loaded once per request, structure for
source editors only, and the write path's review of the whole page in the variant formset."""

import contextlib

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline
from nested_admin import NestedInlineFormSet, NestedStackedInlineMixin

from .. import editing, translation_status
from ..models import Article, Platform, Step, Variant
from .forms import COMPACT_TEXT, LoadedChoiceField, edits_source, side_by_side, source_fields


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


def _platforms(request):
    if not hasattr(request, "_kb_platforms"):
        request._kb_platforms = Platform.objects.in_bulk()
    return request._kb_platforms


def article_rows(request, model, article_id):
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

    def get_extra(self, request, obj=None, **kwargs):
        # A new article starts with one variant holding one empty step (an untouched
        # extra row is not saved); an existing one shows only what it has.
        return 1 if (obj is None or obj.pk is None) and edits_source(request) else 0

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
                "rows": staticmethod(lambda: article_rows(request, model, article_id)),
                "article_rows": staticmethod(
                    lambda other: article_rows(request, other, article_id)
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
        *side_by_side(*Step.TRACKED_TEXTS),
    )

    def get_queryset(self, request):
        # Badges need the article's source language: fetched with the steps, not per step.
        return super().get_queryset(request).select_related("variant__article")


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
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            grouped = platform_choices(_platforms(request).values())
            field.choices = grouped
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    inlines = (StepInline,)
    structure_fields = ("order", "platform")
    fields = ("platform", "order", "translation", *side_by_side(*Variant.TRACKED_TEXTS))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")
