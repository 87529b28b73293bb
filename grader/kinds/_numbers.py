"""Reading plain numbers from untrusted answers without ever evaluating them."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

MAX_NUMBER_TEXT = 64
UNICODE_MINUS = {"\u2212": "-", "\u2013": "-", "\u2012": "-", "\uff0d": "-"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")
_FRACTION = re.compile(r"^([+-]?\d{1,30})\s*/\s*(\d{1,30})$")


class NumberError(ValueError):
    """The text is not a number; the message says why in a student's words."""


def normalise_text(text: str) -> str:
    """Replace look-alike characters students paste from documents."""
    for bad, good in UNICODE_MINUS.items():
        text = text.replace(bad, good)
    return text.replace("\u00a0", " ").strip()


def parse_number(raw: Any) -> float:
    """A finite float from an int, a float or a string such as `1.5`, `-3`, `1e-3` or `3/4`."""
    if isinstance(raw, bool):
        raise NumberError(f"expected a number, got the boolean {str(raw).lower()}")
    if isinstance(raw, int):
        if abs(raw) > 10**30:
            raise NumberError("this number is too large")
        return float(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NumberError("expected a finite number")
        return raw
    if not isinstance(raw, str):
        raise NumberError(f"expected a number, got {describe_type(raw)}")
    text = normalise_text(raw)
    if not text:
        raise NumberError("expected a number, got an empty value")
    if len(text) > MAX_NUMBER_TEXT:
        raise NumberError(f"this number is too long ({len(text)} characters)")
    text = text.replace(" ", "") if _looks_grouped(text) else text
    if _NUMBER.match(text):
        value = float(text)
        if not math.isfinite(value):
            raise NumberError("this number is too large")
        return value
    frac = _FRACTION.match(text)
    if frac:
        if int(frac.group(2)) == 0:
            raise NumberError("division by zero")
        return float(Fraction(int(frac.group(1)), int(frac.group(2))))
    raise NumberError(f"'{_clip(text)}' is not a number")


def parse_integer(raw: Any) -> int:
    """An integer from an int, an integral float or a string of digits."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        if abs(raw) > 10**30:
            raise NumberError("this number is too large")
        return raw
    value = parse_number(raw)
    if not value.is_integer():
        raise NumberError(f"expected a whole number, got {_clip(str(raw))}")
    return int(value)


def describe_type(raw: Any) -> str:
    """Name a YAML/JSON value's type in a student's words."""
    if raw is None:
        return "an empty value"
    if isinstance(raw, dict):
        return "a mapping (key: value pairs)"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, str):
        return f"the text '{_clip(raw)}'"
    return type(raw).__name__


def format_number(value: float) -> str:
    """Show a number without float noise (2.0 as 2, 0.30000000000000004 as 0.3)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10g}"


def _looks_grouped(text: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d{1,3}( \d{3})+", text))


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
