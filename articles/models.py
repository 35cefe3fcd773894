"""The content model: categories, platforms, articles, their variants and steps.

Every text a reader reads is translated (see translation.py); modeltranslation adds the
per-language columns after these classes are defined, so nothing here names them: they are
reached through ``fields.py``.

Longer than 400 lines because the five models and their query sets are one schema; each
class is short, and a reader wants them side by side.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxLengthValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import fields, translation_status
from .markdown import validate_renderable
from .uploads import FIGURE_EXTENSIONS, validate_figure

LANGUAGE_CHOICES = settings.LANGUAGES


class _TranslatedFields:
    """``Model.TRACKED_TEXTS``: the model's translated fields, asked of fields.py."""

    def __get__(self, obj, owner):
        return fields.translated_fields(owner)


class TranslationTracked(models.Model):
    """A model whose translated texts remember what source text they were translated from.

    ``translated_from`` maps a target language to ``{field: {"hash": ..., "text": ...}}``:
    the source-language text as it was when that translation was last written or checked.
    translation_status.py keeps it up to date on save and compares it with the current
    source text, so "out of date" is decided by content, never by timestamps.
    """

    # The translated fields tracked (see translation_status.py): those registered in
    # translation.py, read from modeltranslation's registry.
    TRACKED_TEXTS = _TranslatedFields()

    translated_from = models.JSONField(
        _("translated from"), default=dict, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, made_from=None, **kwargs):
        """Save; ``made_from`` maps (language, field) to the source text a translation
        written now was made from, when it is not the current one (an XLIFF file exported
        before the source changed): that translation stays out of date."""
        translation_status.record_sources(self, made_from)
        super().save(*args, **kwargs)
        # A second save of the same object compares with what this one wrote.
        self._loaded_values = {
            field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields
        }

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row said when loaded: the tracker tells an edited translation from an
        # untouched one without another query.
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def source_language_code(self):
        """Return the language the translations of this row are made from."""
        raise NotImplementedError


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=1_000,
        validators=[MaxLengthValidator(1_000)],
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "slug")
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


class Platform(models.Model):
    class Family(models.TextChoices):
        OS = "os", _("Operating system")
        BROWSER = "browser", _("Browser")
        APP = "app", _("Application")

    slug = models.SlugField(
        _("slug"),
        max_length=40,
        unique=True,
        help_text=_("Used in links that open this tab, e.g. ?platform=safari."),
    )
    family = models.CharField(
        _("family"),
        max_length=10,
        choices=Family.choices,
        help_text=_("A reader's tab choice is remembered per family."),
    )
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "slug")
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints = [
            models.CheckConstraint(
                condition=Q(family__in=["os", "browser", "app"]),
                name="platform_family_valid",
            ),
        ]

    def __str__(self):
        return self.name


def published_rule(path=""):
    """The condition "readers may see this article", for a query reaching articles through
    ``path`` ("articles__" from a category). ``Article.objects.published()`` applies it."""
    return Q(**{f"{path}status": Article.Status.PUBLISHED})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Return the articles readers may see: the one definition of "public"."""
        return self.filter(published_rule())

    def for_listing(self):
        return self.select_related("category").order_by("-updated_at", "number")

    def for_detail(self):
        """Return articles with everything the article page shows, in a fixed number of queries."""
        steps = Step.objects.order_by("order", "pk")
        variants = (
            Variant.objects.select_related("platform")
            .prefetch_related(Prefetch("steps", queryset=steps, to_attr="ordered_steps"))
            .order_by("order", "pk")
        )
        # Linked articles show a title and a link only: their texts are not loaded.
        linked = (
            Article.objects.published()
            .order_by("number")
            .only("number", "slug", *fields.columns("title"))
        )
        return self.select_related("category").prefetch_related(
            Prefetch("variants", queryset=variants, to_attr="ordered_variants"),
            Prefetch("prerequisites", queryset=linked, to_attr="published_prerequisites"),
            Prefetch("related", queryset=linked, to_attr="published_related"),
        )


class Article(TranslationTracked):
    class Status(models.TextChoices):
        # "article status": a state (公開中), not the admin action's report (公開しました).
        DRAFT = "draft", pgettext_lazy("article status", "Draft")
        PUBLISHED = "published", pgettext_lazy("article status", "Published")
        ARCHIVED = "archived", pgettext_lazy("article status", "Archived")

    # Translated and tracked like the others, but no reader reads them: a missing
    # translation of these never makes the page fall back to the other language.
    NOT_SHOWN = frozenset({"keywords"})

    number = models.PositiveIntegerField(
        _("number"),
        unique=True,
        help_text=_("The article's public identity, shown as “KB 1042” and used in its URL."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_("Readable part of the URL. Old links with another slug still work."),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("category"),
        help_text=_("Where readers find the article on the site."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Only published articles are seen by readers."),
    )
    source_language = models.CharField(
        _("written in"),
        max_length=5,
        choices=LANGUAGE_CHOICES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language you write the article in. The other language is its translation, "
            "flagged “out of date” whenever this text changes."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=500,
        validators=[MaxLengthValidator(500)],
        help_text=_("One or two plain sentences; also shown to search engines."),
    )
    # Read by search only (ranked between title and summary), never shown on a page.
    keywords = models.CharField(
        _("search keywords"),
        blank=True,
        max_length=300,
        help_text=_(
            "Words readers search for that the article does not use, separated by commas. "
            "Only search reads them; they are never shown on the page."
        ),
    )
    # Markdown texts: limits in docs/editing.md ("Markdown: bounded rendering time").
    body = models.TextField(
        _("introduction"),
        blank=True,
        max_length=10_000,
        validators=[MaxLengthValidator(10_000), validate_renderable],
        help_text=_(
            "Markdown. The opening text above the steps: what the article helps with and when."
        ),
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        max_length=5_000,
        validators=[MaxLengthValidator(5_000), validate_renderable],
        help_text=_("Markdown, shown as a callout box after the steps."),
    )
    troubleshooting = models.TextField(
        _("troubleshooting"),
        blank=True,
        max_length=10_000,
        validators=[MaxLengthValidator(10_000), validate_renderable],
        help_text=_("Markdown, shown at the end: what to do when the steps do not work."),
    )
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        verbose_name=_("prerequisites"),
        help_text=_("Articles the reader should follow first: listed above the steps."),
    )
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="related_from",
        verbose_name=_("related articles"),
        help_text=_(
            "Listed at the end of the article; left empty, similar articles are suggested."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    # Raised by one on every save (signals.py), whoever saves: the admin refuses a form
    # loaded at an older version instead of silently overwriting someone else's edit.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Per language: {"missing": n, "outdated": n} fields, kept by translation_status.py
    # after every change so the admin list can filter on it.
    translation_state = models.JSONField(
        _("translation state"), default=dict, blank=True, editable=False
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("number",)
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish, unpublish and archive articles")),
            ("edit_source", _("Can edit an article's source text and structure")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__gt=0), name="article_number_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="article_status_valid",
            ),
        ]

    def __str__(self):
        return f"KB {self.number}: {self.title}"

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"number": self.number, "slug": self.slug})

    def source_language_code(self):
        return self.source_language

    def is_outdated_in(self, language):
        """Return whether some of the ``language`` text lags behind its source text."""
        return bool((self.translation_state or {}).get(language, {}).get("outdated"))

    def translated_texts(self, language):
        """Yield every reader-facing text of the article in ``language`` (uses prefetches).

        Expects the article to come from ``for_detail()``.
        """
        for field in self.TRACKED_TEXTS:
            if field not in self.NOT_SHOWN:
                yield fields.text(self, field, language)
        for variant in self.ordered_variants:
            yield variant.intro_translation(language)
            for step in variant.ordered_steps:
                yield from step.texts(language)

    def is_complete_in(self, language):
        """Return whether every text written in any language also exists in ``language``.

        A field left empty in every language does not count against completeness.
        """
        others = [code for code in fields.LANGUAGE_CODES if code != language]
        texts = list(self.translated_texts(language))
        for other in others:
            for own, theirs in zip(texts, self.translated_texts(other), strict=True):
                if (theirs or "").strip() and not (own or "").strip():
                    return False
        return bool((fields.text(self, "title", language) or "").strip())

    @property
    def is_published(self):
        """Whether readers may see this article: ``published_rule()`` for one loaded row."""
        return self.status == Article.Status.PUBLISHED

    def display_language(self, requested):
        """Return the language the whole article is shown in for a reader asking for ``requested``.

        Never a mix: if the requested translation is incomplete, the whole article is
        shown in a language in which it is complete.
        """
        if self.is_complete_in(requested):
            return requested
        for code, _name in settings.LANGUAGES:
            if code != requested and self.is_complete_in(code):
                return code
        return requested


class Feedback(models.Model):
    """ "Was this article helpful?" totals for one article in one language.

    Counters are only ever changed with ``F()`` updates so concurrent votes are never lost.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    helpful = models.PositiveIntegerField(_("helpful"), default=0)
    not_helpful = models.PositiveIntegerField(_("not helpful"), default=0)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=("article", "language"), name="feedback_one_row_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.article_id} [{self.language}]"


class FeedbackComment(models.Model):
    """The optional short reason a reader gave with a vote."""

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="feedback_comments",
        verbose_name=_("article"),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    helpful = models.BooleanField(_("helpful"))
    text = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("feedback comment")
        verbose_name_plural = _("feedback comments")

    def __str__(self):
        return self.text[:60]


class Variant(TranslationTracked):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="variants", verbose_name=_("article")
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variants",
        verbose_name=_("platform"),
        help_text=_(
            "Empty: steps shared by every platform (shown above the tabs when placed first, "
            "at the end of every tab when placed last), or the steps of an article without tabs."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=5_000,
        validators=[MaxLengthValidator(5_000), validate_renderable],
        help_text=_("Markdown, shown above this variant's steps."),
    )

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(
                fields=("article", "platform"),
                condition=Q(platform__isnull=False),
                name="variant_one_per_platform",
            ),
        ]

    def __str__(self):
        return gettext("Variant %(position)s") % {"position": self.order + 1}

    def intro_translation(self, language):
        return fields.text(self, "intro", language)

    def source_language_code(self):
        return self.article.source_language


class Step(TranslationTracked):
    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="steps", verbose_name=_("variant")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    body = models.TextField(
        _("text"),
        max_length=5_000,
        validators=[MaxLengthValidator(5_000), validate_renderable],
        help_text=_("Markdown: one action per step."),
    )
    figure = models.ImageField(
        _("figure"),
        upload_to="figures/",
        blank=True,
        validators=[FileExtensionValidator(FIGURE_EXTENSIONS), validate_figure],
        help_text=_(
            "Optional screenshot: paste it, drop an image here, or choose a file. A step "
            "without a Japanese figure shows the English one."
        ),
    )
    figure_caption = models.CharField(_("figure caption"), max_length=300, blank=True)
    figure_alt = models.CharField(
        _("figure alt text"),
        max_length=300,
        blank=True,
        help_text=_("Describes the figure for readers who cannot see it."),
    )

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self):
        return gettext("Step %(position)s") % {"position": self.order + 1}

    def source_language_code(self):
        return self.variant.article.source_language

    def texts(self, language):
        yield fields.text(self, "body", language)
        # The figure itself may fall back; its words may not.
        if any(fields.texts(self, "figure").values()):
            yield fields.text(self, "figure_caption", language)
            yield fields.text(self, "figure_alt", language)
