"""The "What readers look for" report: its tables, from the daily totals alone.

One aggregate over the period's ``DailyQuery`` rows gives every query's searches, searches
without results, opened results and their positions; the three query tables are cut from
it in Python. Raw events are never read, so the report costs the same with a million
searches recorded as with a hundred (``make bench``). Unhelpful votes come from the vote
totals (``articles.Feedback``) and the reasons given in the period.
"""

import csv
import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from articles.models import Feedback, FeedbackComment

from .models import DailyQuery

PERIODS = (7, 30, 90)
ROWS = 50
REASONS_PER_ARTICLE = 5


@dataclass
class QueryRow:
    query: str
    searches: int
    empty: int
    clicks: int
    position_total: int

    @property
    def found(self):
        return self.searches - self.empty

    @property
    def click_through(self):
        """Opened results per search, as a percentage (a reader may open several)."""
        return round(100 * self.clicks / self.searches) if self.searches else 0

    @property
    def average_position(self):
        return round(self.position_total / self.clicks, 1) if self.clicks else None


@dataclass
class Report:
    language: str
    days: int
    since: datetime.date
    searches: int
    top: list
    no_results: list
    no_click: list
    unhelpful: list


def _rows(language, since):
    totals = (
        DailyQuery.objects.filter(language=language, day__gte=since)
        .values("query")
        .annotate(
            s=Sum("searches"), e=Sum("empty_searches"), c=Sum("clicks"), p=Sum("position_total")
        )
        .values_list("query", "s", "e", "c", "p")
    )
    return [QueryRow(query, s, e, c, p) for query, s, e, c, p in totals if s]


def _unhelpful(language, since, limit):
    votes = list(
        Feedback.objects.filter(language=language, not_helpful__gt=0)
        .select_related("article")
        .order_by("-not_helpful", "article__number")[:limit]
    )
    reasons = {}
    for comment in FeedbackComment.objects.filter(
        language=language,
        helpful=False,
        created_at__date__gte=since,
        article__in=[vote.article_id for vote in votes],
    ).order_by("-created_at"):
        found = reasons.setdefault(comment.article_id, [])
        if len(found) < REASONS_PER_ARTICLE:
            found.append(comment.text)
    return [
        {
            "article": vote.article,
            "helpful": vote.helpful,
            "not_helpful": vote.not_helpful,
            "reasons": reasons.get(vote.article_id, []),
        }
        for vote in votes
    ]


def build(language, days, limit=ROWS):
    """Return the report of ``language`` over the last ``days`` days (today included)."""
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    rows = _rows(language, since)
    top = sorted(rows, key=lambda r: (-r.searches, r.query))[:limit]
    no_results = sorted((r for r in rows if r.empty), key=lambda r: (-r.empty, r.query))[:limit]
    no_click = sorted(
        (r for r in rows if r.found and not r.clicks), key=lambda r: (-r.found, r.query)
    )[:limit]
    return Report(
        language,
        days,
        since,
        sum(r.searches for r in rows),
        top,
        no_results,
        no_click,
        _unhelpful(language, since, limit),
    )


TABLES = ("top", "no_results", "no_click", "unhelpful")


def write_csv(report, table, stream):
    """Write one table of ``report`` as CSV (UTF-8; spreadsheet formulas defused)."""
    writer = csv.writer(stream)
    if table == "unhelpful":
        writer.writerow(["article", "title", "helpful", "not_helpful", "reasons"])
        for row in report.unhelpful:
            article = row["article"]
            writer.writerow(
                [
                    f"KB {article.number}",
                    _cell(article.title),
                    row["helpful"],
                    row["not_helpful"],
                    _cell(" | ".join(row["reasons"])),
                ]
            )
        return
    writer.writerow(
        ["query", "searches", "without_results", "opened", "ctr_percent", "average_position"]
    )
    for row in getattr(report, table):
        writer.writerow(
            [
                _cell(row.query),
                row.searches,
                row.empty,
                row.clicks,
                row.click_through,
                row.average_position if row.average_position is not None else "",
            ]
        )


def _cell(text):
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    text = text or ""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
