"""The package's layers: a module imports only from its own layer or the layers below it, and the
import graph has no cycle. docs/architecture.md describes the same table in prose.

The graph is read from the source with `ast` (nothing is imported), imports inside functions
included; only imports under `if TYPE_CHECKING:` are left out, since they never run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grader"

# Lowest first. A module belongs to the longest entry that is a prefix of its dotted name; the
# package itself (`grader`, its __init__) is an entry of its own and places no other module.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("grader.errors", "grader.budget", "grader.config", "grader.limits", "grader.students",
              "grader.notation", "grader.submission", "grader.caret", "grader.spreadsheet", "grader.cachedir",
              "grader.results", "grader.lazy")),
    ("spec", ("grader.spec.models", "grader.spec.yamlsafe", "grader.sets", "grader.variants")),
    ("solvers", ("grader", "grader.solvers", "grader.expected_store")),
    ("kinds", ("grader.mathparse", "grader.mathjudge", "grader.probability", "grader.rubric",
               "grader.reading", "grader.kinds", "grader.answers", "grader.answer_documents",
               "grader.compare")),
    ("engine", ("grader.spec", "grader.spec.loader", "grader.engine", "grader.scores",
                "grader.template", "grader.document_template", "grader.skeleton", "grader.authoring")),
    ("store", ("grader.store",)),
    ("export / report", ("grader.export", "grader.report")),
    ("api", ("grader.api", "grader.inbox", "grader.batch", "grader.notebook", "grader.score_source",
             "grader.check_store")),
    ("cli", ("grader.cli", "grader.__main__")),
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    line: int

    def __str__(self) -> str:
        return f"{self.source} (line {self.line}) imports {self.target}"


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_in(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def imports_of(root: Path) -> list[Import]:
    """Every import between modules of the package under `root`."""
    modules = module_names(root)
    edges = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports_in(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # `from grader import budget` imports the module grader.budget
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module
                           for a in node.names]
            for target in targets:
                while target and target not in modules:  # `import grader.x.y` of a name, not a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.append(Import(name, target, node.lineno))
    return edges


def layer_of(module: str, layers: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[int, str] | None:
    """(the layer's rank, the unit) a module belongs to, or None when the table does not place it."""
    best: tuple[int, str] | None = None
    for rank, (_, units) in enumerate(layers):
        for unit in units:
            inside = "." in unit and module.startswith(unit + ".")
            if (module == unit or inside) and (best is None or len(unit) > len(best[1])):
                best = (rank, unit)
    return best


def unplaced(root: Path, layers: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    return [name for name in module_names(root) if layer_of(name, layers) is None]


def upward_imports(root: Path, layers: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    """Each import of a higher layer by a lower one, named with its line."""
    wrong = []
    for edge in imports_of(root):
        source, target = layer_of(edge.source, layers), layer_of(edge.target, layers)
        if source is not None and target is not None and target[0] > source[0]:
            wrong.append(f"{edge}: layer {layers[source[0]][0]!r} must not import "
                         f"layer {layers[target[0]][0]!r}")
    return wrong


def cycles(edges: list[tuple[str, str, Import]]) -> list[list[Import]]:
    """One cycle (as its imports) through each strongly connected group of the graph."""
    graph: dict[str, list[tuple[str, Import]]] = {}
    for source, target, edge in edges:
        if source != target:
            graph.setdefault(source, []).append((target, edge))
    found, done = [], set()
    for start in sorted(graph):
        if start in done:
            continue
        # depth-first search for a path back to `start`
        path: list[Import] = []
        seen = {start}

        def back_to_start(node: str) -> bool:
            for target, edge in graph.get(node, []):
                if target == start:
                    path.append(edge)
                    return True
                if target not in seen:
                    seen.add(target)
                    path.append(edge)
                    if back_to_start(target):
                        return True
                    path.pop()
            return False

        if back_to_start(start):
            found.append(list(path))
            done.update(edge.source for edge in path)
    return found


def module_cycles(root: Path) -> list[list[Import]]:
    return cycles([(e.source, e.target, e) for e in imports_of(root)])


def unit_cycles(root: Path, layers: tuple[tuple[str, tuple[str, ...]], ...]) -> list[list[Import]]:
    edges = []
    for edge in imports_of(root):
        source, target = layer_of(edge.source, layers), layer_of(edge.target, layers)
        if source is not None and target is not None:
            edges.append((source[1], target[1], edge))
    return cycles(edges)


def _describe(found: list[list[Import]]) -> str:
    return "\n".join(" -> ".join(str(edge) for edge in cycle) for cycle in found)


# ----- the package itself -------------------------------------------------------------------------


def test_every_module_has_a_layer():
    missing = unplaced(PACKAGE, LAYERS)
    assert not missing, f"add these modules to LAYERS (and docs/architecture.md): {missing}"


def test_no_layer_imports_a_higher_one():
    wrong = upward_imports(PACKAGE, LAYERS)
    assert not wrong, "\n".join(wrong)


def test_the_parts_of_the_package_import_each_other_without_a_cycle():
    found = unit_cycles(PACKAGE, LAYERS)
    assert not found, _describe(found)


def test_no_two_modules_import_each_other():
    # A package's __init__ may register its own modules, which reach the registry through it
    # (grader.cli and its commands, grader.kinds and the written-answer solver): not counted.
    found = [cycle for cycle in module_cycles(PACKAGE)
             if not any(edge.target == edge.source.rpartition(".")[0] for edge in cycle)]
    assert not found, _describe(found)


def test_the_documented_table_is_this_one():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, units in LAYERS:
        assert f"**{name}**" in text, f"docs/architecture.md does not describe the layer {name!r}"
        for unit in units:
            assert f"`{unit}`" in text, f"docs/architecture.md does not place `{unit}`"


# ----- the checker on a small package built to break the rules ------------------------------------

FAKE_LAYERS = (("low", ("fake.low",)), ("high", ("fake", "fake.high")))


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "fake"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_lower_module_importing_a_higher_one_is_named_with_its_line(tmp_path):
    root = _fake_package(tmp_path, {
        "high.py": "from fake.low import helper\n",
        "low.py": "def helper():\n    from fake.high import thing\n",
    })
    wrong = upward_imports(root, FAKE_LAYERS)
    assert wrong == ["fake.low (line 2) imports fake.high: layer 'low' must not import layer 'high'"]


@pytest.mark.parametrize("statement", [
    "from fake import high", "import fake.high", "from . import high", "from .high import thing",
    "import fake.high.thing",
])
def test_every_spelling_of_an_import_is_seen(tmp_path, statement):
    root = _fake_package(tmp_path, {"high.py": "thing = 1\n", "low.py": statement + "\n"})
    assert len(upward_imports(root, FAKE_LAYERS)) == 1


def test_an_import_for_type_checking_only_is_not_counted(tmp_path):
    root = _fake_package(tmp_path, {
        "high.py": "",
        "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake.high import X\n"
                  "else:\n    pass\n",
    })
    assert upward_imports(root, FAKE_LAYERS) == []


def test_a_cycle_is_found_and_named(tmp_path):
    root = _fake_package(tmp_path, {
        "low.py": "def f():\n    from fake import other\n",
        "other.py": "from fake.low import f\n",
    })
    layers = (("one", ("fake", "fake.low", "fake.other")),)
    found = unit_cycles(root, layers)
    assert len(found) == 1 and {edge.source for edge in found[0]} == {"fake.low", "fake.other"}
    assert "fake.low (line 2) imports fake.other" in _describe(found)


def test_a_module_missing_from_the_table_is_reported(tmp_path):
    root = _fake_package(tmp_path, {"low.py": "", "elsewhere/__init__.py": "", "elsewhere/deep.py": ""})
    assert unplaced(root, (("low", ("fake.low",)),)) == ["fake", "fake.elsewhere", "fake.elsewhere.deep"]
    # the package's own entry does not place the modules inside it
    assert unplaced(root, (("all", ("fake", "fake.low")),)) == ["fake.elsewhere", "fake.elsewhere.deep"]
