"""The editor experience: one screen per article, both languages side by side.

An article, its variants and each variant's steps are edited together (nested inlines
from django-nested-admin, drag to reorder). Each translated field shows its English and
Japanese versions on one row, so a translator sees the source beside the translation.
modeltranslation's *tabbed* admin is not used: it loads jQuery UI from a CDN.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import Textarea
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from nested_admin import NestedModelAdminMixin, NestedStackedInlineMixin

from . import markdown
from .models import Article, Category, Feedback, FeedbackComment, Platform, Step, Variant

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class SideBySideMedia:
    """Our admin stylesheet: the languages of a field share one row, half each."""

    css = {"all": ("admin/kb-admin.css",)}


def side_by_side(*fields):
    """Return field rows with each translated field's languages on one row."""
    return tuple(tuple(f"{field}_{code}" for code in LANGUAGE_CODES) for field in fields)


# Steps are short: three lines each keeps a whole variant on one screen.
COMPACT_TEXT = {models.TextField: {"widget": Textarea(attrs={"rows": 3})}}


class StepInline(NestedStackedInlineMixin, TranslationStackedInline):
    model = Step
    formfield_overrides = COMPACT_TEXT
    extra = 0
    sortable_field_name = "order"
    fields = (
        "order",
        *side_by_side("body", "figure", "figure_caption", "figure_alt"),
    )


class VariantInline(NestedStackedInlineMixin, TranslationStackedInline):
    model = Variant
    formfield_overrides = COMPACT_TEXT
    extra = 0
    sortable_field_name = "order"
    inlines = (StepInline,)
    fields = ("platform", "order", *side_by_side("intro"))


@admin.register(Article)
class ArticleAdmin(NestedModelAdminMixin, TranslationAdmin):
    list_display = (
        "number",
        "title",
        "category",
        "status",
        "updated_at",
        "helpful_en",
        "helpful_ja",
    )
    list_display_links = ("number", "title")
    list_filter = ("status", "category")
    search_fields = ("=number", "title_en", "title_ja", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ("prerequisites", "related")
    save_on_top = True
    inlines = (VariantInline,)
    Media = SideBySideMedia
    fieldsets = (
        (None, {"fields": (("number", "slug"), ("category", "status"))}),
        (
            _("Text"),
            {
                "fields": side_by_side("title", "summary", "body", "notes", "troubleshooting"),
                "description": _(
                    "English on the left, Japanese on the right. Markdown is allowed in the "
                    "introduction, notes and troubleshooting; link another article with "
                    "[[KB 1042]]."
                ),
            },
        ),
        (_("Links to other articles"), {"fields": ("prerequisites", "related")}),
    )

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
        super().save_related(request, form, formsets, change)
        self.warn_about_broken_references(request, form.instance)

    def warn_about_broken_references(self, request, article):
        """Tell the editor which [[KB n]] links readers will see as plain text."""
        article = Article.objects.for_detail().get(pk=article.pk)
        cited = set()
        for code in LANGUAGE_CODES:
            cited |= markdown.referenced_numbers(*article.translated_texts(code))
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
