"""Translation with professional tools: articles out as XLIFF 1.2 and back in.

- inline.py: Markdown inside a unit as XLIFF inline codes, and the check of a
  translation's codes against its source;
- segments.py: a field's Markdown as units (paragraphs, list items, headings, table
  cells) and the skeleton around them;
- fields.py: which texts travel (modeltranslation's registry) and the unit ids;
- export.py / import_.py: the two directions; the import writes through writes.save_article;
- admin_views.py: the admin's list action (export) and upload page (import).

The format is described in docs/translation-files.md.
"""

from .export import DEFAULT_SCOPES, SCOPES, ExportError, ExportResult, export
from .import_ import ImportRefused, ImportResult, Problem, apply, import_files, read

__all__ = [
    "DEFAULT_SCOPES",
    "SCOPES",
    "ExportError",
    "ExportResult",
    "ImportRefused",
    "ImportResult",
    "Problem",
    "apply",
    "export",
    "import_files",
    "read",
]
