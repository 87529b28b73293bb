"""Expected answers kept on disk, so a `grader check` does not rerun every solver.

A solver is a pure function of its arguments and of the code that defines it, so its result can
be reused by any later process that would compute the same thing. One file per (problem set,
variant) holds that variant's results:

    <cache>/expected/<grader fingerprint>/<set digest>/<variant>.json

- The set digest (from the spec loader) covers every file the set is made of: change a problem,
  a parameter, a solver argument, a rubric or anything else the digest covers, and the set's
  results are looked up in a new folder, while other sets keep theirs.
- The grader fingerprint covers the grader's version, the modification times of its own source
  files (where the built-in solvers live) and the versions of Python, sympy and numpy.
- Inside a file, a result is keyed by the solver's name and its resolved arguments.

Values are stored as data: JSON with tags for what JSON lacks (tuples, numpy arrays as nested
lists, sympy objects as `srepr` text, the grader's own frozen dataclasses by field). Reading
`srepr` back never evaluates it: the text is parsed with `ast` and only calls of sympy classes
with constant arguments are rebuilt. A value is stored only if it reads back equal to itself;
a file whose checksum or header does not match is ignored and its results recomputed; a result
that cannot be stored is simply computed again next time.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import importlib
import inspect
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.cachedir import cache_folder, write_atomically

FORMAT = 1
MAX_SREPR_CHARS = 2_000_000
_MISSING = object()


class Unstorable(ValueError):
    """A value the cache does not know how to write as data (it is recomputed instead)."""


# ----- the store ----------------------------------------------------------------------------------


class ExpectedStore:
    """Solver results on disk, one JSON file per (set digest, variant)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._files: dict[tuple[str, str], dict[str, Any]] = {}
        self._dirty: set[tuple[str, str]] = set()
        self.hits = 0
        self.misses = 0
        self.unstorable = 0
        self.ignored_files = 0

    @classmethod
    def default(cls) -> ExpectedStore | None:
        """The store in the user's cache folder, or None when caching is off or impossible."""
        folder = cache_folder("expected", grader_fingerprint())
        return None if folder is None else cls(folder)

    def path(self, digest: str, variant: str) -> Path:
        name = hashlib.sha256(variant.encode()).hexdigest()[:24]
        return self.folder / digest[:40] / f"{name}.json"

    def lookup(self, digest: str, variant: str, key: str) -> Any:
        """The stored value, or `MISSING` (also for an entry that does not read back)."""
        entries = self._entries(digest, variant)
        if key in entries:
            try:
                value = decode(entries[key])
            except Exception:  # noqa: BLE001 - whatever is wrong with an entry, it is recomputed
                del entries[key]
            else:
                self.hits += 1
                return value
        self.misses += 1
        return _MISSING

    def remember(self, digest: str, variant: str, key: str, value: Any) -> None:
        """Keep a freshly computed value for `flush`, if it can be stored faithfully."""
        try:
            encoded = encode(value)
            if not same(decode(json.loads(json.dumps(encoded))), value):
                raise Unstorable("the value does not read back equal to itself")
        except Exception:  # noqa: BLE001 - a value that cannot be stored is recomputed next time
            self.unstorable += 1
            return
        self._entries(digest, variant)[key] = encoded
        self._dirty.add((digest, variant))

    def flush(self) -> None:
        """Write the files that gained entries (whole files, atomically; errors only cost speed)."""
        for digest, variant in sorted(self._dirty):
            entries = self._files[(digest, variant)]
            body = {"format": FORMAT, "set": digest, "variant": variant, "entries": entries,
                    "check": _checksum(entries)}
            path = self.path(digest, variant)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                continue
            write_atomically(path, json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        self._dirty.clear()
        self._files.clear()  # memory stays flat over many variants; the caller keeps the values

    def _entries(self, digest: str, variant: str) -> dict[str, Any]:
        if (digest, variant) not in self._files:
            self._files[(digest, variant)] = self._read(digest, variant)
        return self._files[(digest, variant)]

    def _read(self, digest: str, variant: str) -> dict[str, Any]:
        path = self.path(digest, variant)
        try:
            body = json.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            self.ignored_files += 1
            return {}
        entries = body.get("entries") if isinstance(body, dict) else None
        if (not isinstance(entries, dict) or body.get("format") != FORMAT or body.get("set") != digest
                or body.get("variant") != variant or body.get("check") != _checksum(entries)):
            self.ignored_files += 1
            return {}
        return entries


MISSING = _MISSING


def _checksum(entries: dict[str, Any]) -> str:
    text = json.dumps(entries, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_FINGERPRINT: list[str] = []
# The libraries whose versions can change a grade (read from the installed distributions, so the
# fingerprint is the same whether or not they have been imported yet).
LIBRARIES = ("sympy", "numpy", "lark", "snowballstemmer", "PyStemmer", "PyYAML", "pydantic")


def _installed_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def grader_fingerprint() -> str:
    """A short key that changes with the grader's code and the libraries that shape its answers."""
    if not _FINGERPRINT:
        import grader

        package = Path(grader.__file__).parent
        digest = hashlib.sha256(f"{grader.__version__}\0{sys.version}".encode())
        for name in LIBRARIES:
            digest.update(f"\0{name}={_installed_version(name)}".encode())
        for root, dirs, files in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for file in sorted(f for f in files if f.endswith(".py")):
                stat = os.stat(os.path.join(root, file))
                relative = os.path.relpath(os.path.join(root, file), package)
                digest.update(f"\0{relative}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        _FINGERPRINT.append(digest.hexdigest()[:20])
    return _FINGERPRINT[0]


def stored(func: Callable[..., Any]) -> Callable[..., Any]:
    """Keep a slow pure function's results in memory and in the on-disk cache (for a solver's
    helper, such as a derivation through sympy.stats, that a kind calls outside the expected
    answers). Keyed by the function's name, its arguments, the text of the file that defines it
    and the grader fingerprint; results that cannot be stored as data are only kept in memory."""
    memo: dict[str, Any] = {}
    source: list[str] = []

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = repr((args, sorted(kwargs.items())))
        if key not in memo:
            memo[key] = _stored_call(func, source, key, args, kwargs)
        return memo[key]

    return wrapper


def _stored_call(func: Callable[..., Any], source: list[str], key: str, args: Any, kwargs: Any) -> Any:
    store = ExpectedStore.default()
    if store is None:
        return func(*args, **kwargs)
    if not source:
        try:
            text = Path(inspect.getsourcefile(func) or "").read_bytes()
        except (OSError, TypeError):
            text = b""
        source.append("fn-" + hashlib.sha256(text).hexdigest()[:32])
    name = f"{func.__module__}.{func.__qualname__}"
    value = store.lookup(source[0], name, key)
    if value is MISSING:
        value = func(*args, **kwargs)
        store.remember(source[0], name, key, value)
        store.flush()
    return value


# ----- values as data -----------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A JSON-able form of a solver result; raises Unstorable for anything else."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if type(value) is list:
        return [encode(item) for item in value]
    if type(value) is tuple:
        return {"tuple": [encode(item) for item in value]}
    if type(value) is dict:
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    module = str(type(value).__module__)
    if module.startswith("numpy"):
        return _encode_numpy(value)
    if module.startswith("sympy"):
        import sympy

        if isinstance(value, (sympy.Basic, sympy.MatrixBase)):
            return {"sympy": sympy.srepr(value)}
    if (module == "grader" or module.startswith("grader.")) and dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        if any(not f.init for f in fields):
            raise Unstorable(f"{type(value).__name__} has fields set outside __init__")
        return {"object": f"{module}:{type(value).__qualname__}",
                "fields": {f.name: encode(getattr(value, f.name)) for f in fields}}
    raise Unstorable(f"cannot store a {module}.{type(value).__qualname__}")


def _encode_numpy(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"ndarray": value.tolist(), "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"scalar": encode(value.item()), "dtype": value.dtype.str}
    raise Unstorable(f"cannot store numpy {type(value).__name__} of dtype {getattr(value, 'dtype', '?')}")


def decode(data: Any) -> Any:
    """The value `encode` wrote; raises ValueError (or TypeError, KeyError) on anything else."""
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict) or len(data) not in (1, 2, 3):
        raise ValueError("not a stored value")
    if "tuple" in data:
        return tuple(decode(item) for item in data["tuple"])
    if "dict" in data:
        return {decode(k): decode(v) for k, v in data["dict"]}
    if "float" in data:
        return float(data["float"])
    if "ndarray" in data:
        import numpy as np

        return np.array(data["ndarray"], dtype=np.dtype(data["dtype"])).reshape(data["shape"])
    if "scalar" in data:
        import numpy as np

        return np.dtype(data["dtype"]).type(decode(data["scalar"]))
    if "sympy" in data:
        return read_srepr(data["sympy"])
    if "object" in data:
        return _decode_object(data["object"], data["fields"])
    raise ValueError("not a stored value")


def _decode_object(name: str, fields: dict[str, Any]) -> Any:
    module_name, _, qualname = name.partition(":")
    if not (module_name == "grader" or module_name.startswith("grader.")) or not qualname.isidentifier():
        raise ValueError(f"not one of the grader's own classes: {name}")
    cls = getattr(importlib.import_module(module_name), qualname)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"not a dataclass: {name}")
    return cls(**{key: decode(value) for key, value in fields.items()})


def same(a: Any, b: Any) -> bool:
    """Whether two solver results are the same value of the same types (arrays by content)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if str(type(a).__module__).startswith("numpy"):
        import numpy as np

        return a.dtype == b.dtype and np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, float):
        return repr(a) == repr(b)
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if str(type(a).__module__).startswith("sympy"):
        import sympy

        return bool(a == b) and sympy.srepr(a) == sympy.srepr(b)
    return bool(a == b)


# ----- srepr read back without eval ---------------------------------------------------------------


def read_srepr(text: str) -> Any:
    """Rebuild a sympy object from its `srepr`: only sympy classes, sympy constants and literals."""
    if not isinstance(text, str) or len(text) > MAX_SREPR_CHARS:
        raise ValueError("not an srepr text")
    return _build(ast.parse(text, mode="eval").body)


def _build(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, str, bool, type(None)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        operand = _build(node.operand)
        if type(operand) not in (int, float):
            raise ValueError("minus applies to numbers only")
        return -operand
    if isinstance(node, ast.List):
        return [_build(item) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_build(item) for item in node.elts)
    if isinstance(node, ast.Name):
        return _sympy_name(node.id)
    if isinstance(node, ast.Call):
        func = _build(node.func)
        if not _is_sympy_class(func):
            raise ValueError("only sympy classes may be called")
        args = [_build(arg) for arg in node.args]
        # sympy reads a string given to most constructors as code: strings only go where srepr
        # puts names and digits, and keywords are flags and numbers.
        if func.__name__ not in _TAKES_TEXT and any(_has_text(arg) for arg in args):
            raise ValueError(f"{func.__name__} does not take text")
        kwargs = {}
        for keyword in node.keywords:
            value = _build(keyword.value)
            if keyword.arg is None or type(value) not in (bool, int, type(None)):
                raise ValueError("keywords take flags and numbers only")
            kwargs[keyword.arg] = value
        return func(*args, **kwargs)
    raise ValueError(f"unexpected {type(node).__name__} in srepr text")


_TAKES_TEXT = {"Symbol", "Dummy", "Wild", "Float", "Function", "Str"}


def _has_text(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_has_text(item) for item in value)
    return isinstance(value, str)


def _is_sympy_class(obj: Any) -> bool:
    import sympy

    return isinstance(obj, type) and issubclass(obj, (sympy.Basic, sympy.MatrixBase))


_NAMES: dict[str, Any] = {}


def _sympy_name(name: str) -> Any:
    """A sympy class (any loaded subclass of Basic or MatrixBase defined by sympy) or constant."""
    if name not in _NAMES:  # (re)built on a miss: classes of sympy modules imported since count too
        import sympy

        pending: list[type] = [sympy.Basic, sympy.MatrixBase]
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            if str(getattr(cls, "__module__", "")).startswith("sympy.") and cls.__name__.isidentifier():
                _NAMES.setdefault(cls.__name__, cls)
        for attr in dir(sympy):
            value = getattr(sympy, attr)
            if isinstance(value, sympy.Basic) or (isinstance(value, type) and _is_sympy_class(value)):
                _NAMES[attr] = value
    if name not in _NAMES:
        raise ValueError(f"{name} is not a sympy class or constant")
    return _NAMES[name]
