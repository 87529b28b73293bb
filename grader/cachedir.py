"""Where the grader keeps what it can compute once and reuse: parse tables, indexes of graded
examples, expected answers and check reports.

Everything kept here is a pure function of its key, so deleting the folder only costs time.
`GRADER_CACHE=off` turns caching off; `GRADER_CACHE_DIR` moves the folder (the default is the
user's cache folder, e.g. ~/.cache/mlgrader on Linux).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

CACHE_ENV = "GRADER_CACHE"
CACHE_DIR_ENV = "GRADER_CACHE_DIR"
_OFF = {"off", "0", "no", "false", "none"}


def cache_root() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get(CACHE_ENV, "").strip().lower() in _OFF:
        return None
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("mlgrader", appauthor=False))


def cache_folder(*parts: str) -> Path | None:
    """A sub-folder of the cache, created if needed; None when caching is off or it cannot be made."""
    root = cache_root()
    if root is None:
        return None
    folder = root.joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if folder.is_dir() else None


def path_name(path: str | Path) -> str:
    """A short file-name key for a file or folder, from its absolute path: what the cache keeps of
    it is found again, and told apart from another's with the same name."""
    return hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]


def python_version() -> str:
    """The minor version of Python ("3.11"): what it parses and builds can differ from another's."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def write_atomically(path: Path, data: bytes) -> bool:
    """Write a whole file or nothing: a temporary file in the same folder, then os.replace.

    Readers never see half a file and concurrent writers of the same key leave one complete copy.
    False when the folder is not writable (the caller simply goes on without caching).
    """
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


# Parse tables built from the package's own grammars ship with it (`grader/grammars/`), so even
# a first run with an empty cache reads them instead of building them. The file names carry the
# same key as the cache's; tests/test_startup.py checks they are current.
#
# The tables are read and written here, not through lark's `cache=` option: lark keys its cache
# file by its options, the file's own path among them, so a table built in one folder is stale
# in any other (a copy of the repository, an installed package) and lark would rebuild it and
# write over the shipped file. Our key is the grammar, the options and the lark and Python
# versions, and the file holds what `Lark.save` writes.
SHIPPED_TABLES = Path(__file__).resolve().parent / "grammars"
# Every grammar a parser asked a table for in this process: name -> (grammar text, options).
GRAMMARS: dict[str, tuple[str, dict[str, Any]]] = {}


def table_name(name: str, grammar: str, **options: Any) -> str:
    """`<name>-<key>.lark`, the key from the grammar text, the options and the lark and Python
    versions."""
    import lark

    key = "\0".join([grammar, repr(sorted((k, repr(v)) for k, v in options.items())), lark.__version__,
                     python_version()])
    return f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.lark"


def lark_parser(name: str, grammar: str, runtime: dict[str, Any] | None = None, **options: Any) -> Any:
    """A lark LALR parser for a grammar of the package: from the shipped table when there is one
    for this grammar, options and versions, else from the cache folder, else built (and then
    written to the cache folder when caching is on and the folder writable).

    `options` are what the tables depend on; `runtime` what lark takes when loading a table (a
    transformer). A damaged or unreadable table file is built again.
    """
    from lark import Lark

    runtime = runtime or {}
    GRAMMARS[name] = (grammar, options)
    file = table_name(name, grammar, **options)
    folder = cache_folder("grammars")
    for place in (SHIPPED_TABLES / file, *([folder / file] if folder is not None else [])):
        parser = read_table(place, runtime)
        if parser is not None:
            return parser
    parser = Lark(grammar, **options, **runtime)
    if folder is not None:
        write_table(folder / file, parser)
    return parser


def read_table(path: Path, runtime: dict[str, Any]) -> Any:
    """A parser from a table file `write_table` wrote, or None when there is none or it is damaged."""
    from lark import Lark

    try:
        with open(path, "rb") as table:
            # lark's reader for what Lark.save wrote, with the options that are not saved (as
            # lark's own cache does; lark is pinned, and tests/test_startup.py reads every table).
            return Lark.__new__(Lark)._load(table, **runtime)
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: build the tables again
        return None


# Options lark takes again when loading a table, and that cannot be saved (objects, functions).
RUNTIME_OPTIONS = ("transformer", "postlex", "lexer_callbacks")


def write_table(path: Path, parser: Any) -> bool:
    """Save a parser's tables (without its runtime options), atomically."""
    import io

    buffer = io.BytesIO()
    parser.save(buffer, exclude_options=RUNTIME_OPTIONS)
    return write_atomically(path, buffer.getvalue())
