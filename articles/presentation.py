"""Turn an article and its variants into what the article page shows.

The layout rules live here, once:

- Variants without a platform placed before the first platform variant are shared steps
  shown above the tabs; those placed after it are shared closing steps shown at the end of
  every tab. Numbering continues across both.
- An article with no platform variant has no tabs: its shared variants are one list.
- Figures are numbered like steps ("Figure 3."): those above the tabs first, then each
  tab's from there, so every tab reads Figure 1, 2… (or goes on from the shared ones)
  whichever tab the reader has open; a figure number never points into another tab.
- The whole article is rendered in one language (see ``Article.display_language``).
"""

from dataclasses import dataclass, field

from django.utils import translation
from modeltranslation.utils import resolution_order

from . import markdown, search
from .fields import column
from .models import Article


@dataclass
class StepView:
    number: int
    html: str
    figure_url: str = ""
    figure_number: int = 0
    caption: str = ""
    alt: str = ""


@dataclass
class SectionView:
    """A run of numbered steps with an optional introduction."""

    intro_html: str
    steps: list[StepView]

    @property
    def start(self):
        return self.steps[0].number if self.steps else 1


@dataclass
class TabView:
    slug: str
    name: str
    family: str
    sections: list[SectionView]

    @property
    def anchor(self):
        return f"steps-{self.slug}"


@dataclass
class ArticlePage:
    article: Article
    language: str
    requested_language: str
    title: str
    summary: str
    body_html: str
    notes_html: str
    troubleshooting_html: str
    before: list[SectionView]
    tabs: list[TabView]  # in the editors' order
    panels: list[TabView]  # the same, the selected one first (see build_article_page)
    selected_tab: str
    family: str
    prerequisites: list[tuple[str, str, int]] = field(default_factory=list)
    related: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def is_fallback(self):
        return self.language != self.requested_language


def first_written(obj, field, languages):
    """Return ``obj``'s ``field`` in the first of ``languages`` that has it.

    What modeltranslation's attribute does, without its per-access lookups: the article
    page reads three or four texts of every step, and this is its hottest loop.
    """
    value = None
    for code in languages:
        value = getattr(obj, column(field, code))
        if value:
            return value
    return value


class _Numbering:
    def __init__(self, language):
        self.figures = 0
        self.languages = resolution_order(language)

    def steps(self, variant, first_number, references):
        views = []
        languages = self.languages
        for offset, step in enumerate(variant.ordered_steps):
            view = StepView(
                number=first_number + offset,
                html=markdown.render(first_written(step, "body", languages), references),
            )
            figure = first_written(step, "figure", languages)
            if figure:
                self.figures += 1
                view.figure_url = figure.url
                view.figure_number = self.figures
                view.caption = first_written(step, "figure_caption", languages)
                view.alt = first_written(step, "figure_alt", languages)
            views.append(view)
        return views

    def section(self, variant, first_number, references):
        return SectionView(
            intro_html=markdown.render(first_written(variant, "intro", self.languages), references),
            steps=self.steps(variant, first_number, references),
        )


def reference_targets(article, language):
    """Return ``{number: (url, title)}`` for every ``[[KB n]]`` the article cites (one query).

    Links go to the canonical URL as it is now, so they survive slug changes; titles are in
    the article's display language so that the article stays in one language.
    """
    numbers = markdown.referenced_numbers(*article.translated_texts(language))
    if not numbers:
        return {}
    targets = {}
    for target in Article.objects.published().filter(number__in=numbers):
        with translation.override(language):
            title = target.title
        targets[target.number] = (target.get_absolute_url(), title)
    return targets


def build_article_page(article, requested_language, platform=None, similar=()):
    """Return the ``ArticlePage`` for ``article`` (from ``for_detail()``) in the reader's language.

    ``platform`` is the slug asked for in the URL; an unknown one falls back to the first tab.
    The asked-for panel comes first in the page (``panels``), the tabs keep their order.
    ``similar``: articles like this one (the view asks search), shown as related when the
    editors chose none. Building a page reads only what it is given.
    URLs are built in the reader's language so that links keep them on their side of the
    site; texts are built in the article's display language.
    """
    language = article.display_language(requested_language)
    references = reference_targets(article, language)
    prerequisites_urls = [a.get_absolute_url() for a in article.published_prerequisites]
    related_articles = article.published_related or list(similar)
    related_urls = [a.get_absolute_url() for a in related_articles]

    with translation.override(language):
        numbering = _Numbering(language)
        variants = article.ordered_variants
        first_tab = next((i for i, v in enumerate(variants) if v.platform_id), None)
        if first_tab is None:
            shared_before, platform_variants, shared_after = variants, [], []
        else:
            shared_before = variants[:first_tab]
            rest = variants[first_tab:]
            platform_variants = [v for v in rest if v.platform_id]
            shared_after = [v for v in rest if not v.platform_id]

        before, next_number = [], 1
        for variant in shared_before:
            section = numbering.section(variant, next_number, references)
            next_number += len(section.steps)
            before.append(section)

        # Panels in page order: the one a link asked for (?platform=edge) first, so that
        # without JavaScript, where every panel is shown, the page opens at its steps.
        # The tabs keep the editors' order.
        asked = next((i for i, v in enumerate(platform_variants) if v.platform.slug == platform), 0)
        order = sorted(range(len(platform_variants)), key=lambda index: index != asked)
        views, shared_figures = {}, numbering.figures
        for index in order:
            variant = platform_variants[index]
            # A reader sees one tab: its figures go on from the shared ones, as its steps do.
            numbering.figures = shared_figures
            section = numbering.section(variant, next_number, references)
            sections, number = [section], next_number + len(section.steps)
            for closing in shared_after:
                sections.append(numbering.section(closing, number, references))
                number += len(sections[-1].steps)
            views[index] = TabView(
                slug=variant.platform.slug,
                name=variant.platform.name,
                family=variant.platform.family,
                sections=sections,
            )
        tabs = [views[index] for index in range(len(platform_variants))]
        panels = [views[index] for index in order]
        selected = panels[0].slug if panels else ""
        return ArticlePage(
            article=article,
            language=language,
            requested_language=requested_language,
            title=article.title,
            summary=article.summary,
            body_html=markdown.render(article.body, references),
            notes_html=markdown.render(article.notes, references),
            troubleshooting_html=markdown.render(article.troubleshooting, references),
            before=before,
            tabs=tabs,
            panels=panels,
            selected_tab=selected,
            family=tabs[0].family if tabs else "",
            prerequisites=[
                (url, a.title, a.number)
                for url, a in zip(prerequisites_urls, article.published_prerequisites, strict=True)
            ],
            related=[
                (url, a.title, a.number)
                for url, a in zip(related_urls, related_articles, strict=True)
            ],
        )


def article_context(article, requested_language, platform=None):
    """Return what ``articles/detail.html`` shows of ``article`` for a reader asking for
    ``requested_language``: the one page builder of the article view, the admin's preview
    and (later) the API. The display language is decided once, here: related articles are
    suggested in it when the editors chose none, and the page is built in it."""
    similar = ()
    if article.pk and not article.published_related:
        similar = search.related_to(article, article.display_language(requested_language))
    page = build_article_page(article, requested_language, platform, similar)
    return {
        "page": page,
        "article": article,
        "translation_outdated": article.is_outdated_in(page.language),
    }
