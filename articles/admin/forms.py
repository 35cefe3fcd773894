"""The article change form and the fields it is built from."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.forms import Textarea
from django.forms.utils import ErrorDict
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import translation_status
from ..fields import LANGUAGE_NAMES, column, columns
from ..models import Article


class SideBySideMedia:
    """Our admin stylesheet: the languages of a field share one row, half each."""

    css = {"all": ("admin/kb-admin.css",)}


def side_by_side(*fields):
    """Return field rows with each translated field's languages on one row."""
    return tuple(columns(field) for field in fields)


class TextWithLineBreaks(forms.CharField):
    """A text whose line breaks are "\n", whatever the browser sends.

    Browsers submit a textarea's line breaks as CRLF: unnormalised, every save would
    "change" every multi-line text (in the history and its diffs) without anyone typing.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


TEXT = {models.TextField: {"form_class": TextWithLineBreaks}}
# Steps are short: three lines each keeps a whole variant on one screen.
COMPACT_TEXT = {
    models.TextField: {"form_class": TextWithLineBreaks, "widget": Textarea(attrs={"rows": 3})}
}


FIRST_NUMBER = 1001


def next_free_number():
    """Return the number a new article starts with: one more than the highest there is."""
    highest = Article.objects.aggregate(highest=Max("number"))["highest"]
    return FIRST_NUMBER if highest is None else highest + 1


def publicness_messages():
    """Return, per status, what saving means for readers (the line by the Save buttons)."""
    messages = {}
    for status in Article.Status:
        if Article(status=status).is_published:
            message = gettext(
                "Public: once you save, readers see this article as it is on this page."
            )
        elif status == Article.Status.DRAFT:
            message = gettext(
                "Not public: saving keeps this article a draft, which readers cannot see."
            )
        else:
            message = gettext("Not public: an archived article is hidden from readers.")
        messages[status.value] = message
    return messages


def publicness(form, obj):
    """Return the line by the Save buttons (whether saving makes the article public) for
    the status shown, and the line for every status (the page's script follows the field)."""
    if "status" in form.fields:
        status = form["status"].value()
    else:
        status = obj.status if obj is not None else Article.Status.DRAFT
    by_status = publicness_messages()
    return {
        "current": by_status.get(status, by_status[Article.Status.DRAFT]),
        "by_status": by_status,
    }


def edits_source(request):
    """Return whether the user may change source text and structure (not only translate)."""
    return request.user.has_perm("articles.edit_source")


def source_fields(fields, parent):
    """Return the source-language columns of ``fields`` (what a translator may not change).

    ``parent`` is the article, or for steps (nested inlines) their variant.
    """
    language = parent.source_language_code() if parent else settings.LANGUAGE_CODE
    return tuple(column(field, language) for field in fields)


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice among rows loaded once (``rows()``: ``{pk: row}``), without a query per
    form: a variant's platform, which would otherwise cost a query per variant."""

    def __init__(self, rows, queryset=None, **kwargs):
        # The queryset still lists the choices when the field is shown.
        super().__init__(queryset=queryset, **kwargs)
        self.rows = rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.rows()[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class RowIdField(forms.Field):
    """The hidden id of a variant or step row: one of the article's rows (``rows()``), or
    the id as posted when it is not, for the write path to refuse with its reason
    (Django's inline formsets would take the id of any row of the table)."""

    widget = forms.HiddenInput

    def __init__(self, rows, **kwargs):
        super().__init__(**kwargs)
        self.rows = rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                gettext("A row of this form does not belong to this article."), code="invalid"
            ) from None
        return self.rows().get(pk, pk)


class ArticleAdminForm(forms.ModelForm):
    """The article form, plus the version it was loaded at and the translations checked."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Which language's fields were editable, or read-only for a translator, when the form
    # was loaded: the page posted is only understood with the same layout.
    loaded_language = forms.CharField(widget=forms.HiddenInput, required=False)
    mark_translated = forms.MultipleChoiceField(
        label=_("Checked translations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Select a translation once it says what the changed source text says; it is then "
            "no longer flagged. Editing the translation itself also clears the flag."
        ),
    )

    # The model and fields come from ArticleAdmin (modelform_factory).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The version shown: for a stored version (a restore), the version stored now,
            # which the restore replaces.
            self.fields["loaded_version"].initial = self.initial.get(
                "loaded_version", self.instance.version
            )
            self.fields["loaded_language"].initial = self.instance.source_language
            # Loaded only when the page shows the list or a box was ticked: a save that
            # checks nothing does not read the whole article again for it.
            self.fields["mark_translated"].choices = self._outdated_choices

    def full_clean(self):
        super().full_clean()
        loaded = self.data.get(self.add_prefix("loaded_language")) if self.is_bound else None
        # As stored: an editor's form may be changing it now, which is fine.
        stored = self.initial.get("source_language", self.instance.source_language)
        if self.instance.pk and loaded and loaded != stored:
            # The fields' errors would speak of a layout this editor never saw: only this.
            self._errors = ErrorDict()
            self.add_error(
                None,
                ValidationError(
                    gettext(
                        "Someone else changed the language this article is written in while "
                        "you were editing. Nothing was saved: reload the page to see which "
                        "texts are now the source and which the translation."
                    ),
                    code="language_changed",
                ),
            )

    def _outdated_choices(self):
        outdated = translation_status.outdated_texts(
            Article.objects.for_detail().get(pk=self.instance.pk)
        )
        return [
            (
                item.key,
                format_html(
                    '<span class="kb-review__where">{} · {} ({})</span> '
                    '<span class="kb-review__changed">{}</span> {}',
                    item.place,
                    item.field_label,
                    LANGUAGE_NAMES[item.language],
                    gettext("Source figure replaced:")
                    if item.field == "figure"
                    else gettext("Source text changed:"),
                    item.diff_html,
                ),
            )
            for item in outdated
        ]


class LinksField(forms.ModelMultipleChoiceField):
    """Links to other articles; a link to an article deleted since the form was loaded is
    dropped (deleting it removed the link here already), so the rest of the form saves."""

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            if error.code != "invalid_choice" or not isinstance(value, list | tuple):
                raise
        existing = {
            str(pk)
            for pk in self.queryset.filter(
                pk__in=[v for v in value if str(v).isdigit()]
            ).values_list("pk", flat=True)
        }
        return super().clean([v for v in value if str(v) in existing])
