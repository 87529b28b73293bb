"""A corpus of answer pairs for benchmarking the math judge: correct forms, misconceptions,
near-misses and hostile inputs, each with its mathematical truth and the verdict the judge
should reach (which may be `undecided` where no sampled grader can be sure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

W, A, B, X_MAT = (sp.IndexedBase(n) for n in ("W", "a", "b", "X"))
LOCALS: dict[str, Any] = {"W": W, "a": A, "b": B, "X": X_MAT, "Var": sp.Function("Var"),
                          "theta": sp.Symbol("theta")}
EQ, NE, UN = "equivalent", "not_equivalent", "undecided"


@dataclass(frozen=True)
class Pair:
    """One benchmark check: student and reference objects, options, truth and expectation."""

    name: str
    group: str
    student: Any
    reference: Any
    domains: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    truth: str = EQ
    expect: str = EQ


def _parse(text: str) -> Any:
    if "==" in text:
        lhs, rhs = text.split("==")
        return sp.Eq(_parse(lhs), _parse(rhs))
    return sp.sympify(text, locals=LOCALS)


def _pair(group: str, name: str, student: Any, reference: Any, domains: dict[str, str] | None
          = None, truth: str = EQ, expect: str | None = None, **options: Any) -> Pair:
    s = _parse(student) if isinstance(student, str) else student
    r = _parse(reference) if isinstance(reference, str) else reference
    return Pair(name, group, s, r, domains or {}, options, truth, expect or truth)


TANH_D = "1 - tanh(x)**2"
RELU = "Max(0, x)"
LEAKY = "Piecewise((x, x > 0), (alpha*x, True))"
ELU = "Piecewise((x, x > 0), (alpha*(exp(x) - 1), True))"
RELU_D = "Piecewise((1, x > 0), (0, True))"
NEURON = "Sum(W[i, j]*a[j], (j, 1, D_a)) + b[i]"
VAR_COND = "Var(z) == D_a*Var(W)*Var(a)"
CONV = "Matrix([[w1, w2, w3, 0], [0, w1, w2, w3]])"
A01, APOS, DA = {"alpha": "(0,1)"}, {"alpha": "positive"}, {"D_a": "positive_integer"}
IGNORE_0 = [{"x": 0}]
x, k = sp.Symbol("x"), sp.Symbol("k", integer=True)
BIG_SUM = " + ".join(f"W[1, {j}]*a[{j}]" for j in range(1, 41))
BIG_SUM_SWAPPED = " + ".join(f"a[{j}]*W[1, {j}]" for j in range(40, 0, -1))


def corpus() -> list[Pair]:
    """The benchmark corpus (84 pairs)."""
    correct = "correct form"
    wrong = "misconception"
    near = "near-miss"
    hostile = "hostile"
    exact = "exactness and domains"
    y, b, t = (sp.Symbol(n, real=True) for n in ("y", "b", "t"))
    return [
        # exact differences far below the fast pass's rounding, one-sided domains, both orders
        _pair(exact, "relative 1e-12, exact", x * (1 + sp.Rational(1, 10**12)), x, truth=NE),
        _pair(exact, "relative 1e-40, exact", x * (1 + sp.Rational(1, 10**40)), x, truth=NE),
        _pair(exact, "16-digit decimal of 2/3", sp.Rational(6666666666666667, 10**16) * y,
              2 * y / 3, truth=NE),
        _pair(exact, "log(x^2) vs 2 log(x)", "log(x**2)", "2*log(x)", truth=NE),
        _pair(exact, "2 log(x) vs log(x^2)", "2*log(x)", "log(x**2)", truth=NE),
        _pair(exact, "log(x^2) vs 2 log(x), x > 0", "log(x**2)", "2*log(x)", {"x": "positive"}),
        _pair(exact, "sqrt of product vs product of sqrts", sp.sqrt((t - 1) * (t - 4)),
              sp.sqrt(t - 1) * sp.sqrt(t - 4), truth=NE),
        _pair(exact, "product of sqrts vs sqrt of product", sp.sqrt(t - 1) * sp.sqrt(t - 4),
              sp.sqrt((t - 1) * (t - 4)), truth=NE),
        _pair(exact, "(y-b)^4000, signs", (y - b) ** 4000, (b - y) ** 4000),
        _pair(exact, "(y-b)^4001, signs", (y - b) ** 4001, (b - y) ** 4001, truth=NE),
        _pair(correct, "tanh' as sech^2", "sech(x)**2", TANH_D),
        _pair(correct, "tanh' via exp", "4/(exp(x) + exp(-x))**2", TANH_D),
        _pair(correct, "tanh' via exp(2x)", "4*exp(2*x)/(exp(2*x) + 1)**2", TANH_D),
        _pair(correct, "tanh' factored", "(1 - tanh(x))*(1 + tanh(x))", TANH_D),
        _pair(correct, "tanh = 2 sigma(2x) - 1", "2/(1 + exp(-2*x)) - 1", "tanh(x)"),
        _pair(correct, "sigmoid'", "1/(1 + exp(-x))*(1 - 1/(1 + exp(-x)))",
              "exp(-x)/(1 + exp(-x))**2"),
        _pair(correct, "relu (x+|x|)/2", "(x + Abs(x))/2", RELU),
        _pair(correct, "relu x*H(x)", "x*Heaviside(x)", RELU),
        _pair(correct, "relu cases", "Piecewise((x, x > 0), (0, True))", RELU),
        _pair(correct, "relu cases reversed", "Piecewise((0, x < 0), (x, True))", RELU),
        _pair(correct, "relu (x+sqrt(x^2))/2", "(x + sqrt(x**2))/2", RELU),
        _pair(correct, "leaky relu Max", "Max(alpha*x, x)", LEAKY, A01),
        _pair(correct, "leaky relu Max+Min", "Max(0, x) + alpha*Min(0, x)", LEAKY, APOS),
        _pair(correct, "elu Max+Min", "Max(0, x) + Min(0, alpha*(exp(x) - 1))", ELU, APOS),
        _pair(correct, "elu reversed cases", "Piecewise((alpha*(exp(x) - 1), x <= 0), (x, True))",
              ELU, APOS),
        _pair(correct, "elu' two forms", "Piecewise((1, x > 0), (alpha*exp(x), True))",
              "Piecewise((1, x > 0), (alpha*(exp(x) - 1) + alpha, True))", APOS),
        _pair(correct, "relu' Heaviside", "Heaviside(x)", RELU_D, ignore_points=IGNORE_0),
        _pair(correct, "relu' (sign+1)/2", "(sign(x) + 1)/2", RELU_D, ignore_points=IGNORE_0),
        _pair(correct, "1/D_a", "D_a**-1", "1/D_a", DA),
        _pair(correct, "neuron other index", "Sum(a[k]*W[i, k], (k, 1, D_a)) + b[i]", NEURON, DA),
        _pair(correct, "neuron with tanh", "tanh(Sum(a[k]*W[i, k], (k, 1, D_a)) + b[i])",
              f"tanh({NEURON})", DA),
        _pair(correct, "neuron last term split",
              "Sum(W[i, j]*a[j], (j, 1, D_a - 1)) + W[i, D_a]*a[D_a] + b[i]", NEURON, DA),
        _pair(correct, "sum of k", "Sum(k, (k, 1, n))", "n*(n + 1)/2", {"n": "positive_integer"}),
        _pair(correct, "reparametrisation 2 theta", "2*theta",
              "Derivative(theta**2 + 1, theta)"),
        _pair(correct, "variance cond. swapped", "D_a*Var(W)*Var(a) == Var(z)", VAR_COND, DA),
        _pair(correct, "variance cond. solved", "Var(W) == Var(z)/(D_a*Var(a))", VAR_COND, DA),
        _pair(correct, "variance cond. logs",
              "log(Var(z)) == log(D_a) + log(Var(W)) + log(Var(a))", VAR_COND, DA),
        _pair(correct, "Xavier solved", "Var(W) == 1/D_a", "D_a*Var(W) == 1", DA),
        _pair(correct, "conv matrix", "Matrix([[w1, w2, w3, 0], [0, w1, (w2 + w2)/2, w3]])",
              CONV),
        _pair(correct, "relu forms matrix", "Matrix([[Max(0, x)], [x*Heaviside(x)]])",
              "Matrix([[(x + Abs(x))/2], [Piecewise((x, x > 0), (0, True))]])"),
        _pair(correct, "log rule, positive x", "log(x**2)", "2*log(x)", {"x": "positive"}),
        _pair(correct, "removable singularity", "x*(x - 1)/(x - 1)", "x"),
        _pair(correct, "exact float", "0.5*x", "x/2"),
        _pair(correct, "tanh' cases saturating",
              "Piecewise((1 - tanh(x)**2, x > 0), (sech(x)**2, True))", "sech(x)**2"),
        _pair(correct, "u >= v vs v <= u", "u >= v", "v <= u"),
        _pair(correct, "relu above 1", "Max(0, x) >= 1", "x >= 1"),
        # misconceptions
        _pair(wrong, "|x| for relu", "Abs(x)", RELU, truth=NE),
        _pair(wrong, "x for relu", "x", RELU, truth=NE),
        _pair(wrong, "leaky slope wrong side", "Piecewise((alpha*x, x > 0), (x, True))", LEAKY,
              A01, truth=NE),
        _pair(wrong, "elu missing -1", "Piecewise((x, x > 0), (alpha*exp(x), True))", ELU, APOS,
              truth=NE),
        _pair(wrong, "elu -1 outside alpha", "Piecewise((x, x > 0), (alpha*exp(x) - 1, True))",
              ELU, APOS, truth=NE),
        _pair(wrong, "tanh' = 1 - tanh", "1 - tanh(x)", TANH_D, truth=NE),
        _pair(wrong, "sech for sech^2", "sech(x)", "sech(x)**2", truth=NE),
        _pair(wrong, "tanh is x", "x", "tanh(x)", truth=NE),
        _pair(wrong, "sigmoid for tanh", "1/(1 + exp(-x))", "tanh(x)", truth=NE),
        _pair(wrong, "relu' at 0, no convention", "Heaviside(x)", RELU_D, truth=NE),
        _pair(wrong, "neuron without bias", "Sum(W[i, j]*a[j], (j, 1, D_a))", NEURON, DA,
              truth=NE),
        _pair(wrong, "neuron W transposed", "Sum(W[j, i]*a[j], (j, 1, D_a)) + b[i]", NEURON, DA,
              truth=NE),
        _pair(wrong, "neuron from 0", "Sum(W[i, j]*a[j], (j, 0, D_a - 1)) + b[i]", NEURON, DA,
              truth=NE),
        _pair(wrong, "variance cond. without D_a", "Var(z) == Var(W)*Var(a)", VAR_COND, DA,
              truth=NE),
        _pair(wrong, "variance cond. tautology", "Var(z) == Var(z)", VAR_COND, DA, truth=NE),
        _pair(wrong, "Xavier 1/D_a^2", "1/D_a**2", "1/D_a", DA, truth=NE),
        _pair(wrong, "reparametrisation 2 theta + 1", "2*theta + 1",
              "Derivative(theta**2 + 1, theta)", truth=NE),
        _pair(wrong, "u > v for u >= v", "u > v", "u >= v", truth=NE),
        _pair(wrong, "conv matrix entries swapped",
              "Matrix([[w1, w2, w3, 0], [0, w2, w1, w3]])", CONV, truth=NE),
        # near-misses
        _pair(near, "relative 1e-6", "1.000001*x", "x", truth=NE),
        _pair(near, "relative 1e-7", "x + x/10**7", "x", truth=NE),
        _pair(near, "step at 1000", "x + Heaviside(x - 1000)", "x", truth=NE),
        _pair(near, "x^10/1e30", "x**2 + x**10/10**30", "x**2", truth=NE),
        _pair(near, "kink at 1e-8", "Max(0, x - 10**-8)", RELU, truth=NE),
        _pair(near, "pi to 6 digits", "3.14159*x", "pi*x", truth=NE),
        _pair(near, "integer answer rounded", "0.9999999999*n*(n + 1)/2", "n*(n + 1)/2",
              {"n": "positive_integer"}, truth=NE),
        _pair(near, "variance cond. 1e-6 off", "Var(z) == 1.000001*D_a*Var(W)*Var(a)", VAR_COND,
              DA, truth=NE),
        _pair(near, "differs beyond 1e5", "Max(x, 2*x - 100000)", "x", {"x": "positive"},
              truth=NE),
        # hostile inputs
        _pair(hostile, "(x+1)^200 vs expansion", (x + 1) ** 200, sp.expand((x + 1) ** 200)),
        _pair(hostile, "(x+1)^200 vs expansion + 1", (x + 1) ** 200,
              sp.expand((x + 1) ** 200) + 1, truth=NE),
        _pair(hostile, "1e5-term sum vs exp", sp.Sum(x**k / sp.factorial(k), (k, 0, 10**5)),
              sp.exp(x), truth=NE, expect=UN),
        _pair(hostile, "500-term sum", sp.Sum(k * x, (k, 1, 500)), 125250 * x),
        _pair(hostile, "nested roots", "sqrt(sqrt(sqrt(sqrt(x**16))))", "Abs(x)"),
        _pair(hostile, "difference beyond overflow", "exp(exp(x)) + Heaviside(x - 10000)",
              "exp(exp(x))", truth=NE, expect=UN),
        _pair(hostile, "sin^2 + cos^2", "sin(x)**2 + cos(x)**2", "1"),
        _pair(hostile, "81-variable neuron", f"{BIG_SUM_SWAPPED} + b[1]", f"{BIG_SUM} + b[1]"),
        _pair(hostile, "81-variable tanh, 1e-6 off", f"tanh({BIG_SUM} + b[1])*1.000001",
              f"tanh({BIG_SUM_SWAPPED} + b[1])", truth=NE),
        _pair(hostile, "expected answer defined nowhere", "log(-x**2 - 1)",
              "log(-x**2 - 1) + x", truth=NE, expect=UN),
    ]
