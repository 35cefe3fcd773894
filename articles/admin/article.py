"""The article list and the article's change page."""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import path
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext
from modeltranslation.admin import TranslationAdmin
from nested_admin import NestedModelAdminMixin
from reversion.admin import VersionAdmin

from .. import markdown, translation_status, writes
from ..fields import LANGUAGE_CODES, column, columns
from ..models import Article, Feedback
from ..xliff import admin_views as xliff_admin
from . import editor
from .forms import (
    TEXT,
    ArticleAdminForm,
    LinksField,
    SideBySideMedia,
    edits_source,
    next_free_number,
    publicness,
    side_by_side,
    source_fields,
)
from .history import ArticleHistoryMixin
from .inlines import VariantInline
from .preview import preview_url, preview_urls


def _vote_count(vote, language):
    """The name of the list's annotation counting ``vote`` ("helpful") in ``language``."""
    return f"{vote}_votes_in_{language}"


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
        if status in {translation_status.MISSING, translation_status.OUTDATED} and (
            code in LANGUAGE_CODES
        ):
            return queryset.filter(**{f"translation_state__{code}__{status}__gt": 0})
        return queryset


@admin.register(Article)
class ArticleAdmin(ArticleHistoryMixin, NestedModelAdminMixin, VersionAdmin, TranslationAdmin):
    form = ArticleAdminForm
    formfield_overrides = TEXT
    list_display = (
        "number",
        "title",
        # Both languages' translation state in one column, the date without the time,
        # votes of both languages in one column, and the category left to the filter: with
        # the sidebar and the filters open the list fits a 1280 px window, in English and
        # Japanese (tests/browser/test_admin_editor.py).
        "status",
        "translation",
        "updated",
        "votes",
    )
    list_display_links = ("number", "title")
    list_filter = ("status", TranslationListFilter, "category")
    search_fields = ("=number", *columns("title"), "slug")
    filter_horizontal = ("prerequisites", "related")
    save_on_top = True
    inlines = (VariantInline,)

    class Media(SideBySideMedia):
        # The compact article page: folding, index, figures by paste or drop, unsaved work.
        js = ("admin/kb-article.js",)

    actions = ("publish", "unpublish", "archive", xliff_admin.export_for_translation)
    # Ours, with "Recover a deleted article" and the XLIFF import (reversion names one
    # change list template for every model; this one speaks of articles).
    change_list_template = "reversion/articles/article/change_list.html"
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
            translation_status.overall_status(obj.translation_state, code)
            == translation_status.OUTDATED
            for code in LANGUAGE_CODES
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
            return {"slug": (column("title", settings.LANGUAGE_CODE),)}
        return {}

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("number", next_free_number())
        return initial

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["kb_publicness"] = publicness(context["adminform"].form, obj)
        context["kb_preview_url"] = preview_url(self, request, obj)
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", LinksField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # The article's page: built on an article graph, checked outside any transaction,
    # written by the write path (editor.py). reversion's VersionAdmin would open a
    # transaction (SQLite's write lock) around the whole request, GETs included.

    def add_view(self, request, form_url="", extra_context=None):
        return self.changeform_view(request, None, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.changeform_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            page = editor.ArticlePage(article=None, kind="add")
        else:
            page = editor.stored_page(object_id)
            if page is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        page.context.update(extra_context or {})
        return editor.article_form_view(self, request, page, form_url)

    def changelist_view(self, request, extra_context=None):
        # reversion's own opens a transaction around the whole list (the write lock, on
        # SQLite, for every GET); list actions write through the write path instead.
        context = {"has_change_permission": self.has_change_permission(request)}
        context.update(extra_context or {})
        return TranslationAdmin.changelist_view(self, request, context)

    def response_after_save(self, request, saved, page):
        """Tell the editor what was saved and go on as Django's admin does."""
        article = saved.article
        if page.kind == "add":
            self.log_addition(request, article, saved.description)
        else:
            self.log_change(request, article, saved.description)
        self.warn_about_broken_references(request, saved.plan)
        if page.kind == "add":
            return self.response_add(request, article)
        return self.response_change(request, article)

    def delete_model(self, request, obj):
        writes.delete_articles(request.user, [obj.pk])

    def delete_queryset(self, request, queryset):
        writes.delete_articles(request.user, list(queryset.values_list("pk", flat=True)))

    # Publishing: a permission of its own, so Editors can write but not publish.

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def _set_status(self, request, queryset, status, change):
        """Set ``status``; ``change`` says what was done ("Published"), in the history too."""
        try:
            count = writes.set_status(
                request.user, list(queryset.values_list("pk", flat=True)), status, change
            )
        except writes.Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        message = ngettext(
            "%(change)s (%(count)s article)", "%(change)s (%(count)s articles)", count
        ) % {"change": change, "count": count}
        self.message_user(request, message, messages.SUCCESS)

    # "status change" tells these apart from the status labels (Article.Status), which
    # say the same in English but not in Japanese: 公開中 is a state, 公開しました an act.

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        change = pgettext("status change", "Published")
        self._set_status(request, queryset, Article.Status.PUBLISHED, change)

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        change = pgettext("status change", "Unpublished")
        self._set_status(request, queryset, Article.Status.DRAFT, change)

    @admin.action(description=_("Archive selected articles"), permissions=["publish"])
    def archive(self, request, queryset):
        change = pgettext("status change", "Archived")
        self._set_status(request, queryset, Article.Status.ARCHIVED, change)

    # Translation status columns.

    @staticmethod
    def _translation(article, code):
        status = translation_status.overall_status(article.translation_state, code)
        counts = (article.translation_state or {}).get(code, {})
        label = translation_status.STATUS_LABELS[status]
        count = counts.get(status, 0)
        if count:
            label = pgettext("translation status with a count", "%(status)s (%(count)s)") % {
                "status": label,
                "count": count,
            }
        return format_html('<span class="kb-status kb-status--{}">{}</span>', status, label)

    @admin.display(description=_("translation"))
    def translation(self, article):
        return format_html_join(
            "",
            '<span class="kb-translation"><abbr class="kb-language" title="{}">{}</abbr> {}</span>',
            (
                (name, code.upper(), self._translation(article, code))
                for code, name in settings.LANGUAGES
            ),
        )

    @admin.display(description=_("last updated"), ordering="updated_at")
    def updated(self, article):
        return date_format(localtime(article.updated_at), "SHORT_DATE_FORMAT")

    def get_urls(self):
        xliff_import = path(
            "import-xliff/",
            self.admin_site.admin_view(lambda request: xliff_admin.import_view(self, request)),
            name="articles_article_import_xliff",
        )
        return [xliff_import, *preview_urls(self), *super().get_urls()]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("category")
        # Votes per language as columns (one query for the whole list), sortable by "yes".
        for code in LANGUAGE_CODES:
            rows = Feedback.objects.filter(article=OuterRef("pk"), language=code)
            for vote in ("helpful", "not_helpful"):
                queryset = queryset.annotate(
                    **{
                        _vote_count(vote, code): Coalesce(
                            Subquery(rows.values(vote)[:1], output_field=IntegerField()),
                            Value(0),
                        )
                    }
                )
        # The column sorts by "yes" votes in every language together.
        total = sum((F(_vote_count("helpful", code)) for code in LANGUAGE_CODES), Value(0))
        return queryset.annotate(helpful_votes=total)

    @staticmethod
    def _votes(article, code):
        yes = getattr(article, _vote_count("helpful", code), 0)
        no = getattr(article, _vote_count("not_helpful", code), 0)
        return format_html('<span title="{} / {}">👍 {} · 👎 {}</span>', yes, no, yes, no)

    @admin.display(description=_("helpful"), ordering="-helpful_votes")
    def votes(self, article):
        return format_html_join(
            "",
            '<span class="kb-translation"><abbr class="kb-language" title="{}">{}</abbr> {}</span>',
            ((name, code.upper(), self._votes(article, code)) for code, name in settings.LANGUAGES),
        )

    def warn_about_broken_references(self, request, plan):
        """Tell the editor which [[KB n]] links readers will see as plain text."""
        values = [plan.article, *(row.values for row in plan.rows)]
        texts = (value for row in values for value in row.values() if isinstance(value, str))
        cited = markdown.referenced_numbers(*texts)
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
