"""The search index on PostgreSQL: the same terms, the same ranking as SQLite's FTS5.

``analysis.py`` analyses texts and queries; this package stores them (``storage.py``)
and ranks them (``ranking.py``) when the database is PostgreSQL (migrations 0006, 0010
and 0011 make the tables; ``backends/__init__.py`` lists what every backend provides).
Per language, a row per article holds its length in terms and the plain texts snippets
are cut from; beside it, a **postings** table holds one row per (term, index row): the
term's weighted frequency there (a title occurrence counts 10, keywords 7, a summary one
4, a body one 1) and the row's length; and a **terms** table holds each term's document
count. Nothing of PostgreSQL's parsers or dictionaries touches the terms, so both
databases see identical tokens.
"""

from .ranking import ranked_rows
from .storage import ROW_ID, after_batch, after_rebuild, clear, delete_rows, write_row

__all__ = [
    "ROW_ID",
    "after_batch",
    "after_rebuild",
    "clear",
    "delete_rows",
    "ranked_rows",
    "write_row",
]
