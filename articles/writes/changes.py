"""What a door asks to write: plain data, the same whichever door it comes through.

A door (the admin's forms, an import file, an XLIFF unit set, a stored revision) turns
what it received into an ``ArticleChange``; the write functions of this package decide,
with every rule in one place, what of it may be written. Nothing here touches the
database, a form or a request.
"""

from dataclasses import dataclass, field

REFUSE = "refuse"  # a change outside the user's rights refuses the whole write
KEEP = "keep"  # ... is left out: restore and recover write the rest


class Refused(Exception):
    """A write that must not happen; ``message`` says why, for the person who asked."""

    def __init__(self, message, conflicts=()):
        super().__init__(message)
        self.message = message
        # Texts two people changed differently: the admin shows them side by side.
        self.conflicts = list(conflicts)


@dataclass(frozen=True)
class NewRow:
    """A row this change adds, named before it has an id (a step under a new variant)."""

    index: int


@dataclass
class RowChange:
    """One variant or step of the article, as the door has it.

    ``values`` holds only the columns the door supplies (attnames: ``platform_id``,
    ``body_ja``); a column left out keeps what is stored. A figure is its storage name, or
    an uploaded file to store.
    """

    kind: str  # "variant" or "step"
    pk: int | None  # the row's id; None: a new row
    values: dict = field(default_factory=dict)
    ref: NewRow | None = None  # a new row: how the steps under it name it
    parent: int | NewRow | None = None  # a step: the variant it is under (id or ref)
    deleted: bool = False
    label: str = ""  # how messages name the row: "Chrome, step 2"
    # Door-specific names of the row's inputs (the admin's form prefix), carried into
    # conflicts so that the page can put both texts next to the right field.
    prefix: str = ""
    # Column -> the value the door read: the write is refused if the stored one moved
    # (an XLIFF file exported before someone edited that translation in the admin).
    expected: dict = field(default_factory=dict)
    # Language -> {field: source text}: the translation written now was made from this
    # older source, so it stays out of date (XLIFF exported before the source changed).
    made_from: dict = field(default_factory=dict)

    @property
    def key(self):
        return (self.kind, self.pk)


@dataclass
class ArticleChange:
    """A change of one article: its own columns and links, and its rows."""

    article_id: int | None  # None: a new article
    values: dict = field(default_factory=dict)  # attnames; links as "prerequisites"/"related"
    rows: list = field(default_factory=list)  # RowChange, in page order
    # The version the door's data was read at. A form loaded before someone else's save
    # is merged field by field; None: the door reads what is stored now (an import).
    loaded_version: int | None = None
    # The version stored when the door read the article for this change, if it did (the
    # admin builds the page's forms from it): tells, before the lock, whether the history
    # must be read to merge.
    read_version: int | None = None
    # The change is the whole article: stored rows it does not name are removed, rows it
    # names that are gone are written back with their ids (restore, recover, import).
    whole: bool = False
    # The article does not exist and is written back with this id (recover).
    recover: bool = False
    outside_rights: str = REFUSE
    # The editor's answers to conflicts shown at ``seen_version``: key -> "mine"/"theirs",
    # and the digest of each text refused then (a text changed since is a hand merge).
    seen_version: int | None = None
    resolutions: dict = field(default_factory=dict)
    refused_digests: dict = field(default_factory=dict)
    # "checked translation" keys (translation_status.mark_current).
    checked: tuple = ()
    # Every translation written is as made from the source written with it (an import
    # says so for the whole file; ``made_from`` names the exceptions).
    translations_current: bool = False
    expected: dict = field(default_factory=dict)
    made_from: dict = field(default_factory=dict)
    comment: str = ""
    # A restore counts its version on from the highest this article ever had.
    version_floor: int | None = None
    label: str = ""  # how messages name the article ("KB 1008", a file name)
    # The article's "last updated" moment when the door knows it (a content file names
    # its day); None: the moment of the write.
    updated_at: object = None
