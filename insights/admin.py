"""Synonym groups, and the "What readers look for" report, in the admin.

Who: staff with article access (``articles.view_article``) see both; those who write
source text (``articles.edit_source``: Editors and Publishers) change synonym groups. The
report is the change list of a proxy model (``SearchReport``), so it sits in the admin's
index and breadcrumbs like any other page; it has no rows to add, change or delete.
"""

import io

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from articles.fields import LANGUAGE_CODES, column

from . import recording, report
from .models import SearchReport, SynonymGroup, split_terms

VIEW = "articles.view_article"
CHANGE = "articles.edit_source"


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "language", "updated_at")
    list_filter = ("language",)
    search_fields = ("terms",)
    fields = ("language", "terms")

    def has_module_permission(self, request):
        return request.user.has_perm(VIEW)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW)

    def has_add_permission(self, request):
        return request.user.has_perm(CHANGE)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE)


def _choice(value, allowed, default):
    return value if value in allowed else default


@admin.register(SearchReport)
class SearchReportAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.has_perm(VIEW)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        default_language = _choice(request.LANGUAGE_CODE, LANGUAGE_CODES, LANGUAGE_CODES[0])
        language = _choice(request.GET.get("language"), LANGUAGE_CODES, default_language)
        days = _choice(request.GET.get("days"), {str(d) for d in report.PERIODS}, "30")
        if request.method == "POST":
            return self._add_to_group(request, language, days)
        built = report.build(language, int(days))
        table = request.GET.get("export")
        if table in report.TABLES:
            return self._csv(built, table)
        groups = SynonymGroup.objects.filter(language=language)
        context = {
            **self.admin_site.each_context(request),
            **(extra_context or {}),
            "title": _("What readers look for"),
            "opts": self.model._meta,
            "report": built,
            "languages": [(code, code.upper()) for code in LANGUAGE_CODES],
            "periods": report.PERIODS,
            "days": int(days),
            "groups": groups,
            "can_change_synonyms": request.user.has_perm(CHANGE),
            "can_add_article": request.user.has_perm("articles.add_article"),
            "title_column": column("title", language),
            "export_links": {
                name: "?" + urlencode({"language": language, "days": days, "export": name})
                for name in report.TABLES
            },
        }
        return TemplateResponse(request, "admin/insights/report.html", context)

    def _csv(self, built, table):
        stream = io.StringIO()
        report.write_csv(built, table, stream)
        response = HttpResponse(
            "\ufeff" + stream.getvalue(), content_type="text/csv; charset=utf-8"
        )
        name = f"search-{table}-{built.language}-{built.days}d.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _add_to_group(self, request, language, days):
        """Add a query readers typed to a synonym group of its language."""
        back = HttpResponseRedirect(
            reverse("admin:insights_searchreport_changelist")
            + "?"
            + urlencode({"language": language, "days": days})
        )
        if not request.user.has_perm(CHANGE):
            messages.error(request, _("You may not change synonym groups."))
            return back
        query = recording.normalise(request.POST.get("query", ""))
        group_id = request.POST.get("group", "")
        group = None
        if group_id.isascii() and group_id.isdigit() and len(group_id) < 19:
            group = SynonymGroup.objects.filter(pk=int(group_id), language=language).first()
        if not query or group is None:
            messages.error(request, _("Choose a synonym group of this language."))
            return back
        if query in split_terms(group.terms):
            messages.info(request, _("“%(query)s” is already in that group.") % {"query": query})
            return back
        group.terms = ", ".join([*split_terms(group.terms), query])
        try:
            group.full_clean()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return back
        group.save()
        messages.success(
            request,
            _("“%(query)s” added to the synonym group “%(group)s”. The next search uses it.")
            % {"query": query, "group": str(group)},
        )
        return back
