"""How the grader read an answer, shown back to the student before and after grading.

Each reading has two forms: readable text for the terminal (`1 − tanh²(x)`, `max(0, x)`) and
presentation MathML for documents, which current browsers render without scripts. The MathML of
a sympy value comes from sympy's presentation printer, serialised here with its text escaped and
its entity names resolved, so every reading parses as XML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import sympy as sp
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.str import StrPrinter

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
MAX_READING_CHARS = 20_000
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z]+)|(\|\||>=|<=|\S))")


@dataclass(frozen=True)
class Reading:
    """An answer as the grader read it: text for the terminal, MathML for documents."""

    text: str
    mathml: str

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "mathml": self.mathml}


# ----- text ---------------------------------------------------------------------------------------


class _TextPrinter(StrPrinter):  # type: ignore[misc]  # sympy's printers carry no type information
    """sympy's str printer with the notation of a blackboard: powers raised, · for products."""

    printmethod = "_grader_text"  # not the objects' own `_sympystr`, which would skip the methods here

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp == sp.Rational(1, 2):
            return f"√({self._print(base)})"
        if exp == -1:
            return f"1/{self.parenthesize(base, 60)}"
        if exp.is_Integer and 1 < abs(int(exp)) < 100:
            raised = str(int(exp)).translate(_SUPERSCRIPT)
            if isinstance(base, sp.Function) and len(base.args) == 1 and not isinstance(base, (sp.Max, sp.Min)):
                return f"{self._function_name(base)}{raised}({self._print(base.args[0])})"
            return str(self.parenthesize(base, 60)) + raised
        return str(super()._print_Pow(expr, rational))

    def _print_Mul(self, expr: Any) -> str:
        return str(super()._print_Mul(expr)).replace("*", "·")

    def _print_Max(self, expr: Any) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr: Any) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Abs(self, expr: Any) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Piecewise(self, expr: Any) -> str:
        pieces = []
        for value, condition in expr.args:
            pieces.append(f"{self._print(value)} otherwise" if condition == sp.true
                          else f"{self._print(value)} if {self._print(condition)}")
        return "{" + "; ".join(pieces) + "}"

    def _print_Sum(self, expr: Any) -> str:
        body = self._print(expr.function)
        for index, low, high in reversed(expr.limits):
            body = f"Σ_({self._print(index)}={self._print(low)}..{self._print(high)}) {body}"
        return str(body)

    def _print_Indexed(self, expr: Any) -> str:
        return f"{self._print(expr.base)}_" + "".join(self._print(i) for i in expr.indices)

    def _print_IndexedBase(self, expr: Any) -> str:
        return str(self._print(expr.label))

    def _print_Relational(self, expr: Any) -> str:
        symbol = {"==": "=", ">=": "≥", "<=": "≤", "!=": "≠"}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {symbol} {self._print(expr.rhs)}"

    def _print_Equality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _function_name(self, func: Any) -> str:
        return str(func.func.__name__)


def expression_text(expr: Any) -> str:
    """A sympy value as readable text: `1 − tanh²(x)`."""
    text = _TextPrinter({"order": None}).doprint(expr)
    text = re.sub(r"(?<=\s)-(?=\s)|^-", "−", text)
    return text


# ----- MathML -------------------------------------------------------------------------------------


class _MathMLPrinter(MathMLPresentationPrinter):  # type: ignore[misc]  # sympy's printers carry no type information
    """sympy's presentation printer, with cases for piecewise functions."""

    def _print_Piecewise(self, expr: Any) -> Any:
        table = self.dom.createElement("mtable")
        table.setAttribute("columnalign", "left left")
        for value, condition in expr.args:
            row = self.dom.createElement("mtr")
            left = self.dom.createElement("mtd")
            left.appendChild(self._print(value))
            right = self.dom.createElement("mtd")
            if condition == sp.true:
                word = self.dom.createElement("mtext")
                word.appendChild(self.dom.createTextNode("otherwise"))
                right.appendChild(word)
            else:
                group = self.dom.createElement("mrow")
                word = self.dom.createElement("mtext")
                word.appendChild(self.dom.createTextNode("if\u00a0"))
                group.appendChild(word)
                group.appendChild(self._print(condition))
                right.appendChild(group)
            row.appendChild(left)
            row.appendChild(right)
            table.appendChild(row)
        brace = self.dom.createElement("mo")
        brace.setAttribute("stretchy", "true")
        brace.appendChild(self.dom.createTextNode("{"))
        outer = self.dom.createElement("mrow")
        outer.appendChild(brace)
        outer.appendChild(table)
        return outer

    def _print_Indexed(self, expr: Any) -> Any:
        sub = self.dom.createElement("msub")
        sub.appendChild(self._print(expr.base))
        indices = self.dom.createElement("mrow")
        for index in expr.indices:
            indices.appendChild(self._print(index))
        sub.appendChild(indices)
        return sub


def math(inner: str, *, block: bool = False) -> str:
    """A MathML element around presentation markup."""
    display = ' display="block"' if block else ""
    return f'<math xmlns="{MATHML_NS}"{display}>{inner}</math>'


def expression_mathml(expr: Any) -> str:
    """Presentation MathML of a sympy value, serialised here: sympy's own `doprint` writes text
    nodes unescaped (`<mo><</mo>` for a relation) and uses HTML entity names XML does not know."""
    return _serialise(_MathMLPrinter({})._print(expr))


def _serialise(node: Any) -> str:
    if node.nodeType == node.TEXT_NODE:
        return escape(html.unescape(node.data))
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in node.attributes.items())
    children = "".join(_serialise(child) for child in node.childNodes)
    return f"<{node.tagName}{attributes}>{children}</{node.tagName}>"


def expression_reading(expr: Any) -> Reading:
    """A sympy expression, equation or matrix as read."""
    if isinstance(expr, sp.MatrixBase):
        return matrix_reading(expr.tolist(), column=expr.shape[1] == 1)
    return Reading(expression_text(expr), math(expression_mathml(expr)))


def matrix_reading(rows: Sequence[Sequence[Any]], *, column: bool = False) -> Reading:
    """A matrix as a table; a column vector is shown on one line as [a, b, c]ᵀ in text."""
    def text(value: Any) -> str:
        return expression_text(value) if isinstance(value, sp.Basic) else _number(value)

    def cell(value: Any) -> str:
        if isinstance(value, sp.Basic):
            return expression_mathml(value)
        return f"<mn>{escape(_number(value))}</mn>"

    if column:
        shown = "[" + ", ".join(text(row[0]) for row in rows) + "]ᵀ"
    else:
        shown = "[" + ", ".join("[" + ", ".join(text(v) for v in row) + "]" for row in rows) + "]"
    table = "".join("<mtr>" + "".join(f"<mtd>{cell(v)}</mtd>" for v in row) + "</mtr>" for row in rows)
    return Reading(shown, math(f'<mrow><mo stretchy="true">[</mo><mtable>{table}</mtable><mo stretchy="true">]</mo></mrow>'))


def tokens_reading(text: str) -> Reading:
    """A probability expression, in the plain notation its parser reads back (`sum_{i=1}^N
    log p(x_i|z)`), as MathML: subscripts and limits placed, Greek names as letters."""
    tokens = _TOKEN.findall(text[:MAX_READING_CHARS])
    atoms, _ = _script_atoms(tokens, 0, None)
    return Reading(text, math("<mrow>" + "".join(atoms) + "</mrow>"))


_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "theta": "θ", "lambda": "λ",
    "mu": "μ", "sigma": "σ", "phi": "φ", "psi": "ψ", "omega": "ω", "pi": "π", "tau": "τ",
}
_BIG = {"sum": "∑", "prod": "∏", "int": "∫"}
_OPERATORS = {"*": "⋅", "||": "‖", "~": "∼", ">=": "≥", "<=": "≤", "-": "−"}
_CLOSING = {"{": "}", "(": ")", "[": "]"}


def _script_atoms(tokens: list[tuple[str, str, str]], start: int, until: str | None) -> tuple[list[str], int]:
    """MathML atoms of tokens[start:] up to the closing `until`; `_` and `^` attach to the atom
    before them (limits for sums, scripts otherwise)."""
    atoms: list[str] = []
    bases: list[str] = []  # the plain name behind each atom, to place a sum's limits
    i = start
    while i < len(tokens):
        number, name, symbol = tokens[i]
        i += 1
        if symbol == until:
            return atoms, i
        if symbol in ("_", "^") and atoms and i < len(tokens):
            script, i = _script_argument(tokens, i)
            base, atom = bases[-1], atoms[-1]
            if base in _BIG:
                tag = "munder" if symbol == "_" else ("munderover" if atom.startswith("<munder>") else "mover")
                if tag == "munderover":
                    atom = atom[len("<munder>"):-len("</munder>")]
                atoms[-1] = f"<{tag}>{atom}{script}</{tag}>"
                bases[-1] = base if tag == "munder" else ""  # an upper limit may follow
            else:
                tag = "msub" if symbol == "_" else "msup"
                atoms[-1] = f"<{tag}>{atom}{script}</{tag}>"
                bases[-1] = ""
            continue
        if symbol == "{":
            inner, i = _script_atoms(tokens, i, "}")
            atoms.append("<mrow>" + "".join(inner) + "</mrow>")
            bases.append("")
        elif number:
            atoms.append(f"<mn>{number}</mn>")
            bases.append("")
        elif name:
            atoms.append(_name(name))
            bases.append(name)
        else:
            atoms.append(f"<mo>{escape(_OPERATORS.get(symbol, symbol))}</mo>")
            bases.append("")
    return atoms, i


def _script_argument(tokens: list[tuple[str, str, str]], i: int) -> tuple[str, int]:
    number, name, symbol = tokens[i]
    if symbol in _CLOSING:
        inner, end = _script_atoms(tokens, i + 1, _CLOSING[symbol])
        if symbol == "(":
            inner = ["<mo>(</mo>", *inner, "<mo>)</mo>"]
        return "<mrow>" + "".join(inner) + "</mrow>", end
    if number:
        return f"<mn>{number}</mn>", i + 1
    if name:
        return _name(name), i + 1
    return f"<mo>{escape(symbol)}</mo>", i + 1


def _name(name: str) -> str:
    if name in _BIG:
        return f"<mo>{_BIG[name]}</mo>"
    if name == "E":
        return "<mi>𝔼</mi>"
    return f"<mi>{escape(_GREEK.get(name, name))}</mi>"


def steps_reading(steps: Sequence[tuple[str | None, Reading | None, str]]) -> Reading:
    """A derivation: each step's relation and reading, one per row (a step not read shows its text)."""
    lines, rows = [], []
    for relation, reading, raw in steps:
        shown = reading.text if reading is not None else raw
        lines.append(f"{relation} {shown}" if relation else shown)
        inner = _inner(reading.mathml) if reading is not None else f"<mtext>{escape(raw)}</mtext>"
        mark = f"<mo>{escape(_OPERATORS.get(relation, relation))}</mo>" if relation else ""
        # Browsers that implement MathML Core ignore columnalign; the style aligns the steps there.
        rows.append(f'<mtr><mtd columnalign="right" style="text-align: right">{mark}</mtd>'
                    f'<mtd columnalign="left" style="text-align: left">{inner}</mtd></mtr>')
    table = '<mtable displaystyle="true">' + "".join(rows) + "</mtable>"
    return Reading("\n".join(lines), math(table))


def _inner(mathml: str) -> str:
    return re.sub(r"^<math[^>]*>|</math>$", "", mathml)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
