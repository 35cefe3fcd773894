"""Which fields readers read in both languages: modeltranslation registrations only."""

from modeltranslation.translator import TranslationOptions, register

from .models import Article, Category, Platform, Step, Variant


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(Platform)
class PlatformTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    # No required language: an article may be written in Japanese first.
    fields = ("title", "keywords", "summary", "body", "notes", "troubleshooting")
    required_languages = ()


@register(Variant)
class VariantTranslationOptions(TranslationOptions):
    fields = ("intro",)


@register(Step)
class StepTranslationOptions(TranslationOptions):
    fields = ("body", "figure", "figure_caption", "figure_alt")
