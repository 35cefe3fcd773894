"""YAML for content files: read with the line of every key, written the way a person would.

``from_yaml(to_yaml(data)) == data`` for every text, including Markdown with tabs and
trailing line breaks; a problem in a file is a ``ContentError`` naming its line.
"""

import yaml

from .errors import ContentError

# --- Read ---------------------------------------------------------------------------------


class _Mapping(dict):
    """A mapping read from a file, with the line it starts on and the line of each key."""

    line = 0
    lines = {}


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader that remembers lines, for messages an editor can act on.

    It parses with libyaml where PyYAML has it (its wheels do): ten times faster on a large
    set. libyaml is also the stricter parser (see the tabs in ``_Dumper``), so files written
    for it read everywhere.
    """


def _construct_mapping(loader, node):
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {
        key.value: key.start_mark.line + 1
        for key, _value in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    yield mapping
    mapping.update(loader.construct_mapping(node))


def _construct_text(loader, node):
    text = loader.construct_scalar(node)
    # A `|` block (as written by hand, and as ``to_yaml`` writes it) ends with the line
    # break that closes the block; it is not part of the text. Everything else is exact.
    if node.style in ("|", ">") and text.endswith("\n"):
        text = text[:-1]
    return text


def _construct_timestamp(loader, node):
    # A bare 2026-13-01 looks like a date to YAML, which then fails on it with a plain
    # ValueError: refused with its line instead, as any other mistake in a file.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date ({error})", node.start_mark
        ) from None


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_text)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def from_yaml(text, path="<text>"):
    """Return the data in YAML ``text``; raise ``ContentError`` naming ``path`` and the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ContentError(
            path, mark.line + 1 if mark else 0, error.problem or str(error)
        ) from None
    except yaml.YAMLError as error:
        raise ContentError(path, 0, str(error)) from None


def load_file(path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(path, 0, str(error)) from None
    return from_yaml(text, path)


# --- Written --------------------------------------------------------------------------------


class OneLine(dict):
    """A mapping written on one line, like ``name: {en: Windows, ja: Windows}``."""


class OneLineList(list):
    """A list written on one line, like ``related: [1005, 1006]``."""


class _Dumper(yaml.SafeDumper):
    """Write content files the way a person would: block texts, indented lists, no wrapping."""

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as the hand-written demo files do.
        return super().increase_indent(flow, False)

    def analyze_scalar(self, scalar):
        # PyYAML quotes any text holding a tab; inside a `|` block a tab within a line is
        # ordinary text, so let such Markdown stay a block. A tab opening a line is not:
        # libyaml (and so other tools) refuse it there, so that text is quoted.
        analysis = super().analyze_scalar(scalar.replace("\t", " "))
        analysis.scalar = scalar
        if "\t" in scalar:
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = False
            if scalar.startswith("\t") or "\n\t" in scalar:
                analysis.allow_block = False
        if any(char in scalar for char in "\x85\u2028\u2029"):
            # YAML reads these as line breaks (NEL even as "\n"): only escapes keep them.
            analysis.allow_block = analysis.allow_single_quoted = False
            analysis.allow_flow_plain = analysis.allow_block_plain = False
        return analysis

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        # A text that cannot be plain (`: `, a leading `>` or quote…) goes in a `|` block
        # rather than quotes: a block needs no escaping, so an editor can change it safely.
        # Quotes stay for what YAML would read as another type ('1.10', 'yes'): short, clear.
        if (
            style in ("'", '"')
            and self.event.implicit[0]
            and self.analysis.allow_block
            and not self.flow_level
            and not self.simple_key_context
        ):
            return "|"
        return style

    def write_literal(self, text):
        # The loader drops the line break that closes a block (see _construct_text): add it.
        super().write_literal(text + "\n")


def _represent_text(dumper, text):
    return dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    )


def _represent_one_line(dumper, mapping):
    return dumper.represent_mapping("tag:yaml.org,2002:map", mapping, flow_style=True)


def _represent_one_line_list(dumper, items):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=True)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(OneLine, _represent_one_line)
_Dumper.add_representer(OneLineList, _represent_one_line_list)


def to_yaml(data):
    """Return ``data`` as YAML text that ``from_yaml`` reads back exactly."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,  # the exporter chooses the order (the schema's)
        default_flow_style=False,
        width=2**31,  # never fold a long line: one text, one line, clean diffs
        indent=2,
    )
