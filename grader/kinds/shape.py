"""Tensor shapes such as 28x28x1, written in any of the usual ways."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from grader.kinds._numbers import NumberError, describe_type, normalise_text, parse_integer
from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict

MAX_DIMS = 8
MAX_SHAPE_TEXT = 200
_SEPARATORS = re.compile(r"\s*(?:[x×X*,;]|\s)\s*")
_BRACKETS = "[]()"
DIM_NAMES = {
    "HWC": ("height", "width", "number of channels"),
    "CHW": ("number of channels", "height", "width"),
}


class ShapeOptions(KindOptions):
    convention: Literal["HWC", "CHW"] = "HWC"
    # When the question asks only for spatial dimensions, a full H x W x C answer is still read.
    spatial_only: bool = False


class ShapeKind(Kind[ShapeOptions, tuple[int, ...]]):
    name: ClassVar[str] = "shape"
    description: ClassVar[str] = "a shape such as 28x28x1, [28, 28, 1] or (28, 28, 1)"
    Options: ClassVar[type[KindOptions]] = ShapeOptions

    def parse(self, raw: Any, options: ShapeOptions) -> tuple[int, ...] | InvalidAnswer:
        items: list[Any]
        if isinstance(raw, (list, tuple)):
            items = list(raw)
        elif isinstance(raw, str):
            text = normalise_text(raw)
            if len(text) > MAX_SHAPE_TEXT:
                return InvalidAnswer(f"this shape is too long ({len(text)} characters)")
            text = text.strip(_BRACKETS + " ")
            items = [t for t in _SEPARATORS.split(text) if t] if text else []
        elif isinstance(raw, int) and not isinstance(raw, bool):
            items = [raw]
        else:
            return InvalidAnswer(f"expected a shape such as 28x28x1, got {describe_type(raw)}")
        if not items:
            return InvalidAnswer("expected a shape such as 28x28x1, got an empty value")
        if len(items) > MAX_DIMS:
            return InvalidAnswer(f"a shape has at most {MAX_DIMS} dimensions, this one has {len(items)}")
        dims = []
        for position, item in enumerate(items, start=1):
            try:
                dim = parse_integer(item)
            except NumberError as err:
                return InvalidAnswer(f"dimension {position} of the shape: {err}")
            if dim <= 0:
                return InvalidAnswer(f"dimension {position} of the shape is {dim}; sizes are positive")
            dims.append(dim)
        return tuple(dims)

    def compare(self, value: tuple[int, ...], expected: Any, options: ShapeOptions) -> Verdict:
        expected = tuple(int(d) for d in expected)
        notes: list[str] = []
        if options.spatial_only and len(value) == len(expected) + 1:
            value = value[: len(expected)]
            notes.append("Only the spatial dimensions were asked for; the depth was not graded.")
        if value == expected:
            return Verdict.correct(*notes)
        if len(value) != len(expected):
            return Verdict.incorrect(self._length_message(len(value), len(expected), options))
        if _is_other_convention(value, expected, options.convention):
            other = "CHW" if options.convention == "HWC" else "HWC"
            order = " × ".join(DIM_NAMES[options.convention])
            return Verdict.incorrect(
                f"You wrote the shape in {other} order; this tutorial writes shapes as {order}."
            )
        names = _dim_names(len(expected), options)
        wrong = [names[i] for i, (a, b) in enumerate(zip(value, expected, strict=False)) if a != b]
        return Verdict.incorrect(f"The {_join(wrong)} of your shape {'is' if len(wrong) == 1 else 'are'} not right.")

    def render(self, value: Any) -> str:
        return " x ".join(str(int(d)) for d in value)

    def _length_message(self, got: int, want: int, options: ShapeOptions) -> str:
        names = " × ".join(_dim_names(want, options))
        return f"Your shape has {got} dimension{'s' if got != 1 else ''}; the question asks for {want} ({names})."

    def examples(self) -> list[Example]:
        return [
            Example([28, 28, 1], (28, 28, 1), "correct"),
            Example("28x28x1", (28, 28, 1), "correct"),
            Example("28 × 28 × 1", (28, 28, 1), "correct"),
            Example("(28, 28, 1)", (28, 28, 1), "correct"),
            Example("28*28*1", (28, 28, 1), "correct"),
            Example("[28, 28, 1]", (28, 28, 1), "correct"),
            Example("32x32x10", (32, 32), "correct", {"spatial_only": True}),
            Example("1x28x28", (28, 28, 1), "incorrect"),
            Example("28x28", (28, 28, 1), "incorrect"),
            Example("27x27x1", (28, 28, 1), "incorrect"),
            Example("28 by 28", (28, 28, 1), "invalid"),
            Example("0x28x1", (28, 28, 1), "invalid"),
            Example({"h": 28}, (28, 28, 1), "invalid"),
        ]


def _is_other_convention(value: tuple[int, ...], expected: tuple[int, ...], convention: str) -> bool:
    if len(expected) != 3:
        return False
    if convention == "HWC":
        return value == (expected[2], expected[0], expected[1])
    return value == (expected[1], expected[2], expected[0])


def _dim_names(count: int, options: ShapeOptions) -> tuple[str, ...]:
    names = DIM_NAMES[options.convention]
    if count == 3:
        return names
    if count == 2:
        return ("height", "width")
    return tuple(f"dimension {i + 1}" for i in range(count))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
