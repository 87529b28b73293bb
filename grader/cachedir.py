"""Where the grader keeps what it can compute once and reuse: parse tables, expected answers and
check reports.

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
SHIPPED_TABLES = Path(__file__).resolve().parent / "grammars"
# Every grammar a parser asked a table for in this process: name -> (grammar text, options).
GRAMMARS: dict[str, tuple[str, dict[str, Any]]] = {}


def table_name(name: str, grammar: str, **options: Any) -> str:
    """`<name>-<key>.lark`, the key from the grammar text, the options and the lark and Python
    versions (lark also checks its own key inside the file)."""
    import lark

    key = "\0".join([grammar, repr(sorted((k, repr(v)) for k, v in options.items())), lark.__version__,
                     f"{sys.version_info[0]}.{sys.version_info[1]}"])
    return f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.lark"


def grammar_cache(name: str, grammar: str, **options: Any) -> str | bool:
    """The value for lark's `cache=` option: the shipped table when there is one for this grammar,
    options and versions, else a file of that name in the cache folder, or False when caching is off.

    lark rebuilds the tables when the file is missing, stale or unreadable, and goes on without
    saving when the folder is read-only.
    """
    GRAMMARS[name] = (grammar, options)
    file = table_name(name, grammar, **options)
    if (SHIPPED_TABLES / file).is_file():
        return str(SHIPPED_TABLES / file)
    folder = cache_folder("grammars")
    if folder is None:
        return False
    return str(folder / file)
