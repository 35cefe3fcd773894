"""sitemap.xml: every published article and category, in both languages, with alternates."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Category, published_rule


class _Bilingual(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class ArticleSitemap(_Bilingual):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published().order_by("number")

    def lastmod(self, article):
        return article.updated_at


class CategorySitemap(_Bilingual):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return (
            Category.objects.filter(published_rule("articles__"))
            .distinct()
            .order_by("order", "slug")
        )


class HomeSitemap(_Bilingual):
    priority = 0.8

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"home": HomeSitemap, "categories": CategorySitemap, "articles": ArticleSitemap}
