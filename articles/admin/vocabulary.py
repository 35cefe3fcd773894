"""Categories, platforms, and what readers wrote with their votes."""

from django.conf import settings
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from ..fields import column
from ..models import Category, FeedbackComment, Platform
from .forms import TEXT, SideBySideMedia, side_by_side


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    formfield_overrides = TEXT
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": (column("name", settings.LANGUAGE_CODE),)}
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
