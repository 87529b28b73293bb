"""Numeric matrices: nested lists, a string of nested lists, or rows on lines or split by `;`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from grader.kinds._numbers import NumberError, describe_type, format_number, normalise_text, parse_number
from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict

MAX_ROWS = 50
MAX_COLS = 50
MAX_MATRIX_TEXT = 20_000
MAX_LISTED_ENTRIES = 8
_TOKEN = re.compile(r"\s*(\[|\]|,|;|[^\s\[\],;]+)")


class MatrixOptions(KindOptions):
    abs_tol: float = Field(default=1e-6, ge=0)
    rel_tol: float = Field(default=1e-6, ge=0)
    # Credit in proportion to the share of right entries when the shape is right.
    partial_credit: bool = False


class MatrixKind(Kind[MatrixOptions, np.ndarray]):
    name: ClassVar[str] = "matrix"
    description: ClassVar[str] = (
        "a matrix as a list of rows, e.g. [[1, 2], [3, 4]], or rows on separate lines, or '1 2; 3 4'"
    )
    Options: ClassVar[type[KindOptions]] = MatrixOptions

    def parse(self, raw: Any, options: MatrixOptions) -> np.ndarray | InvalidAnswer:
        try:
            rows = _rows_from_raw(raw)
            return _to_array(rows)
        except NumberError as err:
            return InvalidAnswer(f"{err}. Write the matrix as a list of rows, e.g. [[1, 2], [3, 4]].")

    def compare(self, value: np.ndarray, expected: Any, options: MatrixOptions) -> Verdict:
        expected = np.asarray(expected, dtype=float)
        if value.shape != expected.shape:
            return Verdict.incorrect(
                f"Your matrix is {_shape(value)}, but the answer is a {_shape(expected)} matrix."
            )
        close = np.isclose(value, expected, rtol=options.rel_tol, atol=options.abs_tol)
        if close.all():
            return Verdict.correct()
        wrong = [(int(r) + 1, int(c) + 1) for r, c in zip(*np.nonzero(~close), strict=False)]
        listed = ", ".join(f"(row {r}, column {c})" for r, c in wrong[:MAX_LISTED_ENTRIES])
        more = f" and {len(wrong) - MAX_LISTED_ENTRIES} more" if len(wrong) > MAX_LISTED_ENTRIES else ""
        message = f"{len(wrong)} of {close.size} entries are wrong: {listed}{more}."
        if options.partial_credit:
            return Verdict.partial(float(close.mean()), message)
        return Verdict.incorrect(message)

    def render(self, value: Any) -> str:
        array = np.asarray(value, dtype=float)
        return "[" + ", ".join("[" + ", ".join(format_number(x) for x in row) + "]" for row in array) + "]"

    def read_form(self, value: Any) -> Any:
        from grader.reading import matrix_reading

        array = np.asarray(value, dtype=float)
        return matrix_reading([[format_number(x) for x in row] for row in array])

    def examples(self) -> list[Example]:
        m = [[1.5, 0.0], [0.0, 2.2]]
        return [
            Example(m, m, "correct"),
            Example("[[1.5, 0], [0, 2.2]]", m, "correct"),
            Example("1.5 0\n0 2.2", m, "correct"),
            Example("1.5 0; 0 2.2", m, "correct"),
            Example(["1.5, 0", "0, 2.2"], m, "correct"),
            Example("[[1.5, 0], [0, −2.2]]", m, "incorrect"),
            Example("[[1.5, 0, 0], [0, 2.2, 0]]", m, "incorrect"),
            Example([[1.5, 0], [0, 2.0]], m, "partial", {"partial_credit": True}),
            Example("[[1.5, 0], [0, 2.2]", m, "invalid"),
            Example("[[1.5, 0], [0]]", m, "invalid"),
            Example("[[1.5, zero], [0, 2.2]]", m, "invalid"),
        ]


def _shape(array: np.ndarray) -> str:
    return "×".join(str(n) for n in array.shape) if array.ndim == 2 else f"{array.ndim}-dimensional"


def _rows_from_raw(raw: Any) -> list[list[Any]]:
    if isinstance(raw, str):
        return _rows_from_text(raw)
    if isinstance(raw, list):
        if not raw:
            raise NumberError("the matrix is empty")
        if all(isinstance(row, list) for row in raw):
            return raw
        if all(isinstance(row, str) for row in raw):
            return [_split_row(row, i + 1) for i, row in enumerate(raw)]
        if not any(isinstance(row, (list, dict)) for row in raw):
            return [raw]
        raise NumberError("mix of rows and numbers at the top level of the matrix")
    raise NumberError(f"expected a matrix, got {describe_type(raw)}")


def _rows_from_text(text: str) -> list[list[Any]]:
    text = normalise_text(text)
    if not text:
        raise NumberError("the matrix is empty")
    if len(text) > MAX_MATRIX_TEXT:
        raise NumberError(f"this matrix is too long ({len(text)} characters)")
    if text.startswith("["):
        return _parse_brackets(text)
    separator = ";" if ";" in text else "\n"
    lines = [line for line in text.split(separator) if line.strip()]
    return [_split_row(line, i + 1) for i, line in enumerate(lines)]


def _split_row(line: str, number: int) -> list[str]:
    entries = [e for e in re.split(r"[\s,]+", line.strip().strip("[]")) if e]
    if not entries:
        raise NumberError(f"row {number} is empty")
    return entries


def _parse_brackets(text: str) -> list[list[Any]]:
    """A tiny recursive-descent reader for `[[1, 2], [3, 4]]` (two levels, nothing else)."""
    tokens = [(m.group(1), m.start(1)) for m in _TOKEN.finditer(text)]
    if sum(len(t) for t, _ in tokens) != len(re.sub(r"\s", "", text)):
        raise NumberError("the matrix contains characters that are not numbers, brackets or commas")
    pos = 0

    def expect(token: str) -> None:
        nonlocal pos
        if pos >= len(tokens):
            raise NumberError(f"expected '{token}' at the end of the matrix; a bracket is missing")
        if tokens[pos][0] != token:
            raise NumberError(f"expected '{token}' at character {tokens[pos][1] + 1}, found '{tokens[pos][0]}'")
        pos += 1

    def read_list(depth: int) -> list[Any]:
        nonlocal pos
        expect("[")
        items: list[Any] = []
        while pos < len(tokens) and tokens[pos][0] != "]":
            if items:
                expect(",")
            if pos < len(tokens) and tokens[pos][0] == "[":
                if depth >= 2:
                    raise NumberError("a matrix has two levels of brackets, this one has more")
                items.append(read_list(depth + 1))
            elif pos < len(tokens) and tokens[pos][0] not in "[],;":
                items.append(tokens[pos][0])
                pos += 1
            else:
                found = tokens[pos][0] if pos < len(tokens) else "the end"
                raise NumberError(f"expected a number or '[', found '{found}'")
        expect("]")
        return items

    rows = read_list(1)
    if pos != len(tokens):
        raise NumberError(f"unexpected '{tokens[pos][0]}' after the end of the matrix")
    return rows if rows and all(isinstance(r, list) for r in rows) else [rows]


def _to_array(rows: list[list[Any]]) -> np.ndarray:
    if len(rows) > MAX_ROWS or any(isinstance(r, list) and len(r) > MAX_COLS for r in rows):
        raise NumberError(f"the matrix is larger than {MAX_ROWS}×{MAX_COLS}")
    width = len(rows[0])
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise NumberError(f"row {number} is not a list of numbers")
        if len(row) != width:
            raise NumberError(f"row {number} has {len(row)} entries but row 1 has {width}")
    values = np.empty((len(rows), width))
    for r, row in enumerate(rows):
        for c, entry in enumerate(row):
            try:
                values[r, c] = parse_number(entry)
            except NumberError as err:
                raise NumberError(f"row {r + 1}, column {c + 1}: {err}") from None
    return values
