"""Turn a parse tree into sympy objects from a whitelist, checking names, types and sizes.

Every sympy object is built here by a known constructor: nothing the student typed is ever
evaluated as code. Each tree rule has one `rule_<name>` method; functions come from the
tables in names.py. Errors carry the position of the node they are about.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn, TypeGuard

import sympy as sp
from lark import Token, Tree
from sympy.logic.boolalg import Boolean

from grader.mathparse.context import MathContext, index_symbol, symbol_for
from grader.mathparse.errors import MathSyntaxError, quote
from grader.mathparse.latex import command_meaning
from grader.mathparse.limits import Limits
from grader.mathparse.names import (
    CONSTANTS,
    FUNCTIONS,
    GREEK_CHARS,
    GREEK_NAMES,
    NAME_ALIASES,
    REFUSED_NAMES,
    SPECIAL_FORMS,
    binomial,
    factorial,
    is_builtin_function,
)

ParseTree = Tree[Token]
Node = ParseTree | Token
Value = Any  # sympy Expr | Boolean | ImmutableMatrix | BareBase

_NUMBER_PARTS = re.compile(r"([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_MINUS_SIGNS = {"-", "\u2212", "\u2013"}
# fmt: off
_RELATIONS: dict[str, type[sp.core.relational.Relational]] = {
    "<": sp.StrictLessThan, "\\lt": sp.StrictLessThan,
    ">": sp.StrictGreaterThan, "\\gt": sp.StrictGreaterThan,
    "<=": sp.LessThan, "≤": sp.LessThan, "⩽": sp.LessThan,
    "\\le": sp.LessThan, "\\leq": sp.LessThan, "\\leqslant": sp.LessThan,
    ">=": sp.GreaterThan, "≥": sp.GreaterThan, "⩾": sp.GreaterThan,
    "\\ge": sp.GreaterThan, "\\geq": sp.GreaterThan, "\\geqslant": sp.GreaterThan,
    "==": sp.Equality,
    "!=": sp.Unequality, "≠": sp.Unequality, "\\ne": sp.Unequality, "\\neq": sp.Unequality,
}
# fmt: on
_BRACKETS = {"LPAR", "RPAR", "LBRACK", "RBRACK", "LSET", "RSET", "LBRACE", "RBRACE"}
# Numbers beyond this many bits make sympy's sign decisions slow (it raises the precision
# again and again), so comparisons involving them stay unevaluated.
_CHEAP_BITS = 100
# Integer roots of numbers beyond this many bits cost tens of milliseconds and more.
_MAX_ROOT_BITS = 330
_UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)


@dataclass(frozen=True)
class BareBase:
    """An indexed name without its indices (`W` in `Var(W)`): only a function argument."""

    name: str


def position(node: Node) -> int | None:
    """The start of the first token under `node` (iterative: trees may be deep)."""
    while isinstance(node, Tree):
        if not node.children:
            return None
        node = node.children[0]
    return node.start_pos


def _first_token(node: Node) -> Token | None:
    while isinstance(node, Tree):
        if not node.children:
            return None
        node = node.children[0]
    return node


def _token(node: Node) -> Token:
    """A child the grammar guarantees to be a token (narrows the type for the checker)."""
    assert isinstance(node, Token)
    return node


def _token_tree(node: Node) -> ParseTree:
    assert isinstance(node, Tree)
    return node


def _words_only(items: list[Node]) -> bool:
    """Whether `items` is one implicit product of plain words (the `i j` of W_{i j})."""
    if len(items) != 1 or not isinstance(items[0], Tree) or items[0].data != "product":
        return False
    return all(isinstance(c, Token) and c.type == "WORD" for c in items[0].children)


def _is_tree(node: Node, *names: str) -> TypeGuard[ParseTree]:
    return isinstance(node, Tree) and node.data in names


def _items(node: ParseTree) -> list[Node]:
    """The children of a bracketed rule without its bracket tokens."""
    return [c for c in node.children if not (isinstance(c, Token) and c.type in _BRACKETS)]


def _bits(number: sp.Rational) -> int:
    return max(int(number.p).bit_length(), int(number.q).bit_length())


def _indices(count: int) -> str:
    return "1 index" if count == 1 else f"{count} indices"


class Builder:
    """Builds one answer; holds the context, the limits and the names bound by sums."""

    def __init__(self, ctx: MathContext, limits: Limits, text: str, latex: bool) -> None:
        self.ctx = ctx
        self.limits = limits
        self.text = text
        self.latex = latex
        self.bound: dict[str, sp.Symbol] = {}
        self.plain_names: set[str] = set()

    # ---- errors and the entry point -------------------------------------------------------

    def fail(self, message: str, node: Node | int | None) -> NoReturn:
        """Raise the student-facing error for `node` (or a position)."""
        pos = node if isinstance(node, int) or node is None else position(node)
        raise MathSyntaxError(message, pos, self.text)

    def build(self, tree: ParseTree) -> Value:
        """Build the whole answer (the tree's `start` node)."""
        # Names written alone somewhere: with nothing declared, `x(x+1)` is a product because
        # x is also a plain variable, while `g(1/3)` is a call of an unknown function.
        self.plain_names = {
            self.word_name(token.value)[0]
            for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "WORD")
        }
        node = tree.children[0]
        if _is_tree(node, "relation"):
            value = self.relation(node)
        elif _is_tree(node, "compare"):
            # A stated inequality (an answer like `x >= 0`) is kept as written.
            value = self.rule_compare(node, 1, evaluate=False)
        else:
            value = self.value(node, 0)
        return self.finish(value, node)

    def finish(self, value: Value, node: Node) -> Value:
        """Check the finished value and convert it to what the API promises."""
        if isinstance(value, BareBase):
            self.fail(self._bare_base_message(value.name), node)
        if isinstance(value, sp.MatrixBase):
            for entry in value:
                self.check_defined(entry, node)
            return sp.Matrix(value)
        self.check_defined(value, node)
        return value

    def check_defined(self, value: sp.Basic, node: Node) -> None:
        """Refuse infinities and undefined values (x/0, log(0)) and oversized numbers."""
        if value.has(*_UNDEFINED):
            self.fail("this is undefined: it divides by zero or takes the log of 0", node)
        for number in value.atoms(sp.Rational):
            if _bits(number) > self.limits.max_number_bits:
                self.fail(self._too_large_message(), node)

    def _too_large_message(self) -> str:
        return f"this answer produces a number with more than {self.limits.max_exponent} digits"

    # ---- dispatch and type checks ---------------------------------------------------------

    def value(self, node: Node, depth: int) -> Value:
        """Build any node; the depth guard keeps Python's recursion far from its limit."""
        if isinstance(node, Token):
            return self.token(node)
        if depth > self.limits.max_tree_depth:
            self.fail(
                f"this answer is nested too deeply (more than {self.limits.max_tree_depth} "
                "levels of operators and brackets)",
                node,
            )
        # Brackets only group: they do not count towards the depth.
        step = 0 if node.data in ("paren", "group", "bracket") else 1
        handler = getattr(self, f"rule_{node.data}", None)
        if handler is None:
            self.fail("this cannot be read as a formula", node)
        result: Value = handler(node, depth + step)
        return result

    def token(self, token: Token) -> Value:
        if token.type == "NUMBER":
            return self.number(token)
        if token.type == "WORD":
            name, kind = self.word_name(token.value)
            return self.resolve(name, kind, token)
        if token.type == "ONECHAR":
            if token.value.isdigit():
                return sp.Integer(int(token.value))
            return self.resolve(token.value, "ascii", token)
        self.fail(f"unexpected {quote(token.value)}", token)

    def expr(self, node: Node, depth: int) -> sp.Expr:
        """Build a node that must be a scalar expression."""
        return self.as_expr(self.value(node, depth), node)

    def as_expr(self, value: Value, node: Node) -> sp.Expr:
        # ImmutableMatrix is an Expr subclass in sympy: matrices must be refused explicitly.
        if isinstance(value, sp.Expr) and not isinstance(value, sp.MatrixBase):
            return value
        self.fail(self._misuse_message(value, "a number"), node)

    def arith(self, node: Node, depth: int) -> sp.Expr | sp.MatrixBase:
        """Build a node that may be a scalar expression or a matrix."""
        value = self.value(node, depth)
        if isinstance(value, sp.MatrixBase):
            return value
        return self.as_expr(value, node)

    def cond(self, node: Node, depth: int) -> Boolean:
        """Build a node that must be a condition (x > 0, a and b, True)."""
        value = self.value(node, depth)
        if isinstance(value, Boolean):
            return value
        self.fail("this should be a condition, such as x > 0", node)

    def _misuse_message(self, value: Value, wanted: str) -> str:
        if isinstance(value, Boolean):
            return f"a condition such as 'x > 0' cannot be used as {wanted} here"
        if isinstance(value, sp.MatrixBase):
            return f"a matrix or list cannot be used as {wanted} here"
        if isinstance(value, BareBase):
            return self._bare_base_message(value.name)
        return "this cannot be used here"

    def _bare_base_message(self, name: str) -> str:
        return f"{quote(name)} needs its indices here, as in {self._index_example(name)}"

    def _index_example(self, name: str) -> str:
        count = self.ctx.indexed.get(name, 1)
        letters = "".join((self.ctx.indices or ("i", "j", "k", "l"))[:count])
        return f"{name}_{letters}" if len(letters) == count else f"{name}[...]"

    # ---- numbers and names ----------------------------------------------------------------

    def number(self, token: Token) -> sp.Rational:
        """A literal as an exact Rational (0.5 -> 1/2, 1e-3 -> 1/1000), within the limits."""
        match = _NUMBER_PARTS.fullmatch(token.value)
        if match is None:  # pragma: no cover - the NUMBER terminal matches this pattern
            self.fail(f"{quote(token.value)} is not a number", token)
        whole, fraction, exponent = match.group(1), match.group(2) or "", match.group(3)
        digits = len(whole) + len(fraction)
        shown = token.value if len(token.value) <= 20 else token.value[:17] + "..."
        if digits > self.limits.max_number_digits:
            self.fail(
                f"the number {quote(shown)} has {digits} digits; "
                f"the limit is {self.limits.max_number_digits}",
                token,
            )
        scale = -len(fraction)
        if exponent:
            if len(exponent.lstrip("+-")) > 6 or abs(int(exponent)) > self.limits.max_exponent:
                self.fail(
                    f"the exponent of {quote(shown)} is too large "
                    f"(the limit is {self.limits.max_exponent})",
                    token,
                )
            scale += int(exponent)
        mantissa = int(whole + fraction or "0")
        if scale >= 0:
            return sp.Integer(mantissa * 10**scale)
        return sp.Rational(mantissa, 10**-scale)

    @staticmethod
    def word_name(text: str) -> tuple[str, str]:
        """(canonical name, kind) of a WORD token: kind is ascii, greek, name, function, ..."""
        if text.startswith("\\"):
            return command_meaning(text)
        if text in GREEK_CHARS:
            return GREEK_CHARS[text], "greek"
        return NAME_ALIASES.get(text, text), "ascii"

    def lookup(self, name: str) -> sp.Basic | None:
        """What a name means here, or None: sum indices, variables, indices, constants."""
        if name in self.bound:
            return self.bound[name]
        variables = self.ctx.variables
        if variables is not None and name in variables:
            return symbol_for(name, variables[name])
        alias = subscript_alias(name)
        if variables is not None and alias is not None and alias in variables:
            return symbol_for(alias, variables[alias])
        if name in self.ctx.indices:
            return index_symbol(name)
        return CONSTANTS.get(name)

    def is_function(self, name: str) -> bool:
        return name in self.ctx.functions or is_builtin_function(name)

    def resolve(self, name: str, kind: str, node: Node) -> Value:
        """The value of a bare name (not called, not subscripted)."""
        found = self.lookup(name)
        if found is not None:
            return found
        if name in self.ctx.indexed:
            return BareBase(name)
        if name in REFUSED_NAMES:
            self.fail(REFUSED_NAMES[name], node)
        if self.is_function(name) or kind == "function":
            if not self.ctx.declared and name in GREEK_NAMES:
                return symbol_for(name)  # `sigma` alone is a variable when nothing is declared
            self.fail(
                f"{quote(name)} is a function: write its argument in parentheses, as in {name}(x)",
                node,
            )
        if not self.ctx.declared:
            return symbol_for(name)
        parts = self.split_letters(name, kind)
        if parts is not None:
            return sp.Mul(*parts)
        self.fail(self.unknown_message(name, kind), node)

    def split_letters(self, name: str, kind: str) -> list[sp.Expr] | None:
        """In LaTeX `xy` is x times y: split an unknown word into known one-letter names."""
        if not (self.latex and kind == "ascii" and len(name) > 1 and name.isalpha()):
            return None
        if not self.ctx.declared:
            return None
        parts = [self.lookup(letter) for letter in name]
        if all(isinstance(p, sp.Expr) for p in parts):
            return [p for p in parts if isinstance(p, sp.Expr)]
        return None

    def _known_names(self) -> list[str]:
        variables = list(self.ctx.variables or ())
        return (
            variables
            + list(self.ctx.indexed)
            + list(self.ctx.indices)
            + list(self.ctx.functions)
            + sorted(FUNCTIONS)
            + sorted(SPECIAL_FORMS)
            + ["e", "pi"]
        )

    def suggestion(self, name: str) -> str | None:
        """The most likely intended name, for a 'did you mean' hint."""
        known = self._known_names()
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            return close[0]
        for candidate in known:
            if candidate.lower() == name.lower():
                return candidate
        variables = list(self.ctx.variables or ())
        single = [v for v in variables if len(v) == 1]
        if len(name) == 1 and len(single) == 1:
            return single[0]
        return None

    def unknown_message(self, name: str, kind: str = "ascii") -> str:
        """'unknown name ...' listing the variables, with a 'did you mean' when one is close."""
        names = list(self.ctx.variables or ())
        names += [self._index_example(base) for base in self.ctx.indexed]
        if names:
            message = f"unknown name {quote(name)}: the variables here are {', '.join(names)}"
        else:
            message = f"unknown name {quote(name)}: this answer takes no variables"
        hint = self.suggestion(name)
        if kind == "ascii" and len(name) > 1 and all(self.lookup(ch) is not None for ch in name):
            message += f" (for a product, write {'*'.join(name)})"
        elif hint is not None and hint != name:
            message += f" (did you mean {quote(hint)}?)"
        return message

    # ---- the top level --------------------------------------------------------------------

    def relation(self, node: ParseTree) -> Value:
        """`lhs = rhs`: an equation, or a definition `f(x) = ...` when the lhs names one."""
        children = node.children
        if len(children) > 3:
            self.fail(
                "an answer can contain only one '=' (give each step of a chain separately)",
                children[3],
            )
        head = self.definition_head(children[0])
        lhs = head if head is not None else self.value(children[0], 1)
        rhs = self.value(children[2], 1)
        for side, side_node in ((lhs, children[0]), (rhs, children[2])):
            if isinstance(side, sp.MatrixBase):
                self.fail(
                    "an equation between matrices is not supported: give the matrix alone",
                    side_node,
                )
            self.as_expr(side, side_node)
        return sp.Eq(lhs, rhs, evaluate=False)

    def named_side(self, node: Node) -> sp.Expr | None:
        """For a lone unknown name on the left of '=' (`z_i = ...`, `y = ...`), the marked
        head that names the answer, else None. Only where names are declared: with nothing
        declared `y = 1 - x` is an equation in x and y."""
        if not self.ctx.declared:
            return None
        if isinstance(node, Token) and node.type == "WORD":
            name = self.word_name(node.value)[0]
        elif _is_tree(node, "subscripted"):
            word, _, subscript = node.children
            simple = self.simple_subscript(_items(_token_tree(subscript)))
            if not (isinstance(word, Token) and word.type == "WORD") or simple is None:
                return None
            name = f"{self.word_name(word.value)[0]}_{simple}"
            if self.word_name(word.value)[0] in self.ctx.indexed:
                return None
        else:
            return None
        if (self.lookup(name) is not None or name in self.ctx.indexed or self.is_function(name)
                or name in REFUSED_NAMES):
            return None
        head = sp.Function(name, _mathparse_definition=True)
        result: sp.Expr = head()
        return result

    def definition_head(self, node: Node) -> sp.Expr | None:
        """For `f(x)`, `ReLU(x)`, `f'(x)` on the left of '=', the marked head f(x), else None.
        A lone unknown name (`z_i = ...`) is a head too (see named_side)."""
        if not _is_tree(node, "call"):
            return self.named_side(node)
        assert isinstance(node, Tree)
        word = node.children[0]
        primes = sum(1 for c in node.children if isinstance(c, Token) and c.type == "PRIME")
        if any(_is_tree(c, "funcpow") for c in node.children):
            return None
        callargs = node.children[-1]
        assert isinstance(callargs, Tree)
        if _token(callargs.children[0]).type != "LPAR":
            return None
        name, _ = self.word_name(_token(word).value)
        if self.lookup(name) is not None or name in self.ctx.indexed or name in self.ctx.functions:
            return None
        symbols: list[sp.Symbol] = []
        for arg in _items(callargs):
            if not (isinstance(arg, Token) and arg.type == "WORD"):
                return None
            arg_name, _ = self.word_name(arg.value)
            symbol = self.lookup(arg_name)
            if symbol is None and not self.ctx.declared and not self.is_function(arg_name):
                symbol = symbol_for(arg_name)
            if not isinstance(symbol, sp.Symbol):
                return None
            symbols.append(symbol)
        if len(set(symbols)) != len(symbols):
            return None
        head = sp.Function(name + "'" * primes, _mathparse_definition=True)
        result: sp.Expr = head(*symbols)
        return result

    # ---- logic and relations --------------------------------------------------------------

    def rule_ifelse(self, node: ParseTree, depth: int) -> sp.Expr:
        # A chain `a if c1 else b if c2 else d` is read in a loop, not by recursion.
        pairs: list[tuple[sp.Expr, Boolean]] = []
        current: Node = node
        while _is_tree(current, "ifelse"):
            assert isinstance(current, Tree)
            value, _, condition, _, rest = current.children
            pairs.append((self.expr(value, depth), self.cond(condition, depth)))
            current = rest
        pairs.append((self.expr(current, depth), sp.true))
        return self.piecewise(pairs, node)

    def piecewise(self, pairs: list[tuple[sp.Expr, Boolean]], node: Node) -> sp.Expr:
        for _, condition in pairs:
            if condition.has(sp.Piecewise):
                # sympy rewrites such conditions through set theory, which can run for minutes.
                self.fail("a condition cannot itself contain cases (if/else, Piecewise, max)", node)
        result: sp.Expr = sp.Piecewise(*pairs)
        return result

    def rule_disjunction(self, node: ParseTree, depth: int) -> Boolean:
        return sp.Or(*[self.cond(c, depth) for c in node.children[0::2]])

    def rule_conjunction(self, node: ParseTree, depth: int) -> Boolean:
        return sp.And(*[self.cond(c, depth) for c in node.children[0::2]])

    def rule_negation(self, node: ParseTree, depth: int) -> Boolean:
        return sp.Not(self.cond(node.children[1], depth))

    def rule_compare(self, node: ParseTree, depth: int, evaluate: bool | None = None) -> Boolean:
        """`a < b`, or a chain `0 < x <= 1` read as (0 < x) and (x <= 1)."""
        children = node.children
        operands = [self.expr(c, depth) for c in children[0::2]]
        if evaluate is None:
            evaluate = self.cheap(operands)
        relations = []
        for k, op in enumerate(children[1::2]):
            text = re.sub(r"\s+", "", _token(op).value)
            cls = _RELATIONS[text]
            relations.append(cls(operands[k], operands[k + 1], evaluate=evaluate))
        return relations[0] if len(relations) == 1 else sp.And(*relations)

    # ---- arithmetic -----------------------------------------------------------------------

    def cheap(self, args: Sequence[sp.Expr]) -> bool:
        """Whether sympy may evaluate comparisons of these arguments quickly."""
        for arg in args:
            if arg.has(sp.Piecewise, sp.Sum):
                return False
            # Deciding a sign near a big rational needs many digits: sqrt(2) against
            # sqrt(2 + 10**-30) is slow already, so irrational numbers get a lower bound.
            irrational = arg.is_number and not arg.is_Rational
            limit = _CHEAP_BITS // 3 if irrational else _CHEAP_BITS
            if any(_bits(number) > limit for number in arg.atoms(sp.Rational)):
                return False
        return True

    def power(self, base: sp.Expr, exponent: sp.Expr, node: Node | None = None) -> sp.Expr:
        """base**exponent, refused before sympy computes a number too large to hold."""
        limit = self.limits.max_exponent
        if exponent.is_Rational:
            assert isinstance(exponent, sp.Rational)
            p, q = int(exponent.p), int(exponent.q)
            if base.free_symbols and q <= limit:
                # sympy keeps (y - b)^4000 unexpanded: bound degree x terms, not the exponent.
                size = (abs(p) // q + 1) * len(sp.Add.make_args(base))
                if size > self.limits.max_degree_terms:
                    about = f" about {size}" if size < 10**12 else ""
                    self.fail(
                        f"the exponent is too large for this formula: degree times terms would "
                        f"be{about} (the limit is {self.limits.max_degree_terms})",
                        node,
                    )
            elif abs(p) > limit * q or q > limit:
                shown = f" {exponent}" if _bits(exponent) < 64 else ""
                self.fail(f"the exponent{shown} is too large (the limit is {limit})", node)
            if base.is_Rational:
                assert isinstance(base, sp.Rational)
                if base == 0 and p < 0:
                    self.fail("0 cannot be raised to a negative power (that divides by zero)", node)
                digits = _bits(base) * math.log10(2) * abs(p) / q
                if digits > limit:
                    self.fail(
                        f"this power is too large: its value would have about {int(digits)} "
                        f"digits (the limit is {limit})",
                        node,
                    )
                if q > 1 and _bits(base) > _MAX_ROOT_BITS:
                    self.fail("this number is too large to take a root of", node)
        result: sp.Expr = sp.Pow(base, exponent)
        return result

    def divide(self, numerator: Value, denominator: sp.Expr, node: Node) -> Value:
        if denominator.is_zero:
            self.fail("division by zero", node)
        inverse = sp.Pow(denominator, -1)
        if isinstance(numerator, sp.MatrixBase):
            return numerator * inverse
        return sp.Mul(numerator, inverse)

    def rule_add(self, node: ParseTree, depth: int) -> Value:
        terms: list[Value] = []
        negative = False
        for child in node.children:
            if isinstance(child, Token) and child.type == "ADD":
                negative = child.value in _MINUS_SIGNS
                continue
            term = self.arith(child, depth)
            terms.append(-term if negative else term)
            negative = False
        matrices = [t for t in terms if isinstance(t, sp.MatrixBase)]
        if not matrices:
            result: sp.Expr = sp.Add(*terms)
            return result
        if len(matrices) != len(terms) or len({m.shape for m in matrices}) != 1:
            self.fail("only matrices of the same shape can be added", node)
        total = matrices[0]
        for matrix in matrices[1:]:
            total = total + matrix
        return total

    def rule_signed(self, node: ParseTree, depth: int) -> Value:
        sign, operand = node.children
        value = self.arith(operand, depth)
        return -value if _token(sign).value in _MINUS_SIGNS else value

    def rule_product(self, node: ParseTree, depth: int) -> Value:
        """A flat product: explicit * and /, implicit products (2x, x y, 2(x+1)), a big sum."""
        factors: list[sp.Expr] = []
        matrices: list[sp.MatrixBase] = []
        op: str | None = None
        after_divisor = False
        for index, child in enumerate(node.children):
            if isinstance(child, Token) and child.type in ("MUL", "DIV"):
                op = child.type
                continue
            if op is None and index > 0:
                self.check_implicit(child, after_divisor)
            value = self.arith(child, depth)
            if op == "DIV":
                if isinstance(value, sp.MatrixBase):
                    self.fail("you cannot divide by a matrix", child)
                if value.is_zero:
                    self.fail("division by zero", child)
                value = sp.Pow(value, -1)
            if isinstance(value, sp.MatrixBase):
                matrices.append(value)
            else:
                factors.append(value)
            after_divisor = op == "DIV"
            op = None
        self.check_product_size(factors, node)
        scalar: sp.Expr = sp.Mul(*factors)
        if not matrices:
            return scalar
        if len(matrices) > 1:
            self.fail("multiplying matrices is not supported: give the resulting matrix", node)
        return matrices[0] * scalar

    def check_implicit(self, child: Node, after_divisor: bool) -> None:
        """Refuse implicit products that are ambiguous (1/2x) or likely typos (x 2)."""
        if after_divisor:
            self.fail(
                "this product after '/' is ambiguous: write it with '*' or brackets, "
                "as (1/2)*x or 1/(2*x)",
                child,
            )
        first = _first_token(child)
        if first is not None and first.type == "NUMBER":
            self.fail(f"write '*' before the number {quote(first.value)}", child)

    def check_product_size(self, factors: Sequence[sp.Expr], node: Node) -> None:
        """Refuse a product of numbers whose value would exceed the size limit."""
        bits = 0
        for factor in factors:
            coefficient = factor.as_coeff_Mul()[0]
            if coefficient.is_Rational:
                bits += _bits(coefficient)
        if bits > self.limits.max_number_bits:
            self.fail(self._too_large_message(), node)

    def power_base(self, node: Node, depth: int) -> tuple[sp.Expr, sp.Expr]:
        """(prefix, base) of a power: in LaTeX `xe^{2}` the power binds only to e."""
        if isinstance(node, Token) and node.type == "WORD":
            name, kind = self.word_name(node.value)
            if self.lookup(name) is None and name not in self.ctx.indexed:
                parts = self.split_letters(name, kind)
                if parts is not None:
                    return sp.Mul(*parts[:-1]), parts[-1]
        value = self.value(node, depth)
        if isinstance(value, sp.MatrixBase):
            self.fail("powers of matrices are not supported", node)
        return sp.Integer(1), self.as_expr(value, node)

    def rule_pow(self, node: ParseTree, depth: int) -> sp.Expr:
        base_node, operator, exponent_node = node.children
        exponent = self.expr(exponent_node, depth)
        prefix, base = self.power_base(base_node, depth)
        result: sp.Expr = prefix * self.power(base, exponent, operator)
        return result

    def rule_superscript(self, node: ParseTree, depth: int) -> sp.Expr:
        base_node, script = node.children
        exponent = sp.Integer(int(_token(script).value.translate(_SUPERSCRIPT_DIGITS)))
        prefix, base = self.power_base(base_node, depth)
        result: sp.Expr = prefix * self.power(base, exponent, script)
        return result

    # ---- brackets -------------------------------------------------------------------------

    def rule_paren(self, node: ParseTree, depth: int) -> Value:
        items = _items(node)
        if len(items) == 1:
            return self.value(items[0], depth)
        self.fail(
            "a list in parentheses like (a, b) is not a value here; for a vector write [a, b]", node
        )

    def rule_setbraces(self, node: ParseTree, depth: int) -> Value:
        items = _items(node)
        if len(items) == 1:
            return self.value(items[0], depth)
        self.fail("a set like \\{a, b\\} is not supported here", node)

    def rule_group(self, node: ParseTree, depth: int) -> Value:
        return self.value(_items(node)[0], depth)

    def rule_bracket(self, node: ParseTree, depth: int) -> Value:
        items = _items(node)
        if len(items) == 1 and not _is_tree(items[0], "bracket"):
            return self.value(items[0], depth)  # [x + 1] only groups
        return self.matrix_from_list(node, depth)

    def matrix_from_list(self, node: ParseTree, depth: int) -> sp.ImmutableMatrix:
        """[a, b, c] is a column; [[a, b], [c, d]] lists rows."""
        items = _items(node)
        if any(_is_tree(item, "bracket") for item in items):
            rows = []
            for item in items:
                if not _is_tree(item, "bracket"):
                    self.fail("write every row of a matrix in brackets, as [[1, 2], [3, 4]]", item)
                assert isinstance(item, Tree)
                rows.append(_items(item))
        else:
            rows = [[item] for item in items]
        return self.matrix(rows, node, depth)

    def matrix(self, rows: list[list[Node]], node: Node, depth: int) -> sp.ImmutableMatrix:
        """Build a matrix from rows of nodes, checking its size before any entry is built."""
        max_rows, max_cols = self.limits.max_matrix
        width = len(rows[0])
        if len(rows) > max_rows or width > max_cols:
            self.fail(
                f"this matrix is too large ({len(rows)}x{width}; the limit is "
                f"{max_rows}x{max_cols})",
                node,
            )
        for row in rows:
            if len(row) != width:
                self.fail(
                    f"every row of a matrix needs the same number of entries "
                    f"(the first has {width}, another has {len(row)})",
                    row[0] if row else node,
                )
        return sp.ImmutableMatrix([[self.expr(cell, depth) for cell in row] for row in rows])

    def rule_abs(self, node: ParseTree, depth: int) -> sp.Expr:
        inner = self.expr(node.children[1], depth)
        result: sp.Expr = sp.Abs(inner, evaluate=self.cheap([inner]))
        return result

    # ---- LaTeX structures -----------------------------------------------------------------

    def rule_frac(self, node: ParseTree, depth: int) -> Value:
        _, numerator, denominator = node.children
        top = self.expr(numerator, depth)
        return self.divide(top, self.expr(denominator, depth), denominator)

    def rule_sqrt(self, node: ParseTree, depth: int) -> sp.Expr:
        children = node.children
        radicand = self.expr(children[-1], depth)
        if len(children) == 2:
            return self.power(radicand, sp.Rational(1, 2), node)
        degree = self.expr(children[2], depth)
        if not (degree.is_Integer and 1 <= int(degree) <= self.limits.max_exponent):
            self.fail("the n of \\sqrt[n]{...} must be a whole number from 1 on", children[2])
        return self.power(radicand, sp.Rational(1, int(degree)), node)

    def rule_binom(self, node: ParseTree, depth: int) -> sp.Expr:
        _, top, bottom = node.children
        n, k = self.expr(top, depth), self.expr(bottom, depth)
        try:
            return binomial(n, k)
        except ValueError as err:
            self.fail(str(err).replace("n!", "\\binom{n}{k}").replace("n >= 0", "n, k >= 0"), node)

    def rule_factorial(self, node: ParseTree, depth: int) -> sp.Expr:
        """`n!` for a whole number n >= 0."""
        value = self.expr(node.children[0], depth)
        try:
            return factorial(value)
        except ValueError as err:
            self.fail(str(err), node.children[1])

    def rule_degrees(self, node: ParseTree, depth: int) -> sp.Expr:
        """`30^\\circ` or `30°`: an angle in degrees, as radians."""
        result: sp.Expr = self.expr(node.children[0], depth) * sp.pi / 180
        return result

    def rule_rootsign(self, node: ParseTree, depth: int) -> sp.Expr:
        return self.power(self.expr(node.children[1], depth), sp.Rational(1, 2), node)

    def rule_matrix_env(self, node: ParseTree, depth: int) -> sp.ImmutableMatrix:
        begin = node.children[0]
        if "vmatrix" in _token(begin).value.lower():
            self.fail(
                "a determinant (vmatrix) is not supported: write the matrix with "
                "bmatrix or pmatrix",
                begin,
            )
        rows = [c.children[0::2] for c in node.children if _is_tree(c, "mrow")]
        return self.matrix(rows, node, depth)

    def rule_cases_env(self, node: ParseTree, depth: int) -> sp.Expr:
        rows = [c for c in node.children if _is_tree(c, "crow")]
        pairs: list[tuple[sp.Expr, Boolean]] = []
        for number, row in enumerate(rows):
            value_node, _, case = row.children
            if _is_tree(case, "case_otherwise"):
                if number != len(rows) - 1:
                    self.fail("'otherwise' must be the last case", case)
                condition: Boolean = sp.true
            else:
                condition = self.cond(_token_tree(case).children[-1], depth)
            pairs.append((self.expr(value_node, depth), condition))
        return self.piecewise(pairs, node)

    @contextmanager
    def binding(self, names: dict[str, sp.Symbol]) -> Iterator[None]:
        """Bind summation indices while their summand is built."""
        saved = {name: self.bound.get(name) for name in names}
        self.bound.update(names)
        try:
            yield
        finally:
            for name, old in saved.items():
                if old is None:
                    self.bound.pop(name, None)
                else:
                    self.bound[name] = old

    def sum_index(self, token: Node, low: sp.Expr) -> tuple[str, sp.Symbol]:
        """The dummy of a sum: an integer, positive when the sum starts at 1 or more."""
        if not (isinstance(token, Token) and token.type in ("WORD", "ONECHAR")):
            self.fail("the index of a sum must be a name such as j", token)
        name, _ = self.word_name(token.value)
        variables = self.ctx.variables or {}
        if (
            name in variables
            or name in self.ctx.indexed
            or self.is_function(name)
            or name in CONSTANTS
        ):
            self.fail(f"{quote(name)} cannot be the index of a sum: use a letter such as j", token)
        if low.is_positive:
            return name, index_symbol(name)
        return name, sp.Symbol(name, integer=True)

    def summation(
        self, summand_node: Node, ranges: list[tuple[Node, Node, Node]], depth: int
    ) -> sp.Expr:
        """Sum(summand, (j, low, high), ...) with each j bound inside the summand."""
        limits = []
        bound: dict[str, sp.Symbol] = {}
        for index_node, low_node, high_node in ranges:
            low = self.expr(low_node, depth)
            high = self.expr(high_node, depth)
            for bound_value, bound_node in ((low, low_node), (high, high_node)):
                if bound_value.is_integer is False:
                    self.fail("the bounds of a sum must be whole numbers", bound_node)
            name, symbol = self.sum_index(index_node, low)
            bound[name] = symbol
            limits.append((symbol, low, high))
        with self.binding(bound):
            summand = self.expr(summand_node, depth)
        result: sp.Expr = sp.Sum(summand, *limits)
        return result

    def rule_bigsum(self, node: ParseTree, depth: int) -> sp.Expr:
        lower = next(c for c in node.children if _is_tree(c, "sumlower"))
        assert isinstance(lower, Tree)
        upper = node.children[4] if _token(node.children[1]).type == "SUB" else node.children[2]
        _, index_token, _, low_node, _ = lower.children
        return self.summation(node.children[-1], [(index_token, low_node, upper)], depth)

    def rule_range_arg(self, node: ParseTree, depth: int) -> Value:
        self.fail("a range like j=1..n only makes sense inside a sum, as in sum(a_j, j=1..n)", node)

    # ---- subscripts and indices -----------------------------------------------------------

    def simple_subscript(self, items: list[Node]) -> str | None:
        """The text of a one-token subscript (`a` in D_a, `1` in x_{1}), else None."""
        if len(items) != 1 or not isinstance(items[0], Token):
            return None
        token = items[0]
        if token.type == "WORD":
            return self.word_name(token.value)[0]
        if token.type == "NUMBER" and token.value.isdigit():
            return str(token.value)
        return None

    def rule_subscripted(self, node: ParseTree, depth: int) -> Value:
        word, _, subscript = node.children
        if _is_tree(word, "group") and len(_items(word)) == 1:
            word = _items(word)[0]
        if not (isinstance(word, Token) and word.type == "WORD"):
            self.fail("only a name can have a subscript, as in x_1 or W_ij", node.children[1])
        base, kind = self.word_name(word.value)
        items = _items(_token_tree(subscript))
        simple = self.simple_subscript(items)
        full = f"{base}_{simple}" if simple is not None else None
        if full is not None:
            found = self.lookup(full)
            if found is not None:
                return found
        if base in self.ctx.indexed:
            return self.indexed(base, items, node, depth)
        if not self.ctx.declared:
            if full is not None and not self.looks_like_indices(simple or ""):
                return symbol_for(full)
            return self.indexed(base, items, node, depth, declared=False)
        parts = self.split_letters(base, kind)
        if parts is not None and full is not None:
            last = self.lookup(f"{base[-1]}_{simple}")
            if last is not None and isinstance(last, sp.Expr):
                return sp.Mul(*parts[:-1], last)
        self.fail(self.unknown_message(full or f"{base}_{{...}}"), node)

    def looks_like_indices(self, text: str) -> bool:
        """Whether a subscript such as `ij` spells index letters (i, j, k or a sum's index)."""
        return text.isalpha() and all(ch in self.bound or ch in self.ctx.indices for ch in text)

    def indexed(
        self, base: str, items: list[Node], node: Node, depth: int, declared: bool = True
    ) -> sp.Expr:
        """IndexedBase(base)[indices]: `W_ij`, `W_{i,j}`, `W[i, j]`, `a_{j+1}`."""
        count = self.ctx.indexed.get(base) if declared else None
        if len(items) == 1 and isinstance(items[0], Token):
            token = items[0]
            text = self.word_name(token.value)[0] if token.type == "WORD" else token.value
            if count is None:
                pieces = list(text) if len(text) > 1 and self.looks_like_indices(text) else [text]
            else:
                pieces = list(text) if count > 1 and len(text) == count else [text]
            values = [self.index_value(piece, token) for piece in pieces]
        elif _words_only(items):
            # W_{i j}: an implicit product of index letters lists the indices.
            words = [_token(c) for c in _token_tree(items[0]).children]
            values = [self.index_value(self.word_name(w.value)[0], w) for w in words]
        else:
            values = [self.expr(item, depth) for item in items]
        if count is not None and len(values) != count:
            self.fail(
                f"{quote(base)} takes {_indices(count)}, as in {self._index_example(base)}",
                node,
            )
        for k, value in enumerate(values):
            if value.is_integer is not True:
                self.fail(
                    "an index must be a whole number or an index letter such as i or j",
                    items[min(k, len(items) - 1)],
                )
        result: sp.Expr = sp.IndexedBase(base)[tuple(values)]
        return result

    def index_value(self, text: str, token: Token) -> sp.Expr:
        if text.isdigit():
            if len(text) > self.limits.max_number_digits:
                self.fail("this index is too long", token)
            return sp.Integer(int(text))
        found = self.lookup(text)
        if isinstance(found, sp.Expr):
            return found
        if not self.ctx.declared:
            return index_symbol(text)
        indices = ", ".join(self.ctx.indices) or "none"
        self.fail(f"unknown index {quote(text)}: the indices here are {indices}", token)

    # ---- calls ----------------------------------------------------------------------------

    def funcpow_value(self, node: ParseTree) -> int:
        """The n of `tanh^2(x)` / `\\tanh^{2} x`: a positive whole number."""
        tokens = [c for c in node.children if isinstance(c, Token)]
        if tokens and tokens[0].type == "SUPERSCRIPT":  # tanh²(x)
            script = tokens[0].value.translate(_SUPERSCRIPT_DIGITS)
            if not script.isdigit() or int(script) == 0:
                self.fail("the power of a function must be a whole number such as 2", tokens[0])
            return int(script)
        sign = next((t for t in tokens if t.type == "ADD"), None)
        number = next(t for t in tokens if t.type == "NUMBER")
        if sign is not None and sign.value in _MINUS_SIGNS:
            self.fail("inverse-function notation such as tanh^{-1} is not supported", node)
        if not number.value.isdigit() or int(number.value) == 0:
            self.fail("the power of a function must be a whole number such as 2", number)
        value = int(number.value) if len(number.value) < 8 else self.limits.max_exponent + 1
        if value > self.limits.max_exponent:
            self.fail(
                f"the exponent is too large (the limit is {self.limits.max_exponent})", number
            )
        return value

    def rule_call(self, node: ParseTree, depth: int) -> Value:
        """`name(args)`: a function call, or a product when the name is a variable."""
        word = node.children[0]
        primes = [c for c in node.children if isinstance(c, Token) and c.type == "PRIME"]
        funcpow = next((c for c in node.children if _is_tree(c, "funcpow")), None)
        callargs = node.children[-1]
        assert isinstance(callargs, Tree)
        args = _items(callargs)
        name, kind = self.word_name(_token(word).value)
        if primes:
            self.fail(
                "derivative notation such as f'(x) is only allowed on the left of a "
                "definition, as in f'(x) = ...",
                primes[0],
            )
        exponent = self.funcpow_value(funcpow) if funcpow is not None else None
        factor = self.call_as_factor(name, kind)
        if factor is not None:
            if len(args) != 1:
                self.fail(
                    f"{quote(name)} is a variable, not a function, so it cannot take "
                    f"{len(args)} arguments",
                    node,
                )
            if exponent is not None:
                factor = self.power(factor, sp.Integer(exponent), funcpow)
            return self.multiply(factor, self.arith(args[0], depth))
        if name in self.ctx.indexed:
            self.fail(f"{quote(name)} is indexed: write {self._index_example(name)}", node)
        result = self.apply_function(name, args, node, depth)
        if exponent is not None:
            result = self.power(self.as_expr(result, node), sp.Integer(exponent), funcpow)
        return result

    def call_as_factor(self, name: str, kind: str) -> sp.Expr | None:
        """For `x(x+1)`: the variable (or constant) multiplying the bracket, else None."""
        found = self.lookup(name)
        if isinstance(found, sp.Expr):
            return found
        if found is not None or name in self.ctx.indexed or self.is_function(name):
            return None
        if kind == "function" or name in REFUSED_NAMES:
            return None
        if not self.ctx.declared:
            # `x(x+1)` multiplies when x is used alone too; `g(1/3)` calls an unknown function.
            return symbol_for(name) if name in self.plain_names else None
        parts = self.split_letters(name, kind)
        return sp.Mul(*parts) if parts is not None else None

    def multiply(self, factor: sp.Expr, value: Value) -> Value:
        if isinstance(value, sp.MatrixBase):
            return value * factor
        return sp.Mul(factor, value)

    def rule_apply(self, node: ParseTree, depth: int) -> Value:
        """A LaTeX function without parentheses: `\\tanh x`, `\\tanh^2 x`."""
        command = node.children[0]
        name, _ = self.word_name(_token(command).value)
        funcpow = node.children[1] if _is_tree(node.children[1], "funcpow") else None
        exponent = self.funcpow_value(funcpow) if funcpow is not None else None
        result = self.apply_function(name, [node.children[-1]], node, depth)
        if exponent is not None:
            result = self.power(self.as_expr(result, node), sp.Integer(exponent), funcpow)
        return result

    def rule_apply_base(self, node: ParseTree, depth: int) -> Value:
        """`\\log_b x`, `\\log_{2}(x)`: a logarithm to the base in the subscript."""
        command, _, subscript, argument = node.children
        name, _ = self.word_name(_token(command).value)
        if name != "log":
            self.fail(f"only \\log takes a base as a subscript, not \\{name}", subscript)
        items = _items(_token_tree(subscript))
        if len(items) != 1:
            self.fail("the base of a logarithm is one number or name, as in \\log_{2} x", subscript)
        base = self.expr(items[0], depth)
        value = self.expr(argument, depth)
        if base.is_number and (base.is_positive is False or base == 1):
            self.fail("the base of a logarithm must be positive and not 1", subscript)
        result: sp.Expr = sp.log(value, base)
        return result

    def rule_index(self, node: ParseTree, depth: int) -> Value:
        """`W[i, j]`; `E[X]` for a function of the context; `x[y+1]` groups for a variable."""
        name, kind = self.word_name(_token(node.children[0]).value)
        items = _items(node)[1:]
        if name in self.ctx.indexed:
            return self.indexed(name, items, node, depth)
        if self.is_function(name):
            return self.apply_function(name, items, node, depth)
        factor = self.call_as_factor(name, kind)
        if factor is None:
            self.fail(self.unknown_message(name, kind), node)
        if not self.ctx.declared and self.lookup(name) is None:
            return self.indexed(name, items, node, depth, declared=False)
        if len(items) != 1:
            self.fail(f"{quote(name)} is not indexed, so {name}[...] takes one expression", node)
        return self.multiply(factor, self.arith(items[0], depth))

    def apply_function(self, name: str, args: list[Node], node: Node, depth: int) -> Value:
        """Apply a context function, a special form or a function of the table."""
        if name in self.ctx.functions:
            built = [self.opaque_argument(arg, depth) for arg in args]
            result: sp.Expr = sp.Function(name)(*built)
            return result
        form = SPECIAL_FORMS.get(name)
        if form is not None:
            special: Value = getattr(self, form)(args, node, depth)
            return special
        spec = FUNCTIONS.get(name)
        if spec is None:
            self.fail(self.unknown_function_message(name), node)
        if not spec.min_args <= len(args) <= spec.max_args:
            self.fail(f"{name} takes {spec.arity_text()}, not {len(args)}", node)
        values = [self.expr(arg, depth) for arg in args]
        try:
            return spec.build(values, self)
        except MathSyntaxError:
            raise
        except ValueError as err:  # a function's own refusal, e.g. (-1)!
            self.fail(str(err), node)

    def opaque_argument(self, node: Node, depth: int) -> sp.Expr:
        value = self.value(node, depth)
        if isinstance(value, BareBase):
            return sp.IndexedBase(value.name)
        return self.as_expr(value, node)

    def unknown_function_message(self, name: str) -> str:
        """'unknown function ...' with the closest function, or the product it may mean."""
        if name in REFUSED_NAMES:
            return REFUSED_NAMES[name]
        message = f"unknown function {quote(name)}"
        functions = list(self.ctx.functions) + sorted(FUNCTIONS)
        close = difflib.get_close_matches(name, functions, n=1, cutoff=0.6) if len(name) > 1 \
            else []
        lowered = [f for f in functions if f.lower() == name.lower()]
        hint = close[0] if close else (lowered[0] if lowered else None)
        if hint is not None and hint != name:
            return message + f" (did you mean {quote(hint)}?)"
        if not self.ctx.declared:
            return message + (f" (did you mean the product {name}*(...)? A name followed by "
                              "'(' is read as a function)")
        variables = ", ".join(self.ctx.variables or ()) or "none"
        return message + f" (for a product, write {name}*(...); the variables here are {variables})"

    # ---- special forms (their arguments are read from the tree) ---------------------------

    def form_sum(self, args: list[Node], node: Node, depth: int) -> sp.Expr:
        """sum(f, j=1..n), sum(f, j, 1, n), Sum(f, (j, 1, n)); several ranges nest."""
        usage = "write a sum as sum(a_j, j=1..n)"
        if len(args) < 2:
            self.fail(f"a sum needs a range: {usage}", node)
        rest = args[1:]
        ranges: list[tuple[Node, Node, Node]] = []
        if len(rest) == 3 and isinstance(rest[0], Token):
            ranges.append((rest[0], rest[1], rest[2]))
        else:
            for item in rest:
                if _is_tree(item, "range_arg"):
                    assert isinstance(item, Tree)
                    index_token, _, low, _, high = item.children
                    ranges.append((index_token, low, high))
                elif _is_tree(item, "paren") and len(_items(item)) == 3:
                    assert isinstance(item, Tree)
                    index_token, low, high = _items(item)
                    ranges.append((index_token, low, high))
                else:
                    self.fail(f"this is not the range of a sum: {usage}", item)
        return self.summation(args[0], ranges, depth)

    def form_piecewise(self, args: list[Node], node: Node, depth: int) -> sp.Expr:
        pairs: list[tuple[sp.Expr, Boolean]] = []
        for arg in args:
            if not (_is_tree(arg, "paren") and len(_items(arg)) == 2):
                self.fail(
                    "Piecewise takes pairs (value, condition), as in "
                    "Piecewise((x, x > 0), (0, True))",
                    arg,
                )
            assert isinstance(arg, Tree)
            value, condition = _items(arg)
            pairs.append((self.expr(value, depth), self.cond(condition, depth)))
        if not pairs:
            self.fail("Piecewise needs at least one (value, condition) pair", node)
        return self.piecewise(pairs, node)

    def form_eq(self, args: list[Node], node: Node, depth: int) -> Boolean:
        if len(args) != 2:
            self.fail(f"Eq takes 2 arguments, not {len(args)}", node)
        return sp.Eq(self.expr(args[0], depth), self.expr(args[1], depth), evaluate=False)

    def form_matrix(self, args: list[Node], node: Node, depth: int) -> sp.ImmutableMatrix:
        if len(args) != 1 or not _is_tree(args[0], "bracket"):
            self.fail("Matrix takes one list, as in Matrix([[1, 2], [3, 4]])", node)
        assert isinstance(args[0], Tree)
        return self.matrix_from_list(args[0], depth)

    def form_rational(self, args: list[Node], node: Node, depth: int) -> sp.Rational:
        if len(args) != 2:
            self.fail(f"Rational takes 2 arguments, not {len(args)}", node)
        p, q = (self.expr(arg, depth) for arg in args)
        if not (p.is_Integer and q.is_Integer):
            self.fail("Rational takes two whole numbers, as in Rational(1, 2)", node)
        if q == 0:
            self.fail("division by zero", args[1])
        return sp.Rational(int(p), int(q))


_SUBSCRIPTED = re.compile(r"([A-Za-z]+)_\{?(\d+)\}?")
_NUMBERED = re.compile(r"([A-Za-z]+)(\d+)")


def subscript_alias(name: str) -> str | None:
    """`x_1` for `x1` and `x1` for `x_1`: the same variable written with or without a subscript."""
    match = _SUBSCRIPTED.fullmatch(name)
    if match:
        return match.group(1) + match.group(2)
    match = _NUMBERED.fullmatch(name)
    if match:
        return f"{match.group(1)}_{match.group(2)}"
    return None
