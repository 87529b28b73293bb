"""A LALR grammar for probability notation, read into the tree of `grader.probability.nodes`.

Student text is never evaluated: the scanner in `lexer` produces tokens, lark's LALR parser
reduces them and the callbacks below build the tree while parsing (no recursion over deep input).
Every failure ends in a ProbSyntaxError whose `render()` puts a caret under the place.
"""

from __future__ import annotations

import contextvars
import functools
from dataclasses import dataclass
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.lexer import Lexer

from grader.cachedir import lark_parser
from grader.probability.errors import ProbSyntaxError
from grader.probability.lexer import tokenize
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
    children,
    free_indices,
    walk,
)

MAX_TREE_DEPTH = 120
MAX_EXPONENT = 100.0
DATA_INDICES = frozenset("ijnmkt")

GRAMMAR = r"""
%declare NUMBER NAME DNAME LABEL LOG LOGOPEN EXPFN EXPOPEN SUM PROD INT DZ FRAC EXPECT KL ENT SIM IN BAR KLSEP
%declare COMMA SEMI LPAR RPAR LSQB RSQB LBRACE RBRACE PLUS MINUS STAR SLASH CARET UNDERSCORE EQ GE LE DOTS

start: line

line: label? relop? sum (relop sum)*        -> chain
    | NAME sub? SIM sum                      -> sample

label: LABEL sub? labelargs? EQ
labelargs: LPAR labelarg* RPAR
labelarg: NAME | DNAME | COMMA | SEMI | BAR | UNDERSCORE | NUMBER | LBRACE | RBRACE

relop: EQ | GE | LE

?sum: term
    | sum PLUS term                 -> add
    | sum MINUS term                -> minus

?term: head
     | head prefixed                -> mul
     | head STAR prefixed           -> mul_star
     | head SLASH prefixed          -> div_slash
     | prefixed
     | MINUS term                   -> neg
     | PLUS term                    -> pos

?head: power
     | head STAR factor             -> mul_star
     | head SLASH factor            -> div_slash
     | head power                   -> mul

?factor: power
       | MINUS factor               -> neg

prefixed: LOG term                  -> log
        | EXPFN term                -> exp
        | SUM sub sup? term         -> sumop
        | SUM term                  -> sum_bare
        | SUM LPAR sum COMMA NAME RPAR                        -> sum_call
        | SUM LPAR sum COMMA NAME EQ NUMBER DOTS supatom RPAR -> sum_call
        | PROD sub sup? term        -> prodop
        | INT bounds term DZ        -> integral

bounds: sub? sup?

sub: UNDERSCORE subatom
?subatom: NAME                      -> sub_word
        | DNAME                     -> sub_word
        | NUMBER                    -> sub_number
        | LBRACE subbody RBRACE     -> sub_group
?subbody: sum                       -> sub_expr
        | NAME EQ sum               -> sub_assign
        | NAME sub? SIM sum         -> sub_sample
        | NAME IN sum               -> sub_in

sup: CARET supatom
?supatom: NAME | NUMBER | LBRACE NAME RBRACE -> sup_group | LBRACE NUMBER RBRACE -> sup_group
        | LBRACE MINUS NAME RBRACE -> sup_group

?power: atom
      | atom CARET expo             -> power
?expo: atom
     | MINUS atom                   -> neg

?atom: NUMBER                       -> number
     | LPAR sum RPAR                -> group
     | LSQB sum RSQB                -> group
     | LBRACE sum RBRACE            -> group
     | LOGOPEN sum close            -> log_call
     | EXPOPEN sum close            -> exp_call
     | FRAC LBRACE sum RBRACE LBRACE sum RBRACE -> frac
     | EXPECT sub? ebody            -> expect
     | KL kopen sum ksep sum close  -> kl
     | ENT kopen sum close          -> entropy
     | ENT kopen sum COMMA sum close -> cross_entropy
     | NAME sub?                    -> name_ref
     | DNAME sub?                   -> name_ref
     | DNAME sub? LPAR dargs RPAR   -> dist

ebody: LSQB sum RSQB | LPAR sum RPAR | LBRACE sum RBRACE
kopen: LPAR | LSQB
close: RPAR | RSQB | RBRACE
ksep: KLSEP | BAR | COMMA

dargs: darglist (BAR darglist)? (SEMI paramlist)?
darglist: darg (COMMA darg)*
darg: NAME sub?                                    -> darg
    | NAME CARET LBRACE LPAR NAME RPAR RBRACE      -> darg_sup
    | NAME CARET LPAR NAME RPAR                    -> darg_sup
    | STAR                                         -> darg_dot
paramlist: param (COMMA param)*
param: NAME sub? | DNAME sub?
"""

_NOTES: contextvars.ContextVar[list[str]] = contextvars.ContextVar("prob_notes")
_TEXT: contextvars.ContextVar[str] = contextvars.ContextVar("prob_text")


@dataclass(frozen=True)
class _Name:
    """A name not yet placed: x, z, N, e, or a bare p / q (as in KL(q || p))."""

    word: str
    kind: str  # "NAME" or "DNAME"
    sub: Any
    pos: int

    def spelled(self) -> str:
        return self.word + (f"_{_sub_text(self.sub)}" if self.sub is not None else "")


@dataclass(frozen=True)
class _Sub:
    kind: str  # word | number | expr | assign | sample | in
    value: Any
    pos: int
    extra: Any = None


@dataclass(frozen=True)
class _Arg:
    var: Var | None  # None for the placeholder `·`
    pos: int
    dataset: bool = False  # capital X alone: the whole data set x_1..x_N


def _fail(message: str, pos: int | None) -> ProbSyntaxError:
    return ProbSyntaxError(message, _TEXT.get(""), pos)


def _note(message: str) -> None:
    notes = _NOTES.get(None)
    if notes is not None and message not in notes:
        notes.append(message)


def _pos(item: Any) -> int | None:
    if isinstance(item, Token):
        return item.start_pos
    return getattr(item, "pos", None)


def _sub_text(sub: Any) -> str:
    if isinstance(sub, _Sub):
        if sub.kind in ("word", "number"):
            return str(sub.value)
        if sub.kind == "expr" and isinstance(sub.value, _Name):
            return sub.value.spelled()
    return "…"


def _expr(item: Any, pos: int | None = None) -> Expr:
    """Place a value in an expression: names that are not quantities are refused here."""
    if isinstance(item, _Name):
        if item.kind == "DNAME":
            example = f"{item.word}(z|x_i)" if item.word.lower() == "q" else f"{item.word}(x_i|z) or {item.word}(z)"
            raise _fail(f"'{item.spelled()}' needs its arguments here, e.g. {example}", item.pos)
        if item.word == "N" and item.sub is None:
            return DataSize()
        if item.word in ("x", "X", "z", "Z"):
            raise _fail(
                f"'{item.spelled()}' can only appear inside a density such as p(x_i|z) or q(z|x_i)", item.pos
            )
        if item.word == "e":
            raise _fail("write e^{...} or exp(...) for the exponential", item.pos)
        raise _fail(f"'{item.spelled()}' is not a quantity of this model", item.pos)
    if isinstance(item, (_Sub, _Arg, Token)) or item is None:
        raise _fail("this part of the expression is incomplete", _pos(item) if item is not None else pos)
    expr: Expr = item
    return expr


def _flat(cls: type[Add] | type[Mul], parts: list[Expr]) -> Expr:
    out: list[Expr] = []
    for part in parts:
        out.extend(part.terms if cls is Add and isinstance(part, Add) else
                   part.factors if cls is Mul and isinstance(part, Mul) else (part,))
    return cls(tuple(out))


def _negate(value: Expr) -> Expr:
    if isinstance(value, Num):
        return Num(-value.value)
    return Neg(value)


def _constant(value: Expr) -> float | None:
    """The value of a numeric constant (an exponent), or None if it is not one."""
    if isinstance(value, Num):
        return value.value
    if isinstance(value, Neg):
        inner = _constant(value.arg)
        return None if inner is None else -inner
    if isinstance(value, Div):
        a, b = _constant(value.num), _constant(value.den)
        return None if a is None or b is None or b == 0 else a / b
    if isinstance(value, Mul):
        product = 1.0
        for factor in value.factors:
            c = _constant(factor)
            if c is None:
                return None
            product *= c
        return product
    return None


# --- densities -----------------------------------------------------------------------------------------


def _make_var(arg: _Arg) -> Var | None:
    return arg.var


def _variable(word: str, sub: Any, pos: int) -> Var:
    name = word.lower()
    if name not in ("x", "z"):
        raise _fail(f"'{word}' is not a variable of this model: densities take x (the data) and z (the latent)", pos)
    index: str | None = None
    if sub is not None:
        if sub.kind == "number":
            if name == "x":
                raise _fail(f"x_{sub.value} is one fixed data point; write x_i for the i-th one", sub.pos)
        elif sub.kind == "word" and len(str(sub.value)) == 1:
            index = str(sub.value)
        elif sub.kind == "expr" and isinstance(sub.value, _Name) and len(sub.value.word) == 1 and sub.value.sub is None:
            index = sub.value.word
        else:
            raise _fail(f"this index of {word} cannot be read; write {name}_i", sub.pos)
    if name == "x":
        return Var("x", index)
    return Var("z", index)


def _family(name: _Name) -> str:
    return name.word.lower()


def _make_dist(name: _Name, vars_: list[_Arg], given: list[_Arg]) -> Expr:
    if any(a.dataset for a in (*vars_, *given)):
        if _family(name) != "p" or len(vars_) != 1 or given:
            raise _fail("X stands for the whole data set; only p(X) is defined, as the product of the p(x_i)", name.pos)
        _note("p(X) was read as the likelihood of the data set, the product of p(x_i) over i = 1..N.")
        return ProdData("i", Dist("p", (Var("x", "i"),), (), name.spelled()))
    family = _family(name)
    spelled = name.spelled()
    placeholder = next((a for a in (*vars_, *given) if a.var is None), None)
    if placeholder is not None:
        if any(a.var is None for a in given) or len(vars_) != 1:
            raise _fail("the placeholder · stands for z in q(·|x); put it before the bar", placeholder.pos)
        vars_ = [_Arg(Var("z"), placeholder.pos)]
    v = tuple(a.var for a in vars_ if a.var is not None)
    g = tuple(a.var for a in given if a.var is not None)
    names_v = sorted(x.name for x in v)
    names_g = sorted(x.name for x in g)
    here = name.pos
    if len(set(names_v)) != len(names_v) or set(names_v) & set(names_g):
        raise _fail(f"{spelled}(...) names the same variable twice", here)
    if family == "q":
        if names_v == ["z"] and names_g == ["x"]:
            return Dist("q", v, g, spelled)
        if names_v == ["z"] and not g:
            _note("q(z) was read as the approximate posterior q(z|x_i).")
            return Dist("q", v, (Var("x", None),), spelled)
        raise _fail(f"{spelled} is the approximate posterior over z: write {spelled}(z|x_i)", here)
    if g:
        if names_v == ["x"] and names_g == ["z"]:
            return Dist("p", v, g, spelled)
        if names_v == ["z"] and names_g == ["x"]:
            return Dist("p", v, g, spelled)
        raise _fail(f"this {spelled}(...|...) cannot be read: use p(x_i|z) or p(z|x_i)", here)
    if names_v == ["x", "z"]:
        x = next(a for a in v if a.name == "x")
        z = next(a for a in v if a.name == "z")
        return Dist("p", (x, z), (), spelled)
    if names_v in (["x"], ["z"]):
        return Dist("p", v, (), spelled)
    raise _fail(f"this {spelled}(...) cannot be read: use p(z), p(x_i), p(x_i, z), p(x_i|z) or p(z|x_i)", here)


def _bare_density(item: Any, role: str) -> Dist:
    """A density over z, from `q`, `p`, `q_phi`, `q(z|x_i)`, `p(z)`, `p(z|x_i)`."""
    if isinstance(item, _Name) and item.kind == "DNAME":
        if _family(item) == "q":
            return Dist("q", (Var("z"),), (Var("x"),), item.spelled())
        _note(f"'{item.spelled()}' alone was read as the prior p(z).")
        return Dist("p", (Var("z"),), (), item.spelled())
    if isinstance(item, Dist):
        if [v.name for v in item.vars] != ["z"]:
            raise _fail(
                f"{role} needs a distribution over z, such as q(z|x_i) or p(z); {item.spelled}(...) is over x",
                None,
            )
        return item
    if isinstance(item, _Name):
        _expr(item)
    raise _fail(f"{role} needs a distribution over z, such as q(z|x_i) or p(z)", _pos(item))


# --- the callbacks -------------------------------------------------------------------------------------------


class _Build(Transformer[Token, Any]):
    """Called by the LALR parser at each reduction; builds the tree bottom-up without recursion."""

    # lines

    def start(self, items: list[Any]) -> Any:
        return items[0]

    def chain(self, items: list[Any]) -> Chain:
        label = None
        if items and isinstance(items[0], tuple) and items[0][0] == "label":
            label = items[0][1]
            items = items[1:]
        leading = None
        if items and isinstance(items[0], str):
            leading = items[0]
            items = items[1:]
        exprs = [_expr(x) for x in items[0::2]]
        relations = tuple(items[1::2])
        # `leading` is narrowed to str above; the grammar's relation rules only ever give RelOp strings.
        return Chain(tuple(exprs), relations, leading, label)  # type: ignore[arg-type]

    def sample(self, items: list[Any]) -> Sample:
        name = items[0]
        sub = items[1] if len(items) == 4 else None
        if name.value.lower() != "z":
            raise _fail("only z is sampled in this model: write z ~ q(z|x_i)", name.start_pos)
        return Sample(_variable(name.value, sub, name.start_pos), _bare_density(items[-1], "z ~ ..."))

    def label(self, items: list[Any]) -> tuple[str, str]:
        return ("label", str(items[0]))

    def labelargs(self, items: list[Any]) -> None:
        return None

    def labelarg(self, items: list[Any]) -> None:
        return None

    def relop(self, items: list[Any]) -> str:
        return {"EQ": "=", "GE": ">=", "LE": "<="}[items[0].type]

    # arithmetic

    def add(self, items: list[Any]) -> Expr:
        return _flat(Add, [_expr(items[0]), _expr(items[2])])

    def minus(self, items: list[Any]) -> Expr:
        return _flat(Add, [_expr(items[0]), _negate(_expr(items[2]))])

    def sub(self, items: list[Any]) -> Any:
        return items[1]

    def mul(self, items: list[Any]) -> Expr:
        return _flat(Mul, [_expr(items[0]), _expr(items[1])])

    def mul_star(self, items: list[Any]) -> Expr:
        return _flat(Mul, [_expr(items[0]), _expr(items[2])])

    def div_slash(self, items: list[Any]) -> Expr:
        return Div(_expr(items[0]), _expr(items[2]))

    def neg(self, items: list[Any]) -> Expr:
        return _negate(_expr(items[1], _pos(items[0])))

    def pos(self, items: list[Any]) -> Expr:
        return _expr(items[1], _pos(items[0]))

    def power(self, items: list[Any]) -> Expr:
        base, caret, exponent = items
        if isinstance(base, _Name) and base.word == "e" and base.sub is None:
            return Exp(_expr(exponent, caret.start_pos))
        value = _expr(exponent, caret.start_pos)
        constant = _constant(value)
        if constant is None:
            raise _fail("an exponent must be a number here, e.g. ^2 or ^{-1}", caret.start_pos)
        if abs(constant) > MAX_EXPONENT:
            raise _fail(f"this exponent is larger than {MAX_EXPONENT:g}", caret.start_pos)
        return Pow(_expr(base), constant)

    def number(self, items: list[Any]) -> Num:
        return Num(float(items[0]))

    def group(self, items: list[Any]) -> Any:
        return items[1]

    def frac(self, items: list[Any]) -> Expr:
        return Div(_expr(items[2], _pos(items[1])), _expr(items[5], _pos(items[4])))

    def log(self, items: list[Any]) -> Expr:
        return Log(_expr(items[1], _pos(items[0])))

    def exp(self, items: list[Any]) -> Expr:
        return Exp(_expr(items[1], _pos(items[0])))

    def log_call(self, items: list[Any]) -> Expr:
        _check_close(items[0], items[2])
        return Log(_expr(items[1], _pos(items[0])))

    def exp_call(self, items: list[Any]) -> Expr:
        _check_close(items[0], items[2])
        return Exp(_expr(items[1], _pos(items[0])))

    def close(self, items: list[Token]) -> Token:
        return items[0]

    def kopen(self, items: list[Token]) -> Token:
        return items[0]

    def ksep(self, items: list[Token]) -> Token:
        return items[0]

    # sums, integrals, expectations

    def sumop(self, items: list[Any]) -> Expr:
        token, sub = items[0], items[1]
        sup = items[2] if len(items) == 4 else None
        body = _expr(items[-1], token.start_pos)
        return _make_sum(token, sub, sup, body)

    def prodop(self, items: list[Any]) -> Expr:
        token, sub = items[0], items[1]
        sup = items[2] if len(items) == 4 else None
        body = _expr(items[-1], token.start_pos)
        made = _make_sum(token, sub, sup, body)
        if isinstance(made, SumData):
            return ProdData(made.index, made.body)
        raise _fail("a product runs over the data set: write prod_{i=1}^N", token.start_pos)

    def sum_call(self, items: list[Any]) -> Expr:
        """sum(f, z) and sum(f, i=1..N), as in a computer algebra system: sum_z f, sum_{i=1}^N f."""
        token, body = items[0], items[2]
        index = items[4]
        if len(items) == 6:
            sub = _Sub("word", str(index), index.start_pos)
            sup = None
        else:
            sub = _Sub("assign", str(index), index.start_pos, extra=Num(float(items[6])))
            sup = items[8]
        return _make_sum(token, sub, sup, _expr(body, token.start_pos))

    def sum_bare(self, items: list[Any]) -> Expr:
        raise _fail("say what the sum runs over: sum_z for the latent z, or sum_{i=1}^N for the data", items[0].start_pos)

    def integral(self, items: list[Any]) -> Expr:
        _note("The integral over z was judged as a sum over the values of a discrete z (the same identities hold).")
        return SumZ(_expr(items[2], items[0].start_pos), integral=True)

    def bounds(self, items: list[Any]) -> None:
        return None

    def expect(self, items: list[Any]) -> Expr:
        token = items[0]
        sub = items[1] if len(items) == 3 else None
        body = _expr(items[-1], token.start_pos)
        return Expect(_expectation_density(sub, token.start_pos), body)

    def ebody(self, items: list[Any]) -> Any:
        return items[1]

    def kl(self, items: list[Any]) -> Expr:
        _check_close(items[1], items[5])
        return KL(_bare_density(items[2], "KL(· || ·)"), _bare_density(items[4], "KL(· || ·)"))

    def entropy(self, items: list[Any]) -> Expr:
        _check_close(items[1], items[3])
        return Entropy(_bare_density(items[2], "H(·)"))

    def cross_entropy(self, items: list[Any]) -> Expr:
        _check_close(items[1], items[5])
        return Entropy(_bare_density(items[2], "H(·, ·)"), _bare_density(items[4], "H(·, ·)"))

    # names, subscripts, densities

    def name_ref(self, items: list[Any]) -> _Name:
        token = items[0]
        return _Name(str(token), token.type, items[1] if len(items) > 1 else None, token.start_pos)

    def dist(self, items: list[Any]) -> Expr:
        token = items[0]
        sub = items[1] if isinstance(items[1], _Sub) else None
        args = next(x for x in items if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], list))
        name = _Name(str(token), token.type, sub, token.start_pos)
        return _make_dist(name, args[0], args[1])

    def dargs(self, items: list[Any]) -> tuple[list[_Arg], list[_Arg]]:
        lists = [x for x in items if isinstance(x, list)]
        vars_ = lists[0]
        given = lists[1] if len(lists) > 1 else []
        return (vars_, given)

    def darglist(self, items: list[Any]) -> list[_Arg]:
        return [x for x in items if isinstance(x, _Arg)]

    def darg(self, items: list[Any]) -> _Arg:
        token = items[0]
        sub = items[1] if len(items) > 1 else None
        dataset = str(token) == "X" and sub is None
        return _Arg(_variable(str(token), sub, token.start_pos), token.start_pos, dataset)

    def darg_sup(self, items: list[Any]) -> _Arg:
        token = items[0]
        index = next(x for x in items[1:] if isinstance(x, Token) and x.type == "NAME")
        where = index.start_pos or 0
        return _Arg(_variable(str(token), _Sub("word", str(index), where), token.start_pos), token.start_pos)

    def darg_dot(self, items: list[Any]) -> _Arg:
        return _Arg(None, items[0].start_pos)

    def paramlist(self, items: list[Any]) -> str:
        return "params"

    def param(self, items: list[Any]) -> None:
        return None

    def sub_word(self, items: list[Any]) -> _Sub:
        return _Sub("word", str(items[0]), items[0].start_pos)

    def sub_number(self, items: list[Any]) -> _Sub:
        return _Sub("number", str(items[0]), items[0].start_pos)

    def sub_group(self, items: list[Any]) -> _Sub:
        inner = items[1]
        return inner if isinstance(inner, _Sub) else _Sub("expr", inner, items[0].start_pos)

    def sub_expr(self, items: list[Any]) -> _Sub:
        value = items[0]
        return _Sub("expr", value, _pos(value) or 0)

    def sub_assign(self, items: list[Any]) -> _Sub:
        return _Sub("assign", str(items[0]), items[0].start_pos, extra=items[-1])

    def sub_sample(self, items: list[Any]) -> _Sub:
        return _Sub("sample", str(items[0]), items[0].start_pos, extra=items[-1])

    def sub_in(self, items: list[Any]) -> _Sub:
        return _Sub("in", str(items[0]), items[0].start_pos, extra=items[-1])

    def sup(self, items: list[Any]) -> Any:
        return items[1]

    def sup_group(self, items: list[Any]) -> Any:
        inner = [x for x in items if isinstance(x, Token) and x.type in ("NAME", "NUMBER")]
        if any(isinstance(x, Token) and x.type == "MINUS" for x in items):
            return Token("NAME", "?", start_pos=items[0].start_pos)
        return inner[0]


def _check_close(opener: Token, closer: Token) -> None:
    pairs = {"(": ")", "[": "]", "{": "}"}
    want = pairs.get(str(opener)[-1:], ")")
    if str(closer) != want:
        raise _fail(f"expected '{want}' to close the bracket opened here", opener.start_pos)


def _make_sum(token: Token, sub: _Sub, sup: Any, body: Expr) -> Expr:
    """sum_z, sum_{z}, sum_{i=1}^N, sum_i, sum_{k=1}^K with z_k: latent or data, from the index and bounds."""
    index: str | None = None
    lower: Any = None
    if sub.kind == "word":
        index = str(sub.value)
    elif sub.kind == "expr" and isinstance(sub.value, _Name) and sub.value.sub is None:
        index = sub.value.word
    elif sub.kind in ("assign", "in"):
        index = str(sub.value)
        lower = sub.extra
    if index is None or len(index) != 1:
        raise _fail("say what this sum runs over: write sum_z or sum_{i=1}^N", sub.pos)
    upper = str(sup) if sup is not None else None
    if sub.kind == "assign":
        value = lower if isinstance(lower, Num) else None
        if value is None or value.value != 1.0:
            raise _fail("a sum over the data runs from i=1 to N", sub.pos)
    latent = index.lower() == "z" or upper == "K" or sub.kind == "in" or _indexes_z(body, index)
    if not latent and upper is None and index not in DATA_INDICES:
        raise _fail(f"sum_{index} does not say what it runs over; write sum_z or sum_{{i=1}}^N", sub.pos)
    if latent:
        if upper not in (None, "K"):
            raise _fail("a sum over z runs over its values: write sum_z", sub.pos)
        return SumZ(body)
    if upper not in (None, "N"):
        raise _fail(f"a sum over the data runs from 1 to N, not to {upper}", sub.pos)
    inner = free_indices(body) - {index, ""}
    if inner:
        raise _fail(
            f"inside sum_{index}, the data index is {index}; x_{min(inner)} refers to another one", token.start_pos
        )
    return SumData(index, body)


def _indexes_z(body: Expr, index: str) -> bool:
    """Whether the body writes z_k with the sum's index (sum_k p(x|z_k) p(z_k) runs over z)."""
    return any(
        isinstance(node, Dist) and any(v.name == "z" and v.index == index for v in (*node.vars, *node.given))
        for node in walk(body)
    )


def _expectation_density(sub: Any, pos: int) -> Dist:
    if sub is None:
        _note("E[...] without a subscript was read as the expectation over z ~ q(z|x_i).")
        return Dist("q", (Var("z"),), (Var("x"),), "q")
    if sub.kind == "word":
        word = str(sub.value)
        if word in ("q", "p", "Q", "P"):
            return _bare_density(_Name(word, "DNAME", None, sub.pos), "E_{...}")
        if word == "z":
            _note("E_z[...] was read as the expectation over z ~ q(z|x_i).")
            return Dist("q", (Var("z"),), (Var("x"),), "q")
        raise _fail(f"E_{word}: say which distribution z follows, e.g. E_{{z~q(z|x_i)}}[...]", sub.pos)
    if sub.kind == "expr":
        return _bare_density(sub.value, "E_{...}")
    if sub.kind == "sample":
        if sub.value.lower() != "z":
            raise _fail("expectations here are over z: write E_{z~q(z|x_i)}[...]", sub.pos)
        return _bare_density(sub.extra, "E_{z~...}")
    raise _fail("this subscript of E cannot be read; write E_{z~q(z|x_i)}[...] or E_q[...]", sub.pos)


# --- the parser object ----------------------------------------------------------------------------------------


class _TokenList(Lexer):
    """Lark's side of our scanner: the tokens are made before lark is called."""

    def __init__(self, lexer_conf: Any) -> None:
        del lexer_conf

    # lark calls a custom lexer's lex with what the parser was given (our tokens), not with the
    # LexerState its stub declares.
    def lex(self, data: Any) -> Any:  # type: ignore[override]
        yield from data


_OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": _TokenList, "start": "start"}


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    """The parser, loaded on first use (a set without probability answers never needs it)."""
    parser: Lark = lark_parser("probability", GRAMMAR, {"transformer": _Build()}, **_OPTIONS)
    return parser

TOKEN_WORDS = {
    "RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "LPAR": "'('", "LSQB": "'['", "LBRACE": "'{'",
    "BAR": "'|'", "KLSEP": "'||'", "COMMA": "','", "EQ": "'='", "GE": "'>='", "LE": "'<='",
    "DZ": "'dz'", "UNDERSCORE": "'_'", "CARET": "'^'",
}


def parse_line(text: str) -> Chain | Sample:
    """Parse one line of probability notation (an expression, a chain of relations, or z ~ ...)."""
    if not isinstance(text, str):
        raise ProbSyntaxError("expected text")
    notes: list[str] = []
    token_notes = _NOTES.set(notes)
    token_text = _TEXT.set(text)
    try:
        tokens = tokenize(text)
        if not tokens:
            raise ProbSyntaxError("the answer is empty", text, 0)
        try:
            result = _parser().parse(tokens)
        except VisitError as err:
            if isinstance(err.orig_exc, ProbSyntaxError):
                raise err.orig_exc from None
            raise ProbSyntaxError("this cannot be read as a probability expression", text, 0) from None
        except UnexpectedToken as err:
            raise _unexpected(text, err.token, err.expected) from None
        except (UnexpectedEOF, UnexpectedCharacters, UnexpectedInput):
            raise ProbSyntaxError("the expression ends too early: an argument or a bracket is missing",
                                  text, len(text)) from None
        except LarkError:
            raise ProbSyntaxError("this cannot be read as a probability expression", text, 0) from None
        _check_depth(result, text)
        if isinstance(result, Chain):
            return Chain(result.items, result.relations, result.leading, result.label, tuple(notes))
        if isinstance(result, Sample):
            return result
        raise ProbSyntaxError("this cannot be read as a probability expression", text, 0)
    except ProbSyntaxError:
        raise
    except RecursionError:
        raise ProbSyntaxError("this expression is nested too deeply", text, 0) from None
    finally:
        _NOTES.reset(token_notes)
        _TEXT.reset(token_text)


def _unexpected(text: str, token: Any, expected: Any) -> ProbSyntaxError:
    if token is None or getattr(token, "type", "") == "$END":
        wants = sorted(TOKEN_WORDS[t] for t in (expected or ()) if t in TOKEN_WORDS)
        hint = f" (expected {' or '.join(wants[:3])})" if wants else ""
        return ProbSyntaxError(f"the expression ends too early{hint}", text, len(text))
    shown = str(token) or token.type
    wants = sorted(TOKEN_WORDS[t] for t in (expected or ()) if t in TOKEN_WORDS)
    hint = f"; expected {' or '.join(wants[:3])}" if wants and len(wants) <= 3 else ""
    return ProbSyntaxError(f"unexpected '{shown}' here{hint}", text, getattr(token, "start_pos", 0))


def _check_depth(result: Any, text: str) -> None:
    roots: list[Expr] = []
    if isinstance(result, Chain):
        roots = list(result.items)
    elif isinstance(result, Sample):
        roots = [result.dist]
    for root in roots:
        stack = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_TREE_DEPTH:
                raise ProbSyntaxError(f"this expression is nested more than {MAX_TREE_DEPTH} levels deep", text, 0)
            stack.extend((child, depth + 1) for child in children(node))
        indices = free_indices(root) - {""}
        if len(indices) > 1:
            a, b = sorted(indices)[:2]
            raise ProbSyntaxError(
                f"this expression uses two data indices, x_{a} and x_{b}; use one (x_i) or sum over the other",
                text, 0,
            )


def parse_expression(text: str) -> Expr:
    """Parse a single probability expression (a leading label such as `L_i =` is allowed)."""
    result = parse_line(text)
    if isinstance(result, Sample):
        return result.dist
    if result.leading is not None or len(result.items) != 1:
        raise ProbSyntaxError("expected a single expression, not a relation", text, 0)
    return result.items[0]
