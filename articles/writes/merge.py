"""No lost edits: a change read at an older version is merged, field by field, into what
is stored now.

For each field the door supplies: what this person changed is what differs from the
version they read (the *base*); what someone else changed meanwhile is what differs
between the base and what is stored now (*theirs*). A field only one of them changed takes
that change; a field both changed to different texts is a conflict, written only once the
person has chosen: "mine", "theirs", or — after the conflict was shown — a text of their
own that differs from both the colleague's and the one refused (a merge by hand).
"""

from dataclasses import dataclass

from django.core.files.base import File

from ..translation_status import digest

MISSING = object()  # the base does not know the row or field: every difference conflicts


@dataclass
class Conflict:
    key: str  # "step-41-body_en": the row and column, stable between two posts
    label: str  # "Chrome, step 2 · Text (English)"
    mine: str
    theirs: str
    input_name: str = ""  # the form input the text is edited in (the admin's page)

    @property
    def mine_digest(self):
        return digest(self.mine)


def normalise(value):
    """Return a comparable form of a value (browser line breaks, empty values, lists)."""
    if isinstance(value, list | tuple | set):
        return tuple(sorted(value))
    if isinstance(value, File):
        return getattr(value, "name", "") or ""
    if value is None or value is False:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


MINE, THEIRS, CONFLICT, REPLACED = "mine", "theirs", "conflict", "replaced"


def merge_field(mine, theirs, base, *, is_file=False, resolution=None, refused_digest=None):
    """Decide one field of a stale change: MINE, THEIRS, CONFLICT, or REPLACED (a figure
    both replaced: an upload cannot be carried to the next form, so no choice is offered).

    ``resolution``: the person's choice for this conflict, if they saw it at the version
    stored now; ``refused_digest``: the digest of their text when it was refused then.
    """
    if is_file:
        # A figure column is supplied only when this person uploaded or cleared one.
        if base is not MISSING and normalise(theirs) == normalise(base):
            return MINE
        return REPLACED
    if base is not MISSING and normalise(mine) == normalise(base):
        return THEIRS  # not changed by this person
    if base is not MISSING and normalise(theirs) == normalise(base):
        return MINE  # not changed by anyone else
    if normalise(mine) == normalise(theirs):
        return MINE
    if resolution in (MINE, THEIRS):
        return resolution
    if refused_digest is not None and isinstance(mine, str) and digest(mine) != refused_digest:
        return MINE  # rewritten after the conflict was shown: merged by hand
    return CONFLICT
