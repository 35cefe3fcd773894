"""The admin's doors to XLIFF: a list action that exports the selected articles, and an
upload page that imports translated files. admin.py only hooks them in (three lines)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..fields import LANGUAGE_NAMES
from . import DEFAULT_SCOPES, ImportRefused, Problem, apply, export, read
from .import_ import MAX_FILE_BYTES

SCOPE_CHOICES = (
    ("missing", _("Missing translations")),
    ("outdated", _("Out-of-date translations")),
    ("all", _("Every text (to review the whole translation)")),
)
MAX_FILES = 50


class ExportForm(forms.Form):
    language = forms.ChoiceField(label=_("Translate into"), choices=settings.LANGUAGES)
    only = forms.MultipleChoiceField(
        label=_("Texts"),
        choices=SCOPE_CHOICES,
        initial=DEFAULT_SCOPES,
        widget=forms.CheckboxSelectMultiple,
    )


class _MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(_MultipleFileField, self).clean(item, initial) for item in files]


class ImportForm(forms.Form):
    files = _MultipleFileField(
        label=_("XLIFF files"),
        widget=_MultipleFiles(attrs={"accept": ".xlf,.xliff,.xml"}),
        help_text=_(
            "Files exported here and translated in a CAT tool. Everything is checked first: "
            "if any unit has a problem, nothing is imported."
        ),
    )


@admin.action(description=_("Export for translation (XLIFF)…"), permissions=["change"])
def export_for_translation(modeladmin, request, queryset):
    """Ask for the language and the texts, then send one XLIFF file for the selection."""
    form = ExportForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        language = form.cleaned_data["language"]
        data, result = export(
            queryset,
            language,
            form.cleaned_data["only"],
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
        if not result.units:
            modeladmin.message_user(
                request,
                gettext("Nothing to translate into %(language)s in the selected articles.")
                % {"language": LANGUAGE_NAMES[language]},
                messages.WARNING,
            )
            return None
        response = HttpResponse(data, content_type="application/x-xliff+xml; charset=utf-8")
        name = f"kb-{language}-{timezone.now():%Y%m%d-%H%M}.xlf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if form.is_bound:
        form = ExportForm(request.POST)
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Export for translation"),
        "form": form,
        "articles": queryset.order_by("number"),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "action": request.POST.get("action", "export_for_translation"),
    }
    return TemplateResponse(request, "admin/articles/article/xliff_export.html", context)


def import_view(model_admin, request):
    """Upload translated XLIFF files; nothing is written unless every unit passes."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    problems = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["files"]
        files = []
        if len(uploads) > MAX_FILES:
            problems.append(
                Problem("", "", gettext("At most %(count)s files at once.") % {"count": MAX_FILES})
            )
        for upload in uploads[:MAX_FILES]:
            if upload.size > MAX_FILE_BYTES:
                problems.append(Problem(upload.name, "", gettext("the file is larger than 20 MB")))
                continue
            files.append((upload.name, upload.read()))
        if not problems:
            try:
                plans = read(files, request.user)
            except ImportRefused as refusal:
                problems = refusal.problems
            else:
                result = apply(plans, request.user)
                _report(model_admin, request, result)
                return redirect("admin:articles_article_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import translations (XLIFF)"),
        "form": form,
        "problems": problems,
    }
    return TemplateResponse(request, "admin/articles/article/xliff_import.html", context)


def _report(model_admin, request, result):
    model_admin.message_user(
        request,
        ngettext(
            "Translations imported: %(fields)s texts in %(count)s article.",
            "Translations imported: %(fields)s texts in %(count)s articles.",
            result.articles,
        )
        % {"fields": result.fields, "count": result.articles},
        messages.SUCCESS,
    )
    if result.untranslated:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)s unit was not translated yet and was left as it is.",
                "%(count)s units were not translated yet and were left as they are.",
                result.untranslated,
            )
            % {"count": result.untranslated},
            messages.INFO,
        )
    if result.incomplete:
        model_admin.message_user(
            request,
            gettext("Translated only in part, so left as they are: %(units)s")
            % {"units": ", ".join(result.incomplete)},
            messages.WARNING,
        )
    if result.refused:
        model_admin.message_user(
            request,
            gettext("Changed by someone else while importing, so not imported: %(articles)s")
            % {"articles": ", ".join(f"KB {n}" for n in result.refused)},
            messages.ERROR,
        )
