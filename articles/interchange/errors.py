"""What goes wrong reading or writing content files."""


class ContentError(Exception):
    """One problem in a content file; says which file and line."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = path, line, message
        location = f"{path}:{line}" if line else str(path)
        super().__init__(f"{location}: {message}")


class InvalidContent(Exception):
    """A content set that cannot be imported: every problem found, one per file at most."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class ExportError(Exception):
    """An export that cannot be written (destination in use, a figure file missing…)."""
