"""The grammar (one LALR grammar for plain text and LaTeX) and the cached parser.

Plain text and LaTeX share every rule: LaTeX only adds tokens that start with a backslash
(`\\frac`, `\\left(`, `\\begin{cases}`, ...), so a mixed answer like `\\alpha*(exp(x)-1)`
reads naturally. The grammar has no shift/reduce conflicts (a test checks it); where plain
context-free rules would be ambiguous, the lexer decides with a lookahead instead:

* a name directly followed by `(` (or `^2(`, or `\\{`) is a CALLWORD: `f(x)`, `tanh^2(x)`,
  `\\max\\{0,x\\}`; the builder later decides between a function call and a product
  (`x(x+1)` when x is a variable);
* a name directly followed by `[` is an IDXWORD: `W[i,j]`;
* `sum` directly followed by `_` is the summation sign, as are `\\sum`, `∑` and `Σ`;
* every `|` was already marked as opening or closing by the pre-scan (limits.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lark import Lark

from grader.cachedir import lark_parser
from grader.mathparse.latex import (
    FUNCTION_COMMANDS,
    IGNORED_COMMANDS,
    STRUCTURAL_COMMANDS,
    WRAPPER_COMMANDS,
    alternation,
)
from grader.mathparse.limits import CLOSE_BAR, OPEN_BAR
from grader.mathparse.names import GREEK_CHARS

_KEYWORDS = "if|else|and|or|not|otherwise"
_TEXT_KEYWORDS = "if|for|when|otherwise|else|and|or"
_WRAPPERS = "|".join(WRAPPER_COMMANDS)
_NOT_LETTER = r"(?![A-Za-z])"

# The alternatives of a name, shared by WORD, CALLWORD and IDXWORD.
_RESERVED = alternation(STRUCTURAL_COMMANDS | IGNORED_COMMANDS)
_GREEK = "".join(sorted(GREEK_CHARS))
_WORD = (
    rf"\\(?:{_WRAPPERS})\s*\{{\s*(?!(?:{_TEXT_KEYWORDS})\s*\}})[A-Za-z]+\s*\}}"
    rf"|\\(?!(?:{_RESERVED}){_NOT_LETTER})[A-Za-z]+"
    rf"|(?!(?:{_KEYWORDS})(?![A-Za-z0-9]))[A-Za-z][A-Za-z0-9]*"
    rf"|[{_GREEK}]"
)

# What may follow a name for it to be called: primes, a power like ^2, ^{2} or ², a size
# command, then an opening parenthesis or brace.
_CALL_AHEAD = (
    r"(?=['′]*\s*(?:\^\s*(?:[0-9]+|\{\s*[0-9]+\s*\})\s*|[¹²³⁴⁵⁶⁷⁸⁹]\s*)?"
    r"(?:\\(?:big|Big|bigg|Bigg)l?\s*)?"
    r"(?:\(|\\left\s*\(|\\\{|\\left\s*\\\{|\\lbrace(?![A-Za-z])|\\left\s*\\lbrace(?![A-Za-z])))"
)

_TEXT = r"\\(?:text|mathrm|textrm|mbox)\s*\{\s*"

GRAMMAR = r"""
start: relation

?relation: ifexpr (EQUALS ifexpr)+           -> relation
         | ifexpr

?ifexpr: or_expr IF or_expr ELSE ifexpr       -> ifelse
       | or_expr

?or_expr: and_expr (OR and_expr)+             -> disjunction
        | and_expr

?and_expr: not_expr (AND not_expr)+           -> conjunction
         | not_expr

?not_expr: NOT not_expr                       -> negation
         | comparison

?comparison: sum (CMP sum)+                   -> compare
           | sum

?sum: term (ADD term)+                        -> add
    | term

// A product is a flat list: operands, each after an explicit MUL/DIV or none (implicit).
// A big sum can only end a product: its summand runs to the end of the product term.
?term: factor
     | factor _tail+ _sumtail?                -> product
     | factor _sumtail                        -> product
     | bigsum
     | ADD bigsum                             -> signed

_tail: MUL factor
     | DIV factor
     | power
_sumtail: (MUL | DIV)? bigsum

bigsum: SUMOP _sumlimits term
_sumlimits: SUB sumlower POW sumupper
          | POW sumupper SUB sumlower
sumlower: LBRACE WORD EQUALS ifexpr RBRACE
?sumupper: LBRACE ifexpr RBRACE               -> group
         | WORD
         | NUMBER

?factor: ADD factor                           -> signed
       | power

// A LaTeX function without parentheses takes the power after it: \tanh x^2 = tanh(x^2).
?power: postfix POW factor                    -> pow
      | postfix
      | FUNCCMD funcpow? power                -> apply
      | FUNCCMD SUB subscript power           -> apply_base
      | ROOTSIGN power                        -> rootsign

// Any atom may carry a subscript; the builder accepts names and {name} (sympy's LaTeX).
?postfix: atom SUPERSCRIPT                    -> superscript
        | atom SUB subscript                  -> subscripted
        | atom BANG                           -> factorial
        | atom DEGREE                         -> degrees
        | atom

?atom: NUMBER
     | WORD
     | CALLWORD PRIME* funcpow? callargs      -> call
     | IDXWORD LBRACK _args RBRACK            -> index
     | LPAR _args RPAR                        -> paren
     | LBRACK _args RBRACK                    -> bracket
     | LSET _args RSET                        -> setbraces
     | LBRACE ifexpr RBRACE                   -> group
     | LBAR ifexpr RBAR                       -> abs
     | FRAC fracnum fracarg                   -> frac
     | BINOM fracnum fracarg                  -> binom
     | SQRT (LBRACK ifexpr RBRACK)? fracarg   -> sqrt
     | BEGIN_MATRIX mrow (ROWSEP mrow)* ROWSEP? END_MATRIX   -> matrix_env
     | BEGIN_CASES crow (ROWSEP crow)* ROWSEP? END_CASES     -> cases_env
     | BEGIN_LEFT_CASES crow (ROWSEP crow)* ROWSEP? END_LEFT_CASES -> cases_env

subscript: WORD
         | NUMBER
         | LBRACE _args RBRACE
funcpow: POW NUMBER
       | SUPERSCRIPT
       | POW LBRACE ADD? NUMBER RBRACE
callargs: LPAR _args RPAR
        | LSET _args RSET
_args: arg (_COMMA arg)*
?arg: ifexpr
    | WORD EQUALS sum DOTS sum                -> range_arg
// \frac12 reads one character per argument. The numerator has its own rule: were it shared
// with the denominator, LALR would merge their states and `\frac{1}{2}x` would lex x as
// ONECHAR after the denominator.
?fracnum: LBRACE ifexpr RBRACE                -> group
        | ONECHAR
        | WORD
?fracarg: LBRACE ifexpr RBRACE                -> group
        | ONECHAR
        | WORD
mrow: ifexpr (AMP ifexpr)*
crow: ifexpr _COMMA? AMP casecond
?casecond: IF? or_expr _COMMA?                -> case_if
         | OTHERWISE                          -> case_otherwise
         | ELSE                               -> case_otherwise

// ---- terminals -------------------------------------------------------------------------
CALLWORD.6: /(?:@WORD@)@CALL_AHEAD@/
IDXWORD.6: /(?:@WORD@)(?=\[)/
FUNCCMD.5: /\\(?:@FUNCTION_COMMANDS@)(?![A-Za-z])|\\operatorname\s*\{\s*[A-Za-z]+\s*\}/
SUMOP.4: /\\sum(?![A-Za-z])|[∑Σ]|[sS]um(?=\s*_)|\\Sigma(?=\s*_\s*\{[^{}=]*=)/
IF.4: /if(?![A-Za-z0-9])|@TEXT@,?\s*(?:if|for|when)\s*\}/
ELSE.4: /else(?![A-Za-z0-9])/
OTHERWISE.4: /otherwise(?![A-Za-z0-9])|@TEXT@,?\s*(?:otherwise|else|o\.w\.)\s*\.?\s*\}/
AND.4: /and(?![A-Za-z0-9])|\\(?:land|wedge)(?![A-Za-z])|@TEXT@and\s*\}|∧/
OR.4: /or(?![A-Za-z0-9])|\\(?:lor|vee)(?![A-Za-z])|@TEXT@or\s*\}|∨/
NOT.4: /not(?![A-Za-z0-9])|\\(?:neg|lnot)(?![A-Za-z])|¬/
ONECHAR.3: /[A-Za-z0-9]/
WORD.2: /@WORD@/

NUMBER: /(?:[0-9]+(?:\.(?!\.)[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/
SUPERSCRIPT: /[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+/
ADD: /[-+\u2212\u2013]/
MUL: /\*(?!\*)|[·⋅×∗]|\\(?:cdot|times|ast)(?![A-Za-z])/
DIV: /\/|÷|\\div(?![A-Za-z])/
POW: /\*\*|\^/
CMP: /<=|>=|==|!=|[<>≤≥≠⩽⩾]|\\(?:leqslant|geqslant|leq|geq|neq|le|ge|lt|gt|ne)(?![A-Za-z])/
EQUALS: /=(?!=)/
DOTS: /\.\.\.?/
PRIME: /['′]/
SUB: "_"
ROOTSIGN: "√"
FRAC: /\\[dtc]?frac(?![A-Za-z])/
BINOM: /\\[dt]?binom(?![A-Za-z])/
BANG: /!(?!=)/
DEGREE.3: /\^\s*(?:\\circ(?![A-Za-z])|\{\s*\\circ\s*\})|°/
SQRT: /\\sqrt(?![A-Za-z])/
LPAR: /\(|\\left\s*\(/
RPAR: /\)|\\right\s*\)/
LBRACK: /\[|\\left\s*\[/
RBRACK: /\]|\\right\s*\]/
LSET: /\\\{|\\left\s*\\\{|\\lbrace(?![A-Za-z])|\\left\s*\\lbrace(?![A-Za-z])/
RSET: /\\\}|\\right\s*\\\}|\\rbrace(?![A-Za-z])|\\right\s*\\rbrace(?![A-Za-z])/
LBRACE: "{"
RBRACE: "}"
LBAR: /@OPEN_BAR@|\\left\s*(?:\||\\vert(?![A-Za-z])|\\lvert(?![A-Za-z]))|\\lvert(?![A-Za-z])/
RBAR: /@CLOSE_BAR@|\\right\s*(?:\||\\vert(?![A-Za-z])|\\rvert(?![A-Za-z]))|\\rvert(?![A-Za-z])/
BEGIN_MATRIX: /\\begin\s*\{\s*(?:[bpBvV]?matrix|array\s*\}\s*\{[^{}]*)\s*\}/
END_MATRIX: /\\end\s*\{\s*(?:[bpBvV]?matrix|array)\s*\}/
BEGIN_CASES: /\\begin\s*\{\s*d?cases\s*\}/
// The older idiom for cases: \left\{ \begin{array}{ll} ... \end{array} \right.
BEGIN_LEFT_CASES.2: /\\left\s*(?:\\\{|\\lbrace(?![A-Za-z]))\s*\\begin\s*\{\s*array\s*\}\s*\{[^{}]*\}/
END_LEFT_CASES.2: /\\end\s*\{\s*array\s*\}\s*\\right\s*\./
END_CASES: /\\end\s*\{\s*d?cases\s*\}/
ROWSEP: /\\\\/
AMP: "&"
_COMMA: ","

WHITESPACE: /[ \t\r\n\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+/
LATEX_SPACE: /\\(?:[,;:!> ]|(?:@IGNORED@)(?![A-Za-z]))|~/
%ignore WHITESPACE
%ignore LATEX_SPACE
"""

for _key, _value in {
    "@WORD@": _WORD,
    "@CALL_AHEAD@": _CALL_AHEAD,
    "@FUNCTION_COMMANDS@": alternation(FUNCTION_COMMANDS),
    "@TEXT@": _TEXT,
    "@IGNORED@": alternation(IGNORED_COMMANDS),
    "@OPEN_BAR@": OPEN_BAR,
    "@CLOSE_BAR@": CLOSE_BAR,
}.items():
    GRAMMAR = GRAMMAR.replace(_key, _value)


@lru_cache(maxsize=1)
def get_parser() -> Lark:
    """The LALR parser, built once on first use (about 0.1 s) and shared afterwards."""
    options: dict[str, Any] = {
        "parser": "lalr", "lexer": "contextual", "maybe_placeholders": False, "propagate_positions": False,
    }
    parser: Lark = lark_parser("mathparse", GRAMMAR, **options)
    return parser
