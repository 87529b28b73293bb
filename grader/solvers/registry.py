"""Solvers are registered by name so that specs can refer to them without executing anything.

Two kinds of tables: the built-in library (`SOLVERS`, filled when `grader.solvers` is imported)
and one `SetSolvers` table per problem set, filled by the set's own solver files (listed under
`solvers:` in its `set.yaml`). A set's table looks its own names up first, then the library's,
so two sets may define the same name and a set may shadow a library solver.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from grader.errors import UnknownSolver

F = TypeVar("F", bound=Callable[..., Any])

SOLVERS: dict[str, Callable[..., Any]] = {}

# The set table that `@solver` fills while a set's solver files are being executed.
_LOADING: ContextVar[SetSolvers | None] = ContextVar("_LOADING", default=None)
# The table of the set being graded: solver names in kind options (a derivation's `facts:`) are
# looked up there.
_ACTIVE: ContextVar[SetSolvers | None] = ContextVar("_ACTIVE", default=None)
_LOADED: dict[tuple[str, tuple[str, ...], str], SetSolvers] = {}


@dataclass(frozen=True)
class Origin:
    """Where a set solver is defined, for messages: the file and the line of its `def`."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def solver(name: str) -> Callable[[F], F]:
    """Register a pure function `(**params) -> expected answer` under a name specs can use.

    In a problem set's solver file the name belongs to that set; elsewhere to the library.
    """

    def register(func: F) -> F:
        table = _LOADING.get()
        if table is not None:
            table.add(name, func)
            return func
        if name in SOLVERS:
            raise ValueError(f"solver {name!r} is registered twice")
        SOLVERS[name] = func
        return func

    return register


def get_solver(name: str, table: SetSolvers | None = None) -> Callable[..., Any]:
    """The solver registered under name (in a set's table, else the library); the error lists near names."""
    if table is not None:
        return table.get(name)
    try:
        return SOLVERS[name]
    except KeyError:
        raise UnknownSolver(f"No solver is registered as {name!r}.{_near(name, SOLVERS)}") from None


def _near(name: str, names: Any) -> str:
    near = difflib.get_close_matches(name, list(names), n=3)
    return f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""


class SetSolvers:
    """The solvers of one problem set: its own, then the library's.

    `errors` lists what went wrong while loading its files (each with file and line); `notes`
    lists the library names it shadows. Pickling sends the folder and file list, and the
    receiving process loads the files itself (functions of a file loaded by path cannot be
    pickled by reference).
    """

    def __init__(self, root: str, entries: tuple[str, ...]):
        self.root = root
        self.entries = entries
        self.own: dict[str, Callable[..., Any]] = {}
        self.origins: dict[str, Origin] = {}
        self.errors: list[str] = []
        self.notes: list[str] = []
        self.files: list[Path] = []
        self.modules: dict[str, ModuleType] = {}  # file stem -> the loaded module
        self.digest = ""
        self._current_file = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return (load_set_solvers, (self.root, self.entries))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SetSolvers) and (self.root, self.entries, self.digest) == (
            other.root, other.entries, other.digest
        )

    def __hash__(self) -> int:
        return hash((self.root, self.entries, self.digest))

    def __repr__(self) -> str:
        return f"SetSolvers({self.root!r}, {list(self.own)})"

    def __contains__(self, name: object) -> bool:
        return name in self.own or name in SOLVERS

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def names(self) -> list[str]:
        return sorted({*self.own, *SOLVERS})

    def get(self, name: str) -> Callable[..., Any]:
        if name in self.own:
            return self.own[name]
        if name in SOLVERS:
            return SOLVERS[name]
        raise UnknownSolver(f"No solver is registered as {name!r}.{_near(name, self.names())}")

    def origin(self, name: str) -> Origin | None:
        return self.origins.get(name)

    def add(self, name: str, func: Callable[..., Any]) -> None:
        code = getattr(func, "__code__", None)
        line = code.co_firstlineno if code is not None else 0
        file = self._current_file
        if code is not None and Path(code.co_filename) in self.files:
            file = self._display(Path(code.co_filename))
        here = Origin(file, line)
        if name in self.own:
            self.errors.append(
                f"{here}: solver {name!r} is defined twice (first at {self.origins[name]}); rename one"
            )
            return
        if name in SOLVERS:
            self.notes.append(f"{here}: solver {name!r} of this set shadows the built-in solver of that name")
        self.own[name] = func
        self.origins[name] = here

    def where_failed(self, err: BaseException) -> str:
        """`file:line` of the deepest frame of a set solver file in err's traceback, or ''."""
        files = {str(f) for f in self.files}
        found = ""
        for frame in traceback.extract_tb(err.__traceback__):
            if frame.filename in files:
                found = f"{self._display(Path(frame.filename))}:{frame.lineno}"
        return found

    def _display(self, file: Path) -> str:
        return str(Path(self.root) / file.relative_to(Path(self.root).resolve()))


def load_set_solvers(root: str | Path, entries: tuple[str, ...] | list[str]) -> SetSolvers:
    """Execute a set's solver files (paths relative to its folder: `.py` files or folders of them).

    Errors (a missing file, a syntax error, a failing import, a name defined twice) are collected
    in the table's `errors` with the file and line rather than raised. Loading the same
    unchanged files again returns the same table.
    """
    root = str(root)
    entries = tuple(entries)
    table = SetSolvers(root, entries)
    base = Path(root).resolve()
    files: list[Path] = []
    for entry in entries:
        path = (base / entry).resolve()
        if base not in path.parents:
            table.errors.append(f"{Path(root) / entry}: solver files must be inside the problem-set folder")
        elif path.is_dir():
            files += sorted(p for p in path.glob("*.py") if p.name != "__init__.py")
        elif path.is_file() and path.suffix == ".py":
            files.append(path)
        else:
            table.errors.append(f"{Path(root) / entry}: listed in 'solvers' but no such .py file or folder")
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
    table.files = files
    table.digest = digest.hexdigest()
    key = (str(base), entries, table.digest)
    if key in _LOADED:
        return _LOADED[key]
    package = _package_for(base, table.digest)
    token = _LOADING.set(table)
    try:
        for file in files:
            table._current_file = table._display(file)
            _exec_file(package, file, table)
    finally:
        _LOADING.reset(token)
    _LOADED[key] = table
    return table


def _package_for(base: Path, digest: str) -> str:
    """A private package whose path is the set folder, so solver files may import each other
    relatively (`from .helpers import f`) without touching sys.path."""
    name = f"_grader_set_{hashlib.sha256(str(base).encode()).hexdigest()[:10]}_{digest[:10]}"
    if name not in sys.modules:
        module = ModuleType(name)
        module.__path__ = [str(base)]
        module.__package__ = name
        sys.modules[name] = module
    return name


def _exec_file(package: str, file: Path, table: SetSolvers) -> None:
    relative = file.relative_to(Path(table.root).resolve()).with_suffix("")
    parts = relative.parts
    # Parent folders inside the set become sub-packages, for relative imports between files.
    parent = package
    for i, folder in enumerate(parts[:-1]):
        name = f"{parent}.{folder}"
        if name not in sys.modules:
            module = ModuleType(name)
            module.__path__ = [str(Path(table.root).resolve().joinpath(*parts[: i + 1]))]
            module.__package__ = name
            sys.modules[name] = module
        parent = name
    name = f"{parent}.{parts[-1]}"
    if name in sys.modules:  # imported already by a sibling file: its solvers are registered
        table.modules[file.stem] = sys.modules[name]
        return
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        table.errors.append(f"{table._current_file}: cannot be loaded as a Python file")
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        table.modules[file.stem] = module
    except SyntaxError as err:
        del sys.modules[name]
        table.errors.append(f"{table._current_file}:{err.lineno or '?'}: syntax error: {err.msg}")
    except Exception as err:  # noqa: BLE001 - any failure of instructor code is reported with its line
        del sys.modules[name]
        where = table.where_failed(err) or table._current_file
        table.errors.append(f"{where}: {type(err).__name__}: {err}")


@contextmanager
def grading_with(table: SetSolvers | None) -> Iterator[None]:
    """Look solver names up in `table` (then the library) inside the block; see `lookup`."""
    token = _ACTIVE.set(table)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def lookup(name: str) -> tuple[Callable[..., Any], str] | None:
    """The solver a kind option names, in the table of the set being graded or the library,
    with a key that tells tables apart (for caches); None when no solver has that name."""
    table = _ACTIVE.get()
    if table is not None and name in table.own:
        return table.own[name], f"{table.root}\0{table.digest}\0{name}"
    if name in SOLVERS:
        return SOLVERS[name], name
    return None


@contextmanager
def loading_into(table: SetSolvers) -> Iterator[None]:
    """Register solvers defined inside the block in `table` (for tests and tools)."""
    token = _LOADING.set(table)
    try:
        yield
    finally:
        _LOADING.reset(token)
