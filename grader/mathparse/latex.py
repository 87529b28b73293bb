"""LaTeX vocabulary as data: which commands exist and what each one is.

The pre-scan refuses any command not listed here before the grammar runs, so `\\input`,
`\\def` and friends never reach the parser. Extending LaTeX support (say `\\mathbb{E}` for a
probability module) starts by adding the command here and a token to the grammar.
"""

from __future__ import annotations

import re

from grader.mathparse.names import GREEK_NAMES

# Commands the grammar matches as their own tokens (never as a name).
# fmt: off
STRUCTURAL_COMMANDS: frozenset[str] = frozenset({
    "frac", "dfrac", "tfrac", "sqrt", "cdot", "times", "ast", "div", "left", "right",
    "begin", "end", "sum", "text", "textrm", "mathrm", "mathit", "mbox", "operatorname",
    "le", "leq", "leqslant", "ge", "geq", "geqslant", "lt", "gt", "ne", "neq",
    "land", "wedge", "lor", "vee", "neg", "lnot", "lvert", "rvert", "vert",
    "lbrace", "rbrace", "cfrac", "binom", "dbinom", "tbinom", "circ",
})

# Commands that only change spacing or size: skipped like white space.
IGNORED_COMMANDS: frozenset[str] = frozenset({
    "quad", "qquad", "limits", "nolimits", "displaystyle", "textstyle", "scriptstyle",
    "scriptscriptstyle", "thinspace", "medspace", "thickspace", "negthinspace", "negmedspace",
    "negthickspace", "enspace", "enskip", "space", "nobreakspace",
    "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
    "Biggl", "Biggr",
})
# fmt: on

# Function commands -> the function table's name (`\sgn` is `sign`).
# fmt: off
FUNCTION_COMMANDS: dict[str, str] = {
    "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "exp": "exp", "log": "log", "ln": "ln",
    "sin": "sin", "cos": "cos", "tan": "tan", "sech": "sech", "max": "max", "min": "min",
    "sgn": "sign", "sec": "sec", "csc": "csc", "cot": "cot", "coth": "coth",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "lg": "lg",
}

# Letter-like commands -> the name they stand for.
NAME_COMMANDS: dict[str, str] = {
    **{g: g for g in GREEK_NAMES if g not in ("lamda", "Lamda", "omicron")},
    "lambda": "lamda", "Lambda": "Lamda",
    "varepsilon": "epsilon", "varphi": "phi", "vartheta": "theta", "varrho": "rho",
    "varsigma": "sigma",
}
# fmt: on

# Other spellings of delimiters, rewritten before the scan to the ones the grammar reads
# (same length, so every position in an error message stays right).
DELIMITER_SPELLINGS: dict[str, str] = {
    "mleft": "\\left", "mright": "\\right", "lbrack": "[", "rbrack": "]",
    "lgroup": "(", "rgroup": ")", "lparen": "(", "rparen": ")",
}

# Known commands refused with a reason.
REFUSED_COMMANDS: dict[str, str] = {
    "infty": "infinity (\\infty) is not allowed in an answer",
}

KNOWN_COMMANDS: frozenset[str] = (
    STRUCTURAL_COMMANDS
    | IGNORED_COMMANDS
    | frozenset(FUNCTION_COMMANDS)
    | frozenset(NAME_COMMANDS)
    | frozenset(REFUSED_COMMANDS)
)

MATRIX_ENVIRONMENTS: frozenset[str] = frozenset(
    {
        "matrix",
        "pmatrix",
        "bmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "array",
    }
)
CASES_ENVIRONMENTS: frozenset[str] = frozenset({"cases", "dcases"})
ENVIRONMENTS: frozenset[str] = MATRIX_ENVIRONMENTS | CASES_ENVIRONMENTS

# \text{...}, \mathrm{...}, \operatorname{...}: a word set in upright type.
WRAPPER_COMMANDS: tuple[str, ...] = ("operatorname", "mathrm", "textrm", "text", "mathit", "mbox")
WRAPPED_RE = re.compile(r"\\(?:" + "|".join(WRAPPER_COMMANDS) + r")\s*\{\s*([A-Za-z]+)\s*\}")


def alternation(words: frozenset[str] | set[str] | dict[str, str]) -> str:
    """A regex alternation of literal words, longest first so none shadows a longer one."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def command_meaning(text: str) -> tuple[str, str]:
    """For a command token (`\\alpha`, `\\mathrm{Var}`): (name, kind) where kind says its role."""
    wrapped = WRAPPED_RE.fullmatch(text)
    if wrapped:
        return wrapped.group(1), "wrapped"
    command = text[1:]
    if command in FUNCTION_COMMANDS:
        return FUNCTION_COMMANDS[command], "function"
    if command in NAME_COMMANDS:
        return NAME_COMMANDS[command], "name"
    return command, "other"
