"""The codebase keeps the shape the README describes.

- No import circles between our modules (imports inside functions count: a circle hidden
  in a function is still a circle), and library code never imports tests or benchmarks.
- A module over 400 lines says at its top why it is that long.
- Translated columns are named only by ``articles/fields.py``; "published" is decided only
  by ``articles.models.published_rule`` (and ``Article.is_published`` for a loaded row).
- The README's architecture tree names every module there is, and only those.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("articles", "serving", "kb", "throttling", "insights")
MAX_LINES = 400


def library_modules():
    """Return ``{dotted name: path}`` of every library module (migrations excluded)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = library_modules()


def imported_names(name, path):
    """Yield the dotted names ``path`` imports, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from . import inline` imports the module inline, not (again) the package.
                module = f"{base}.{alias.name}"
                yield module if module in MODULES else base


def import_graph():
    graph = {}
    for name, path in MODULES.items():
        graph[name] = sorted({n for n in imported_names(name, path) if n in MODULES} - {name})
    return graph


def test_no_import_circles():
    graph = import_graph()
    circles = []
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for target in graph[node]:
            if state.get(target) == "open":
                # A package importing its own modules is how packages work, not a circle.
                circle = trail[trail.index(target) :] + [target]
                if not all(b.startswith(a + ".") for a, b in zip(circle, circle[1:], strict=False)):
                    circles.append(" -> ".join(circle))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])
    assert circles == []


def test_library_code_never_imports_tests_or_benchmarks():
    offenders = [
        f"{name} imports {imported}"
        for name, path in MODULES.items()
        for imported in imported_names(name, path)
        if imported.split(".")[0] in {"tests", "bench"}
    ]
    assert offenders == []


def test_long_modules_say_why_at_the_top():
    unexplained = []
    for name, path in MODULES.items():
        text = path.read_text()
        lines = text.count("\n")
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if lines > MAX_LINES and "Longer than 400 lines" not in docstring:
            unexplained.append(f"{name}: {lines} lines")
    assert unexplained == []


# An f-string gluing a language to a field: f"{field}_{code}", f"title_{language}", ...
TRANSLATED_NAMES = (
    "field|name|field_name|title|summary|body|notes|troubleshooting|intro|figure|"
    "figure_caption|figure_alt|description"
)
HAND_BUILT = re.compile(
    rf"""f["'][^"']*(?:\{{(?:{TRANSLATED_NAMES})\}}|\b(?:{TRANSLATED_NAMES}))_\{{\w+\}}"""
)


def translated_column_literals():
    from articles import fields
    from articles.models import Article, Category, Platform, Step, Variant

    return {
        column
        for model in (Article, Category, Platform, Step, Variant)
        for column in fields.translated_columns(model)
    }


def test_translated_columns_are_named_only_by_the_fields_helper():
    columns = translated_column_literals()
    quoted = re.compile("[\"']({})[\"']".format("|".join(sorted(columns))))
    offenders = []
    for name, path in MODULES.items():
        if name == "articles.fields":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if HAND_BUILT.search(line) or quoted.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_checks_above_find_what_they_look_for():
    # The patterns must catch the forms the code used to have, or the tests prove nothing.
    assert HAND_BUILT.search('getattr(obj, f"{field}_{code}")')
    assert HAND_BUILT.search('getattr(self, f"title_{language}")')
    assert HAND_BUILT.search('setattr(step, f"figure_{code}", path)')
    assert not HAND_BUILT.search('f"{prefix}{label} ({name})"')
    assert not HAND_BUILT.search('f"articles_search_{language}"')
    assert "title_ja" in translated_column_literals()


PUBLISHED_RULE = re.compile(r"Status\.PUBLISHED\b(?!\s*,\s*gettext)|status\s*=\s*[\"']published")


def test_published_is_decided_in_one_place():
    allowed = {
        # The rule itself, and the same rule for one loaded row.
        ("articles.models", 'return Q(**{f"{path}status": Article.Status.PUBLISHED})'),
        ("articles.models", "return self.status == Article.Status.PUBLISHED"),
        # The publish action sets the status, with what it reports (a pgettext above it).
        (
            "articles.admin.article",
            "self._set_status(request, queryset, Article.Status.PUBLISHED, change)",
        ),
    }
    offenders = []
    for name, path in MODULES.items():
        for line in path.read_text().splitlines():
            if PUBLISHED_RULE.search(line) and (name, line.strip()) not in allowed:
                offenders.append(f"{name}: {line.strip()}")
    # The publish action sets the status (not a rule about who may read): it passes
    # the value with its message, which the pattern leaves out.
    assert offenders == []


README_TREE = re.compile(r"^(?P<indent>\s*)(?P<name>[\w/.-]+)(?:\s{2,}.*)?$")


def readme_architecture_paths():
    """Return the files named in the README's architecture tree (the ``` block after the
    "## Architecture" heading), as paths relative to the repository."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Architecture", 1)[1]
    block = section.split("```", 2)[1]
    paths, stack = set(), []
    for raw in block.splitlines()[1:]:
        if not raw.strip():
            continue
        match = README_TREE.match(raw.rstrip())
        assert match, f"unreadable tree line: {raw!r}"
        depth = len(match["indent"]) // 2
        stack = stack[:depth]
        name = match["name"]
        if name.endswith("/"):
            stack.append(name.rstrip("/"))
        else:
            paths.add("/".join([*stack, name]))
    return paths


def test_readme_architecture_tree_matches_the_modules():
    named = {p for p in readme_architecture_paths() if p.endswith(".py")}
    existing = {str(path.relative_to(ROOT)) for path in MODULES.values()}
    existing |= {
        str(path.relative_to(ROOT)) for path in ROOT.glob("articles/management/commands/*.py")
    }
    # Package markers and command plumbing are not part of the design.
    existing = {p for p in existing if not p.endswith("__init__.py")}
    assert sorted(named - existing) == [], "the README names modules that do not exist"
    assert sorted(existing - named) == [], "modules missing from the README's tree"


@pytest.mark.parametrize("name", ["articles", "serving"])
def test_every_part_has_a_docstring_saying_what_it_is(name):
    assert ast.get_docstring(ast.parse(MODULES[name].read_text())), name
