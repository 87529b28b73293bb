"""Answers damaged before they reach the grader: LaTeX eaten by double-quote escapes, and prose
written around a formula.

In a double-quoted YAML (or JSON, or TOML basic) string a backslash starts an escape, so
`"1 - \\tanh^2(x)"` arrives as `1 - <tab>anh^2(x)` and `"\\frac{1}{2}"` as `<form feed>rac{1}{2}`.
The parser would then report an unknown function `anh`, which tells the student nothing. These
checks name the escape instead and say how to write the answer.
"""

from __future__ import annotations

import re
from typing import Any

# The control characters YAML's double-quoted escapes produce, with the escape and a LaTeX command
# that starts with it (newline, `\n`, is handled apart: it is also an ordinary line break).
CONTROL_ESCAPES: dict[str, tuple[str, str, str]] = {
    "\x00": ("\\0", "a null character", ""),
    "\x07": ("\\a", "a bell character", "\\alpha"),
    "\x08": ("\\b", "a backspace", "\\beta"),
    "\t": ("\\t", "a tab", "\\tanh"),
    "\x0b": ("\\v", "a vertical tab", "\\vec"),
    "\x0c": ("\\f", "a form feed", "\\frac"),
    "\r": ("\\r", "a carriage return", "\\rho"),
    "\x1b": ("\\e", "an escape character", "\\exp"),
}
# LaTeX commands that begin with `n`: a newline followed by the rest is `\n` eaten by quotes.
_N_COMMANDS = ("nabla", "neq", "ne", "nu", "neg", "not", "ni", "nolimits")
# In text a tab or carriage return can be layout; it is an eaten escape only before the rest of
# one of these commands (`<tab>anh` is `\tanh`, `<tab>he` is not).
_LAYOUT_COMMANDS = {
    "\t": {"tanh", "theta", "tau", "times", "text", "textbf", "textit", "to", "top", "tilde", "tfrac"},
    "\r": {"rho", "right", "rangle", "rightarrow", "rbrace", "rfloor", "rceil"},
}
_PROSE_WORD = re.compile(r"[A-Za-z]{2,}")


def escape_problem(raw: Any, *, formula: bool, multiline: bool = False) -> str | None:
    """A message for an answer that holds a control character a double-quote escape made, or None.

    In a formula every such character is a mistake. In text a tab or carriage return may be real
    layout, so those count only before the rest of a LaTeX command, as in `<tab>anh`. A formula
    that may span lines (a derivation) keeps its line breaks.
    """
    for text in _strings(raw):
        for index, char in enumerate(text):
            entry = CONTROL_ESCAPES.get(char)
            follows = text[index + 1:index + 12]
            if entry is None:
                if formula and not multiline and char == "\n":
                    word = re.match(r"[A-Za-z]+", follows)
                    if word and "n" + word.group(0) in _N_COMMANDS:
                        return advice("\\n", "a line break", "\\n" + word.group(0))
                continue
            escape, name, example = entry
            word = re.match(r"[A-Za-z]+", follows)
            if not formula and char in _LAYOUT_COMMANDS:
                if word is None or escape[1] + word.group(0) not in _LAYOUT_COMMANDS[char]:
                    continue
            command = escape + word.group(0) if word else example
            return advice(escape, name, command or escape)
    return None


def advice(escape: str, name: str, command: str) -> str:
    """The single-quote advice for one escape."""
    doubled = command.replace("\\", "\\\\")
    return (
        f'"{escape}" in double quotes is {name}: write LaTeX in single quotes, '
        f"'{command}', or leave the quotes out (in a JSON file, double the backslash: \"{doubled}\")"
    )


def prose_problem(raw: Any) -> str | None:
    """A message for a formula written inside prose (`the answer is $x^2$`), or None."""
    if not isinstance(raw, str) or "$" not in raw:
        return None
    outside = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", lambda m: " " * len(m.group(0)), raw, flags=re.DOTALL)
    word = _PROSE_WORD.search(outside)
    if word is None:
        return None
    return (
        f"column {word.start() + 1}: '{word.group(0)}' is text outside the formula; this part takes "
        "the formula alone, so remove the prose around it"
    )


def _strings(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        found: list[str] = []
        for item in raw[:10_000]:
            if isinstance(item, str):
                found.append(item)
            elif isinstance(item, list):
                found.extend(x for x in item[:10_000] if isinstance(x, str))
        return found
    return []
