"""Write a probability tree back as plain text that the parser reads again to the same meaning."""

from __future__ import annotations

import re

from grader.notation import current
from grader.probability.nodes import (
    KL,
    Add,
    Chain,
    DataSize,
    Dist,
    Div,
    Entropy,
    Exp,
    Expect,
    Expr,
    Log,
    Mul,
    Neg,
    Num,
    Pow,
    ProdData,
    Sample,
    SumData,
    SumZ,
    Var,
)

SIMPLE_NAME = re.compile(r"^[pq](_(theta|phi|Z))?$")
SYMBOL = {"=": "=", ">=": ">=", "<=": "<="}

# Precedence contexts: anywhere, a whole term of a sum, inside a product, operand of a unary
# minus or a divisor, base of a power. Prefix operators (sums, integrals, a log without
# brackets) swallow the rest of a product, so they appear bare only where nothing follows them
# in the product.
TOP, TERM, PRODUCT, UNARY, BASE = 0, 1, 2, 3, 4


def render(node: Expr | Chain | Sample) -> str:
    """Plain-text notation, e.g. sum_{i=1}^N log(sum_z p(x_i|z) * p(z))."""
    if isinstance(node, Chain):
        parts = [SYMBOL[node.leading]] if node.leading else []
        for k, item in enumerate(node.items):
            if k:
                parts.append(SYMBOL[node.relations[k - 1]])
            parts.append(_r(item, TOP))
        return " ".join(parts)
    if isinstance(node, Sample):
        return f"{current().show('z')} ~ {_r(node.dist, TOP)}"
    return _r(node, TOP)


def _var(v: Var) -> str:
    name = current().show(v.name)  # the set's own letters, when it declares them
    if v.name == "x" and v.index:
        return f"{name}_{v.index}"
    return name


def _dist(d: Dist) -> str:
    name = d.spelled if SIMPLE_NAME.match(d.spelled or "") else d.family
    notation = current()
    if not notation.is_default and name in ("p", "q", "P", "Q"):
        shown = notation.show(name.lower())
        name = shown.upper() if name.isupper() else shown
    args = ", ".join(_var(v) for v in d.vars)
    if d.given:
        args += "|" + ", ".join(_var(v) for v in d.given)
    return f"{name}({args})"


def _num(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _wrap(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _r(node: Expr, ctx: int) -> str:
    if isinstance(node, Num):
        text = _num(node.value)
        return _wrap(text, node.value < 0 and ctx > TOP)
    if isinstance(node, DataSize):
        return "N"
    if isinstance(node, Dist):
        return _dist(node)
    if isinstance(node, Add):
        out = _r(node.terms[0], TERM)
        for term in node.terms[1:]:
            if isinstance(term, Neg):
                out += " - " + _r(term.arg, UNARY)
            elif isinstance(term, Num) and term.value < 0:
                out += " - " + _num(-term.value)
            else:
                out += " + " + _r(term, TERM)
        return _wrap(out, ctx > TOP)
    if isinstance(node, Mul):
        return _wrap(" * ".join(_r(f, UNARY) for f in node.factors), ctx > PRODUCT)
    if isinstance(node, Div):
        return _wrap(f"{_r(node.num, PRODUCT)} / {_r(node.den, UNARY)}", ctx > PRODUCT)
    if isinstance(node, Neg):
        return _wrap("-" + _r(node.arg, UNARY), ctx > PRODUCT)
    if isinstance(node, Pow):
        exponent = _num(node.exponent)
        if node.exponent < 0 or "." in exponent or "e" in exponent:
            exponent = f"({exponent})"
        base = _r(node.base, BASE)
        return f"({base})^{exponent}" if isinstance(node.base, Pow) else f"{base}^{exponent}"
    if isinstance(node, Log):
        if isinstance(node.arg, Dist) and ctx <= TERM:
            return f"log {_dist(node.arg)}"  # a prefix log stops at + and -, so this reads back the same
        return f"log({_r(node.arg, TOP)})"
    if isinstance(node, Exp):
        return f"exp({_r(node.arg, TOP)})"
    if isinstance(node, SumZ):
        text = f"int {_r(node.body, PRODUCT)} d{current().show('z')}" if node.integral else f"sum_{current().show('z')} {_r(node.body, PRODUCT)}"
        return _wrap(text, ctx > TOP)
    if isinstance(node, SumData):
        return _wrap(f"sum_{{{node.index}=1}}^N {_r(node.body, PRODUCT)}", ctx > TOP)
    if isinstance(node, ProdData):
        return _wrap(f"prod_{{{node.index}=1}}^N {_r(node.body, PRODUCT)}", ctx > TOP)
    if isinstance(node, Expect):
        return f"E_{{z~{_dist(node.dist)}}}[{_r(node.body, TOP)}]"
    if isinstance(node, KL):
        return f"KL({_r(node.a, TOP)} || {_r(node.b, TOP)})"
    if isinstance(node, Entropy):
        if node.b is None:
            return f"H({_r(node.a, TOP)})"
        return f"H({_r(node.a, TOP)}, {_r(node.b, TOP)})"
    raise TypeError(f"cannot render {type(node).__name__}")
