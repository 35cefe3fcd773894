"""Synonym groups, and what readers searched for and opened: raw events and daily totals.

Nothing here identifies a reader: no address, no cookie, no user agent, no time finer
than the event's own; a query is stored normalised and masked (``recording.py``).
Raw events are removed after ``KB_SEARCH_LOG_DAYS`` (``manage.py purge_search_log``);
the daily totals (``DailyQuery``), which the report reads, are kept.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TERMS = 20
MAX_TERM_LENGTH = 60
QUERY_LENGTH = 200
# Commas (ASCII, full-width, ideographic) or line breaks separate the terms of a group.
_SEPARATORS = re.compile(r"[,，、\n\r]+")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def split_terms(text):
    """Return the terms of a group as typed: separated by commas or lines, blanks dropped."""
    terms = (term.strip() for term in _SEPARATORS.split(_CONTROLS.sub("", text or "")))
    return list(dict.fromkeys(term for term in terms if term))


class SynonymGroup(models.Model):
    """Words that mean the same to readers of one language, matched by search as one."""

    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    terms = models.TextField(
        _("terms"),
        max_length=2000,
        help_text=_(
            "Words or phrases that mean the same to readers, separated by commas, e.g. "
            "“reboot, restart, power-cycle”. A search for any of them finds articles that use "
            "any other, from the next search on."
        ),
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        ordering = ("language", "terms")
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        indexes = [models.Index(fields=["language"], name="insights_synonyms_language")]

    def __str__(self):
        return "、".join(self.term_list()) if self.language == "ja" else ", ".join(self.term_list())

    def term_list(self):
        return split_terms(self.terms)

    def clean(self):
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError({"terms": _("A group needs at least two different terms.")})
        if len(terms) > MAX_TERMS:
            raise ValidationError(
                {"terms": _("A group has at most %(count)d terms.") % {"count": MAX_TERMS}}
            )
        long = [term for term in terms if len(term) > MAX_TERM_LENGTH]
        if long:
            raise ValidationError(
                {
                    "terms": _("A term has at most %(count)d characters: %(term)s")
                    % {"count": MAX_TERM_LENGTH, "term": long[0][:80]}
                }
            )
        self.terms = ", ".join(terms)


class SearchEvent(models.Model):
    """One search a reader made: its language, normalised query and number of results."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    query = models.CharField(_("query"), max_length=QUERY_LENGTH)
    results = models.PositiveIntegerField(_("results"))

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self):
        return f"[{self.language}] {self.query}"


class ClickEvent(models.Model):
    """One result a reader opened from a search: which article, at which position."""

    created_at = models.DateTimeField(_("time"), db_index=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    query = models.CharField(_("query"), max_length=QUERY_LENGTH)
    article_number = models.PositiveIntegerField(_("article number"))
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("opened result")
        verbose_name_plural = _("opened results")

    def __str__(self):
        return f"[{self.language}] {self.query} → KB {self.article_number}"


class DailyQuery(models.Model):
    """One query's totals for one day and language: what the report reads."""

    day = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    query = models.CharField(_("query"), max_length=QUERY_LENGTH)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    empty_searches = models.PositiveIntegerField(_("searches without results"), default=0)
    results = models.PositiveIntegerField(_("results (latest)"), default=0)
    clicks = models.PositiveIntegerField(_("opened results"), default=0)
    position_total = models.PositiveBigIntegerField(_("sum of opened positions"), default=0)

    class Meta:
        verbose_name = _("daily search totals")
        verbose_name_plural = _("daily search totals")
        constraints = [
            # recording.py's upserts count on it (ON CONFLICT (day, language, query)).
            models.UniqueConstraint(
                fields=["day", "language", "query"], name="insights_one_row_per_query_day"
            ),
        ]
        indexes = [models.Index(fields=["language", "day"], name="insights_daily_language")]

    def __str__(self):
        return f"{self.day} [{self.language}] {self.query}"


class SearchReport(DailyQuery):
    """The admin's "What readers look for" page (``insights/admin.py``): no rows of its own."""

    class Meta:
        proxy = True
        verbose_name = _("what readers look for")
        verbose_name_plural = _("what readers look for")
