"""Articles as human-readable files: reading, validating, importing and exporting them.

The format is described in ``demo/README.md``: ``categories.yaml``, ``platforms.yaml`` and
one ``articles/NNNN-slug.yaml`` per article holding both languages, figures beside them.

- ``schema.py``    every key of the format, defined once: its kind, model field, whether
                   required; the reader, the importer and the exporter all go by it
- ``yaml_io.py``   YAML read with the line of every key, written the way a person would
- ``reader.py``    a folder → validated values, or every problem with its file and line
- ``stored.py``    what the database holds under each key (compared on import, exported)
- ``importer.py``  validated values → database, idempotently, through ``writes.save_article``
- ``exporter.py``  database → files the importer reads back, byte for byte the same

Import is idempotent: an article whose file matches the database is not touched (its "last
updated" date stays). The whole set is validated before anything is written, and each
article is written in its own transaction, so a bad file never leaves a half-written
article (or half an import) behind. Export writes what import reads, deterministically:
the same database gives byte-identical files.
"""

from ..fields import LANGUAGE_CODES
from .errors import ContentError, ExportError, InvalidContent
from .exporter import ExportResult, export_content
from .importer import ImportResult, import_content
from .reader import ArticleFile, ContentSet, read_directory
from .yaml_io import from_yaml, to_yaml

__all__ = [
    "LANGUAGE_CODES",
    "ArticleFile",
    "ContentError",
    "ContentSet",
    "ExportError",
    "ExportResult",
    "ImportResult",
    "InvalidContent",
    "export_content",
    "from_yaml",
    "import_content",
    "read_directory",
    "to_yaml",
]
