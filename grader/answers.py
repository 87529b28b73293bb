"""Reading a student's answer file (YAML, TOML, JSON, Markdown or a notebook) into a Submission, with bounds."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from grader.errors import SubmissionNotFound, SubmissionUnreadable
from grader.limits import LIMITS
from grader.spec.yamlsafe import YamlError, key_lines, load_yaml
from grader.submission import Submission as Submission  # re-exported: readers return it

MAX_FILE_BYTES = LIMITS.max_file_bytes
# Integers longer than this are refused: no answer needs one, and Python will not print them.
MAX_INTEGER_DIGITS = LIMITS.max_integer_digits
_MAX_INTEGER_BITS = int(MAX_INTEGER_DIGITS * 3.3219)  # log2(10) bits per digit, rounded down
_LONG_DIGITS = re.compile(rf"[0-9a-fA-F_]{{{MAX_INTEGER_DIGITS},}}")
_SURROGATE = re.compile("[\ud800-\udfff]")
META_KEYS = ("student", "problem_set", "variant")
IGNORED_KEYS = ("_prompts",)
FORMATS = {
    ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json",
    ".md": "markdown", ".markdown": "markdown", ".ipynb": "notebook",
}


def read_submission(path: str | Path) -> Submission:
    """Read an answer file; raise SubmissionUnreadable with line and column when it is malformed."""
    path = Path(path)
    if path.is_dir():
        raise SubmissionNotFound(
            f"{path} is a folder, not an answer file; give one file, or grade the whole folder "
            f"with: grader grade {path} --set SET"
        )
    if not path.is_file():
        raise SubmissionNotFound(f"No answer file at {path}.")
    check_size(path, path.stat().st_size)
    return decode_submission(path.read_bytes(), path)


def check_size(path: str | Path, size: int) -> None:
    """Refuse an answer file larger than MAX_FILE_BYTES before anything reads it."""
    if size > MAX_FILE_BYTES:
        raise SubmissionUnreadable(
            f"{path}: the file is {size // 1000} kB; answer files are limited to {MAX_FILE_BYTES // 1000} kB."
        )


def decode_submission(raw: bytes, path: str | Path) -> Submission:
    """Parse the bytes of an answer file already read (batch grading reads each file once)."""
    path = Path(path)
    check_size(path, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SubmissionUnreadable(f"{path}: byte {err.start + 1} is not UTF-8; save the file as UTF-8.") from None
    return parse_submission(text, fmt=detect_format(path, text), path=str(path))


def detect_format(path: Path, text: str) -> str:
    """The format from the file name, else from the first character."""
    if path.suffix.lower() in FORMATS:
        return FORMATS[path.suffix.lower()]
    return "json" if text.lstrip().startswith("{") else "yaml"


def parse_submission(text: str, *, fmt: str = "yaml", path: str | None = None) -> Submission:
    """Parse answer-file text of the given format."""
    name = path or "<answers>"
    if len(text) > MAX_FILE_BYTES:
        raise SubmissionUnreadable(f"{name}: the file is larger than {MAX_FILE_BYTES // 1000} kB.")
    try:
        if fmt in ("markdown", "notebook"):
            from grader.answer_documents import parse_markdown, parse_notebook

            document = (parse_markdown if fmt == "markdown" else parse_notebook)(text, name)
            meta = {"student": document.student, "problem_set": document.problem_set}
            _refuse_unprintable({**meta, **document.answers}, name, document.lines)
            return document
        data, lines = _LOADERS[fmt](text, name)
    except ValueError as err:  # Python's limit on converting long integers, raised by every reader
        if "digits" in str(err):
            raise _huge_number(text, name) from None
        raise SubmissionUnreadable(f"{name}: the file cannot be read ({err}).") from None
    _refuse_unprintable(data, name, lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SubmissionUnreadable(
            f"{name}: line 1: expected 'part id: answer' lines, found a {type(data).__name__} at the top level."
        )
    if isinstance(data.get("answers"), dict):
        meta = {k: v for k, v in data.items() if k != "answers"}
        data = {**meta, **data["answers"]}
    student = data.get("student")
    problem_set = data.get("problem_set")
    answers = {
        str(k): v for k, v in data.items() if k not in META_KEYS and k not in IGNORED_KEYS
    }
    return Submission(
        student=None if student is None else str(student),
        problem_set=None if problem_set is None else str(problem_set),
        answers=answers,
        lines=lines,
        path=path,
    )


def _huge_number(text: str, name: str) -> SubmissionUnreadable:
    match = _LONG_DIGITS.search(text)
    where = f" line {text.count(chr(10), 0, match.start()) + 1}:" if match else ""
    return SubmissionUnreadable(
        f"{name}:{where} a number has more than {MAX_INTEGER_DIGITS} digits; no answer needs one that "
        "long. Shorten it, or write it as text in quotes."
    )


def _refuse_unprintable(data: Any, name: str, lines: dict[str, int]) -> None:
    """Refuse text that cannot be printed or stored (lone surrogates) and integers too long to show.

    One pass over every key and value, without recursion (the loaders have bounded the nesting).
    """
    stack: list[tuple[Any, str | None]] = [(data, None)]
    while stack:
        value, top = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                label = top if top is not None else (key if isinstance(key, str) else None)
                stack.append((key, label))
                stack.append((item, label))
        elif isinstance(value, list | tuple):
            stack.extend((item, top) for item in value)
        elif isinstance(value, str) and (surrogate := _SURROGATE.search(value)):
            bad = surrogate.group()
            raise SubmissionUnreadable(
                f"{name}:{_where(top, lines)} the text contains {bad!a}, half of a UTF-16 surrogate pair "
                "and not a character; retype that text and save the file as UTF-8."
            )
        elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INTEGER_BITS:
            raise SubmissionUnreadable(
                f"{name}:{_where(top, lines)} a number has more than {MAX_INTEGER_DIGITS} digits; no answer "
                "needs one that long. Shorten it, or write it as text in quotes."
            )


def _where(key: str | None, lines: dict[str, int]) -> str:
    if key is None or _SURROGATE.search(key):
        return ""
    shown = key if len(key) <= 40 else key[:40] + "..."
    line = lines.get(key)
    return f" line {line} ({shown}):" if line else f" {shown}:"


def _load_yaml(text: str, name: str) -> tuple[Any, dict[str, int]]:
    try:
        data, node = load_yaml(text)
    except YamlError as err:
        where = f" {err.where()}:" if err.line else ""
        raise SubmissionUnreadable(f"{name}:{where} {err.message}.") from None
    lines = key_lines(node)
    answers_node = _child(node, "answers")
    if answers_node is not None:
        lines.update(key_lines(answers_node))
    return data, lines


def _child(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    return None


def _load_json(text: str, name: str) -> tuple[Any, dict[str, int]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SubmissionUnreadable(f"{name}: line {err.lineno}, column {err.colno}: {err.msg}.") from None
    except RecursionError:
        raise SubmissionUnreadable(f"{name}: the document is nested too deeply.") from None
    return data, _first_lines(text, _JSON_KEY)


def _load_toml(text: str, name: str) -> tuple[Any, dict[str, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SubmissionUnreadable(f"{name}: {err}.") from None
    except RecursionError:
        raise SubmissionUnreadable(f"{name}: the document is nested too deeply.") from None
    lines = _first_lines(text, _TOML_KEY)
    # Unquoted dotted keys (q1.a = ...) arrive as nested tables: join them back into part ids.
    return _flatten(data), lines


_JSON_KEY = re.compile(r'\s*"([^"]+)"\s*:')
_TOML_KEY = re.compile(r'\s*"?([^"=]+?)"?\s*=')


def _first_lines(text: str, key: re.Pattern[str]) -> dict[str, int]:
    """Key -> the 1-based line where it first appears (the parsers of JSON and TOML keep none)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = key.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and key != "answers":
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


_LOADERS = {"yaml": _load_yaml, "json": _load_json, "toml": _load_toml}
