"""From untrusted text to tokens: bounds first, then unicode and LaTeX normalisation, then a scanner.

Every token keeps the position of the character it came from in the student's own text, so a
parse error can put a caret under the right place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token

from grader.limits import LIMITS
from grader.notation import current
from grader.probability.errors import ProbSyntaxError

MAX_CHARS = LIMITS.max_length
MAX_DEPTH = 60
MAX_NUMBER_DIGITS = 15

OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}

GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega"]
GREEK_ALIASES = {"vartheta": "theta", "varphi": "phi", "varepsilon": "epsilon"}

UNICODE = {
    "θ": "\\theta ", "ϑ": "\\theta ", "φ": "\\phi ", "ϕ": "\\phi ", "ψ": "\\psi ", "ε": "\\epsilon ",
    "α": "\\alpha ", "β": "\\beta ", "μ": "\\mu ", "σ": "\\sigma ", "λ": "\\lambda ",
    "−": "-", "–": "-", "—": "-", "≥": ">=", "⩾": ">=", "≤": "<=", "⩽": "<=",
    "∑": "\\sum ", "Σ": "\\sum ", "∏": "\\prod ", "Π": "\\prod ", "∫": "\\int ", "∥": "||", "‖": "||", "·": "*", "⋅": "*", "×": "*",
    "∗": "*", "∼": "~", "∣": "|", "∈": "\\in ", "∞": "\\infty ", "𝔼": "E", "ℒ": "L", "ℓ": "L",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ", "\u200b": "",
    "\t": " ", "\r": " ", "\n": " ",
}

# \mathrm{KL}, \mathbb{E}, \text{d}, \operatorname{KL}: the wrapper goes, the letters stay.
FONT_WRAPPER = re.compile(
    r"\\(?:mathrm|mathbb|mathcal|mathbf|mathit|mathsf|text|textrm|textit|operatorname|rm|bf|boldsymbol)"
    r"\s*\{\s*([A-Za-z]+)\s*\}"
)

SKIPPED_COMMAND = re.compile(
    r"\\(?:[,;:! ]|quad\b|qquad\b|left\b|right\b|middle\b|[bB]igg?[lrm]?\b|displaystyle\b|textstyle\b|limits\b"
    r"|nolimits\b|begin\s*\{[^{}]*\}|end\s*\{[^{}]*\}|\\)"
)

COMMANDS = {
    "log": "LOG", "ln": "LOG", "exp": "EXPFN", "sum": "SUM", "int": "INT", "prod": "PROD",
    "frac": "FRAC", "dfrac": "FRAC", "tfrac": "FRAC",
    "mid": "BAR", "vert": "BAR", "Vert": "KLSEP", "parallel": "KLSEP",
    "cdot": "STAR", "times": "STAR", "ast": "STAR",
    "geq": "GE", "ge": "GE", "geqslant": "GE", "leq": "LE", "le": "LE", "leqslant": "LE",
    "sim": "SIM", "in": "IN", "infty": "NAME",
}

WORDS = {
    "log": "LOG", "ln": "LOG", "exp": "EXPFN", "sum": "SUM", "int": "INT", "prod": "PROD", "E": "EXPECT",
    "KL": "KL", "H": "ENT", "L": "LABEL", "ELBO": "LABEL", "J": "LABEL",
    "p": "DNAME", "q": "DNAME", "P": "DNAME", "Q": "DNAME", "dz": "DZ", "in": "IN",
}

SINGLE = {
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "^": "CARET", "_": "UNDERSCORE",
    "(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB", "{": "LBRACE", "}": "RBRACE",
    "|": "BAR", ",": "COMMA", ";": "SEMI", "~": "SIM", "=": "EQ", ">": "GE", "<": "LE",
}

CALLABLE = {"LOG": "LOGOPEN", "EXPFN": "EXPOPEN"}

NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
WORD = re.compile(r"[A-Za-z]+")
SPACE = re.compile(r"[\s$&]+")
D_KL = re.compile(r"\s*_\s*(?:\{\s*KL\s*\}|KL(?![A-Za-z]))")
D_Z = re.compile(r"\s*z(?![A-Za-z])")
D_LATENT = re.compile(r"\s*[A-Za-z](?![A-Za-z])")  # `d h` for a set whose latent variable is h
CALL_OPEN = re.compile(r"(?:\s|\\(?:left|[bB]igg?l?)\b|\\[,;:! ])*([(\[{])")


def check_bounds(text: str) -> None:
    """Length, bracket balance and nesting depth, before any parser sees the text."""
    if len(text) > MAX_CHARS:
        raise ProbSyntaxError(
            f"this answer is {len(text)} characters long; the limit is {MAX_CHARS}", text, MAX_CHARS
        )
    stack: list[tuple[str, int]] = []
    for pos, char in enumerate(text):
        if char in OPENERS:
            stack.append((char, pos))
            if len(stack) > MAX_DEPTH:
                raise ProbSyntaxError(
                    f"brackets are nested more than {MAX_DEPTH} deep here; simplify the expression", text, pos
                )
        elif char in CLOSERS:
            if not stack:
                raise ProbSyntaxError(f"this '{char}' closes a bracket that was never opened", text, pos)
            opener, where = stack.pop()
            if OPENERS[opener] != char:
                raise ProbSyntaxError(
                    f"this '{char}' closes the '{opener}' opened at character {where + 1}; "
                    f"expected '{OPENERS[opener]}'", text, pos,
                )
    if stack:
        opener, where = stack[-1]
        raise ProbSyntaxError(f"this '{opener}' is never closed", text, where)


def normalize(text: str) -> tuple[str, list[int]]:
    """Unicode symbols and LaTeX font wrappers rewritten; origins[k] is where char k came from."""
    chars: list[str] = []
    origins: list[int] = []
    for pos, char in enumerate(text):
        replacement = UNICODE.get(char, char)
        chars.extend(replacement)
        origins.extend([pos] * len(replacement))
    flat = "".join(chars)
    out: list[str] = []
    out_origins: list[int] = []
    last = 0
    for match in FONT_WRAPPER.finditer(flat):
        out.append(flat[last: match.start()])
        out_origins.extend(origins[last: match.start()])
        out.append(" " + match.group(1) + " ")
        out_origins.extend([origins[match.start()], *origins[match.start(1):match.end(1)], origins[match.end() - 1]])
        last = match.end()
    out.append(flat[last:])
    out_origins.extend(origins[last:])
    origins_all = [*out_origins, len(text)]
    return "".join(out), origins_all


def tokenize(text: str) -> list[Token]:
    """Check bounds, normalise and scan; positions in the tokens refer to `text`."""
    check_bounds(text)
    norm, origins = normalize(text)
    return list(_scan(text, norm, origins))


def _token(kind: str, value: str, origin: int) -> Token:
    return Token(kind, value, start_pos=origin)


def _scan(original: str, s: str, origins: list[int]) -> Iterator[Token]:
    i, n = 0, len(s)
    while i < n:
        m = SPACE.match(s, i)
        if m:
            i = m.end()
            continue
        m = SKIPPED_COMMAND.match(s, i)
        if m:
            i = m.end()
            if m.group(0) in ("\\left", "\\right") and i < n and s[i] == ".":
                i += 1
            continue
        here = origins[i]
        if s.startswith("\\|", i) or s.startswith("||", i):
            yield _token("KLSEP", "||", here)
            i += 2
            continue
        if s.startswith("\\{", i) or s.startswith("\\}", i):
            yield _token("LBRACE" if s[i + 1] == "{" else "RBRACE", s[i + 1], here)
            i += 2
            continue
        if s[i] == "\\":
            m = WORD.match(s, i + 1)
            if not m:
                raise ProbSyntaxError(f"'\\{s[i + 1: i + 2]}' is not a command I know", original, here)
            name = m.group(0)
            i = m.end()
            if name in GREEK:
                yield _token("NAME", GREEK_ALIASES.get(name, name), here)
                continue
            kind = COMMANDS.get(name)
            if kind is None:
                raise ProbSyntaxError(f"'\\{name}' is not a LaTeX command the grader reads here", original, here)
            if kind == "NAME":
                yield _token("NAME", name, here)
                continue
            token, i = _maybe_call(kind, "\\" + name, s, i, here)
            yield token
            continue
        m = NUMBER.match(s, i)
        if m:
            digits = m.group(0)
            if len(digits.replace(".", "")) > MAX_NUMBER_DIGITS:
                raise ProbSyntaxError(
                    f"this number has more than {MAX_NUMBER_DIGITS} digits", original, here
                )
            yield _token("NUMBER", digits, here)
            i = m.end()
            continue
        m = WORD.match(s, i)
        if m:
            word = m.group(0)
            i = m.end()
            notation = current()
            if not notation.is_default:
                if word == "d" + notation.latent:
                    yield _token("DZ", "dz", here)
                    continue
                latent = D_LATENT.match(s, i) if word == "d" else None
                if latent is not None and s[latent.end() - 1] == notation.latent:
                    i = latent.end()
                    yield _token("DZ", "dz", here)
                    continue
                try:
                    word = notation.read(word)
                except ValueError as err:
                    raise ProbSyntaxError(str(err), original, here) from None
            kl = D_KL.match(s, i) if word == "D" else None
            if kl is not None:
                i = kl.end()
                yield _token("KL", "D_KL", here)
                continue
            dz = D_Z.match(s, i) if word == "d" else None
            if dz is not None:
                i = dz.end()
                yield _token("DZ", "dz", here)
                continue
            kind = WORDS.get(word, "NAME")
            if kind == "NAME" and len(word) > 1 and word not in GREEK and word not in ("infty", "N", "K"):
                word_hint = _word_hint(word)
                raise ProbSyntaxError(f"unknown name '{word}'{word_hint}", original, here)
            token, i = _maybe_call(kind, word, s, i, here)
            yield token
            continue
        two = s[i: i + 2]
        if two in ("=>", "=<"):
            raise ProbSyntaxError("write >= for ≥ and <= for ≤ (=> and =< are not relations here)", original, here)
        if two == ">=":
            yield _token("GE", ">=", here)
            i += 2
            continue
        if two == "<=":
            yield _token("LE", "<=", here)
            i += 2
            continue
        if two == "==":
            yield _token("EQ", "=", here)
            i += 2
            continue
        if two == "**":
            yield _token("CARET", "^", here)
            i += 2
            continue
        if two == "..":  # a range in a sum call: sum(..., i=1..N)
            i += 3 if s[i: i + 3] == "..." else 2
            yield _token("DOTS", "..", here)
            continue
        char = s[i]
        if char in SINGLE:
            yield _token(SINGLE[char], char, here)
            i += 1
            continue
        raise ProbSyntaxError(f"unexpected character {char!r}", original, here)


def _maybe_call(kind: str, word: str, s: str, i: int, here: int) -> tuple[Token, int]:
    """log( / exp( become one call token, so log(a) b is log(a)·b while log a b is log(ab)."""
    if kind in CALLABLE:
        m = CALL_OPEN.match(s, i)
        if m:
            return _token(CALLABLE[kind], m.group(1), here), m.end()
    return _token(kind, word, here), i


def _word_hint(word: str) -> str:
    lower = word.lower()
    for prefix in ("log", "ln", "exp", "sum"):
        if lower.startswith(prefix) and len(lower) > len(prefix):
            return f" (write '{prefix} {word[len(prefix):]}' with a space)"
    if lower in ("kl", "dkl"):
        return " (write KL(q || p) or D_KL(q || p))"
    if lower in ("eq", "ep"):
        return f" (write the expectation as E_{word[1:]}[...])"
    return ""
