"""Loading rubrics: from a file (relative paths resolved against the problem-set folder) or inline.

`part_options` is the one hook the engine calls for every part: it returns the part's options
with a relative `rubric` path made absolute (inside the problem-set folder) and the question
added as `prompt`, so the text kind can find its rubric and recognise copied questions. Options
without a `rubric` key are returned unchanged, so the hook is safe for every kind.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from grader.errors import SpecInvalid
from grader.rubric import prefilter
from grader.rubric.examples import cached_index_path, example_set, index_key, read_index
from grader.rubric.model import (
    RUBRIC_SCHEMA_VERSION,
    ConceptSpec,
    ExpressionError,
    FormulaSpec,
    GroupSpec,
    MisconceptionSpec,
    PhraseSpec,
    RegexSpec,
    Rubric,
    RubricSpec,
    SizesSpec,
    compile_rubric,
    pattern_sources,
)

MAX_RUBRIC_BYTES = 200_000
PREPARED_FOLDER = prefilter.PREPARED_FOLDER  # a set's shipped indexes of its rubrics, beside them
DATA_FOLDER = "data"  # in PREPARED_FOLDER, and in the cache folder: a rubric file's fields as JSON
DATA_FORMAT = 1


class RubricInvalid(SpecInvalid):
    """A rubric file or inline rubric does not load or does not pass validation."""


class RubricNotFound(SpecInvalid):
    """A rubric path that does not lead to a file."""


def part_options(options: Mapping[str, Any], root: str | Path, prompt: str = "") -> dict[str, Any]:
    """A part's options ready for its kind: a relative `rubric` path resolved against `root`
    (the problem-set folder) and the question passed as `prompt`; other options untouched."""
    resolved = dict(options)
    if "rubric" not in resolved:
        return resolved
    rubric = resolved["rubric"]
    if isinstance(rubric, str):
        resolved["rubric"] = str(resolve_rubric_path(rubric, root))
    if prompt and not resolved.get("prompt"):
        resolved["prompt"] = prompt
    return resolved


def resolve_rubric_path(path: str | Path, root: str | Path) -> Path:
    """A rubric path relative to the problem-set folder, refused if it leaves that folder."""
    path = Path(path)
    if path.is_absolute():
        return path
    base = Path(root).resolve()
    full = (base / path).resolve()
    if base != full and base not in full.parents:
        raise RubricInvalid(f"The rubric path {str(path)!r} leads outside the problem-set folder {base}; "
                            "keep rubrics inside it, e.g. rubrics/<part id>.yaml.")
    return full


def load_rubric(source: str | Path | Mapping[str, Any] | Rubric) -> Rubric:
    """A compiled rubric from an absolute path, an inline mapping, or a Rubric (returned as is)."""
    if isinstance(source, Rubric):
        return source
    if isinstance(source, Mapping):
        return _from_data(dict(source), "inline rubric", None)
    path = Path(source)
    if not path.is_absolute():
        raise RubricNotFound(
            f"The rubric path {str(path)!r} is relative and no problem-set folder was given to resolve it; "
            "grade through the problem set (the engine resolves it) or pass an absolute path."
        )
    if not path.is_file():
        near = difflib.get_close_matches(path.name, [p.name for p in path.parent.glob("*.yaml")], n=1) \
            if path.parent.is_dir() else []
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise RubricNotFound(f"No rubric file at {path}{hint}; create it or fix the part's 'rubric' option.")
    stat = path.stat()
    rubric = _load_file(str(path), stat.st_mtime_ns, stat.st_size)
    if not rubric.spec.examples:
        return rubric
    return _with_examples(str(path), stat.st_mtime_ns, stat.st_size, _example_files(rubric.spec, str(path)))


@lru_cache(maxsize=128)
def _load_file(path: str, mtime_ns: int, size: int) -> Rubric:
    """Read, validate and compile a rubric file; cached while the file is unchanged."""
    if size > MAX_RUBRIC_BYTES:
        raise RubricInvalid(f"{path}: the rubric is {size // 1000} kB; rubrics are limited to "
                            f"{MAX_RUBRIC_BYTES // 1000} kB.")
    text = Path(path).read_text(encoding="utf-8")
    folder = Path(path).parent
    known = prefilter.known_patterns(folder)
    key = data_key(text)
    rubric = None
    cached = cached_data_path(path)
    for place in (prepared_data_path(path), cached):  # the fields as JSON: no YAML to read
        data = read_data(place, key) if place is not None else None
        if data is not None:
            try:
                rubric = _from_data(data, path, None, known, in_file=True)
                break
            except RubricInvalid:  # kept by an older grader: the YAML is read, so errors have lines
                rubric = None
    if rubric is None:
        data, node = _read_yaml(path, text)
        rubric = _from_data(data, path, node, known, in_file=True)
        if cached is not None:
            write_data(cached, data, key)
    prefilter.remember(folder, [s for s in pattern_sources(rubric.spec) if s not in known])
    return rubric


def read_rubric_fields(path: str | Path, text: str) -> dict[str, Any]:
    """The fields of a rubric file's text, read from its YAML (RubricInvalid when they cannot be)."""
    return _read_yaml(str(path), text)[0]


def _read_yaml(path: str, text: str) -> tuple[dict[str, Any], Any]:
    """The fields of a rubric file, and its node tree for the lines of errors."""
    # Imported here: grader.spec imports the kind registry, which imports this package.
    from grader.spec.yamlsafe import YamlError, load_yaml

    try:
        data, node = load_yaml(text, allow_aliases=True)
    except YamlError as err:
        raise RubricInvalid(f"{path}:{err.line or '?'}: {err.message}") from None
    if not isinstance(data, dict):
        raise RubricInvalid(f"{path}:1: expected a mapping of fields (schema_version, points, concepts, ...)")
    return data, node


def _from_data(data: dict[str, Any], where: str, node: Any,
               known: Mapping[str, prefilter.Needs] | None = None, *, in_file: bool = False) -> Rubric:
    from grader.spec.yamlsafe import line_of

    version = data.get("schema_version")
    if version != RUBRIC_SCHEMA_VERSION:
        line = line_of(node, ["schema_version"]) if node is not None else None
        raise RubricInvalid(f"{where}:{line or 1}: schema_version is {version!r}; this grader reads rubric "
                            f"schema_version {RUBRIC_SCHEMA_VERSION}.")
    try:
        spec = RubricSpec.model_validate(data)
    except ValidationError as err:
        messages = []
        for item in err.errors():
            loc = [p for p in item["loc"] if not (isinstance(p, str) and p.startswith(("function-", "str", "PhraseSpec",
                                                                                       "RegexSpec", "SizesSpec",
                                                                                       "FormulaSpec")))]
            field = ".".join(str(p) for p in loc) or "(top level)"
            line = line_of(node, loc) if node is not None else None
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                message = "unknown field" + _did_you_mean(str(loc[-1]) if loc else "")
            messages.append(f"{where}:{line or '?'}: {field}: {message}")
        raise RubricInvalid("The rubric has errors:\n  " + "\n  ".join(dict.fromkeys(messages))) from None
    try:
        rubric = compile_rubric(spec, where, known)
    except ExpressionError as err:
        raise RubricInvalid(f"{where}: {err}") from None
    if spec.examples and not in_file:
        raise RubricInvalid(f"{where}: 'examples' names files, so it needs a rubric file; move the rubric "
                            "into rubrics/<part id>.yaml.")
    return rubric


def _example_files(spec: RubricSpec, where: str) -> tuple[tuple[str, int, int], ...]:
    """The files `examples` names (paths or globs relative to the rubric's folder, which they may
    not leave), in the order given, each pattern's matches sorted, with their modification time
    and size, so that an edited example file is read again."""
    folder = Path(where).parent
    found: list[tuple[str, int, int]] = []
    for pattern in spec.examples:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise RubricInvalid(f"{where}: examples: {pattern!r} must be a path inside the rubric's folder "
                                f"{folder}, e.g. examples/<part id>.yaml.")
        paths = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not paths:
            raise RubricInvalid(f"{where}: examples: no file matches {pattern!r} in {folder}.")
        for path in paths:
            stat = path.stat()
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@lru_cache(maxsize=128)
def _with_examples(path: str, mtime_ns: int, size: int, files: tuple[tuple[str, int, int], ...]) -> Rubric:
    """The rubric of a file with its graded examples: its model answers (full marks), then the
    answers of the example files; cached while none of these files changes."""
    from grader.rubric.samples import SamplesInvalid, load_samples
    from grader.rubric.score import AnswerProblem, answer_text

    rubric = _load_file(path, mtime_ns, size)
    spec = rubric.spec
    key, cached = _index_key(path, spec.points, spec.model_answers, files)
    for place in (prepared_index_path(path), cached):
        prepared = read_index(place, key) if place is not None and key else None
        if prepared is not None:
            return replace(rubric, examples=prepared)
    found = [(answer, 1.0, "model answer") for answer in spec.model_answers]
    for name, _, _ in files:
        try:
            samples = load_samples(name)
        except SamplesInvalid as err:
            raise RubricInvalid(f"{path}: examples: {err}") from None
        for number, sample in enumerate(samples, start=1):
            if sample.expected_points is None:
                raise RubricInvalid(f"{name}: item {number} has no expected_points; a graded example needs "
                                    "the points an instructor gives it.")
            try:
                text = answer_text(sample.answer)
            except AnswerProblem as err:
                raise RubricInvalid(f"{name}: item {number}: {err}") from None
            found.append((text, sample.expected_points / spec.points, sample.note))
    return replace(rubric, examples=example_set(found, key, cached))


def data_key(text: str) -> str:
    """The key of a rubric file's fields as JSON: its text, and what reads it."""
    import yaml

    head = f"rubric data {DATA_FORMAT} pyyaml {yaml.__version__}\0"
    return hashlib.sha256(head.encode() + text.encode("utf-8", "surrogatepass")).hexdigest()


def prepared_data_path(rubric_path: str | Path) -> Path:
    """Where a set ships a rubric file's fields as JSON, `prepared/data/<rubric>.json` beside it:
    read instead of the YAML while the file is as it was when `grader rubric-index` wrote them."""
    path = Path(rubric_path)
    return path.parent / PREPARED_FOLDER / DATA_FOLDER / f"{path.stem}.json"


def cached_data_path(rubric_path: str | Path) -> Path | None:
    """Where the cache folder keeps a rubric file's fields as JSON (None when caching is off)."""
    from grader.cachedir import cache_folder, path_name

    folder = cache_folder("rubrics")  # one file per rubric path: an edit replaces it
    return None if folder is None else folder / f"{path_name(rubric_path)}.json"


def read_data(path: Path, key: str) -> dict[str, Any] | None:
    """The fields a data file holds for the rubric text of `key`; None when there is no such
    file, it is damaged, or it was written for another text."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != DATA_FORMAT or stored.get("key") != key:
        return None
    data = stored.get("data")
    return data if isinstance(data, dict) else None


def write_data(path: Path, data: dict[str, Any], key: str) -> bool:
    """Keep a rubric file's fields as JSON, atomically; not when JSON would read them back otherwise
    (a key that is not a string, a date, ...) or the folder is not writable."""
    from grader.cachedir import write_atomically

    try:
        text = json.dumps({"format": DATA_FORMAT, "key": key, "data": data}, ensure_ascii=False,
                          separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return False
    if json.loads(text)["data"] != data:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return write_atomically(path, text.encode("utf-8"))


def prepared_index_path(rubric_path: str | Path) -> Path:
    """Where a set ships the index of a rubric's examples: `prepared/<rubric>.json` beside it."""
    path = Path(rubric_path)
    return path.parent / PREPARED_FOLDER / f"{path.stem}.json"


def _index_key(path: str, points: float, model_answers: list[str],
               files: tuple[tuple[str, int, int], ...]) -> tuple[str, Path | None]:
    """The key of a rubric's examples as their files are now ("" when a file cannot be read), and
    where the cache folder keeps their index (None when caching is off)."""
    folder = Path(path).parent
    try:
        contents = [(Path(name).relative_to(folder).as_posix(), Path(name).read_bytes()) for name, _, _ in files]
    except (OSError, ValueError):
        return "", None
    key = index_key(points, model_answers, contents)
    return key, cached_index_path(path, key)


# Every field name of the schema, for "did you mean": read from the models, so a new field is
# offered as soon as it exists.
_FIELDS = list(dict.fromkeys(
    name for model in (RubricSpec, ConceptSpec, MisconceptionSpec, GroupSpec, PhraseSpec, RegexSpec, SizesSpec,
                  FormulaSpec)
    for name in model.model_fields
))


def _did_you_mean(name: str) -> str:
    near = difflib.get_close_matches(name, _FIELDS, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""
