"""Showing answers to people: values as text, and LaTeX read aloud in Unicode (no MathJax, no network).

The student's answer is always shown exactly as typed; `readable` adds a second, plain-Unicode
reading of a LaTeX formula (`\\frac{1}{D_a}` reads as `1/D_a`) when that helps. It is a display
aid only: grading never uses it.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_READABLE_CHARS = 2_000
_LATEX = re.compile(r"\\[A-Za-z]+|[\^_]\{")
_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
    "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
]
_GREEK_LETTERS = "αβγδεζηθικλμνξπρστυφχψω"
_UPPER_GREEK = {"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
                "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}
_SYMBOLS = {
    "cdot": "·", "times": "×", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sum": "Σ", "prod": "Π", "infty": "∞", "to": "→", "rightarrow": "→", "partial": "∂",
    "nabla": "∇", "pm": "±", "mid": "|", "ldots": "…", "dots": "…", "cdots": "⋯", "in": "∈",
    "varepsilon": "ε", "vartheta": "θ", "varphi": "φ", "sim": "~", "propto": "∝", "otimes": "⊗",
    "odot": "⊙", "Vert": "‖", "lVert": "‖", "rVert": "‖", "langle": "⟨", "rangle": "⟩",
}
_SPACES = re.compile(r"\\[,;:! ]|\\quad|\\qquad|~")
_WRAPPERS = re.compile(r"\\(?:text|mathrm|operatorname|mathbf|mathit|boldsymbol|textbf|mathcal)\{([^{}]*)\}")
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_SQRT = re.compile(r"\\sqrt\{([^{}]*)\}")
_BB = {"E": "𝔼", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "P": "ℙ"}
_SUPER = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUPER_CHARS = set("0123456789+-=()n")
_OPEN, _CLOSE = "\x00", "\x01"  # braces to keep, hidden while grouping braces are dropped


def answer_text(answer: Any, kind: str | None = None) -> str:
    """An answer as it was given: strings as typed, a matrix one row per line, the steps of a
    derivation one per line, a vector (or any other list) on one line."""
    if answer is None:
        return ""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, list) and answer and all(isinstance(row, list) for row in answer):
        return "\n".join("[" + ", ".join(_scalar(x) for x in row) + "]" for row in answer)
    if isinstance(answer, list) and any(isinstance(step, str) for step in answer):
        if kind is not None and kind != "derivation":
            return "[" + ", ".join(_scalar(item) for item in answer) + "]"
        return "\n".join(_scalar(step) for step in answer)
    return json.dumps(answer, ensure_ascii=False, default=str)


def readable(answer: Any) -> str | None:
    """A plain-Unicode reading of the LaTeX in an answer, or None when there is none to give."""
    text = answer_text(answer)
    if not _LATEX.search(text) or len(text) > MAX_READABLE_CHARS:
        return None
    out = _cases(text).replace("\\|", "‖")
    for _ in range(6):  # innermost first, so nested fractions unfold
        before = out
        out = re.sub(r"\^\{([^{}]*)\}|\^(\w)", lambda m: _superscript(m.group(1) or m.group(2)), out)
        out = re.sub(r"_\{([^{}]*)\}", lambda m: "_" + _group(m.group(1)), out)
        out = _WRAPPERS.sub(r"\1", out)
        out = _FRAC.sub(_fraction, out)
        out = _SQRT.sub(lambda m: f"√{_group(m.group(1))}", out)
        out = re.sub(r"\\mathbb\{([A-Z])\}", lambda m: _BB.get(m.group(1), m.group(1)), out)
        if out == before:
            break
    out = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)\s*(\\?[()\[\]|.{}])",
                 lambda m: "" if m.group(1) == "." else m.group(1).lstrip("\\"), out)
    out = _SPACES.sub(" ", out)
    out = re.sub(r"\\([A-Za-z]+)", _command, out)
    out = out.replace("\\{", _OPEN).replace("\\}", _CLOSE).replace("{", "").replace("}", "").replace("&", " ")
    out = out.replace(_OPEN, "{").replace(_CLOSE, "}")
    out = re.sub(r"[ \t]+", " ", out).strip()
    return out if out and out != text.strip() else None


def _cases(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        rows = [r.strip() for r in match.group(1).split("\\\\") if r.strip()]
        shown = []
        for row in rows:
            value, _, condition = row.partition("&")
            condition = condition.strip()
            if re.fullmatch(r"\\text\{\s*(otherwise|else)\s*\}|otherwise|else", condition):
                shown.append(f"{value.strip()} otherwise")
            else:
                shown.append(f"{value.strip()} if {condition}" if condition else value.strip())
        return f"{_OPEN} " + "; ".join(shown) + f" {_CLOSE}"

    return re.sub(r"\\begin\{cases\}(.*?)\\end\{cases\}", one, text, flags=re.DOTALL)


def _fraction(match: re.Match[str]) -> str:
    shown = f"{_group(match.group(1))}/{_group(match.group(2))}"
    follows = match.string[match.end():match.end() + 1]
    return f"({shown})" if follows and (follows.isalnum() or follows in "\\(") else shown


def _group(text: str) -> str:
    text = text.strip()
    return text if re.fullmatch(r"[\w.\\]+", text) else f"({text})"


def _superscript(text: str) -> str:
    if text and set(text) <= _SUPER_CHARS:
        return text.translate(_SUPER)
    return f"^({text})" if len(text) > 1 else f"^{text}"


def _command(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _GREEK:
        return _GREEK_LETTERS[_GREEK.index(name)]
    if name in _UPPER_GREEK:
        return _UPPER_GREEK[name]
    return _SYMBOLS.get(name, name)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
