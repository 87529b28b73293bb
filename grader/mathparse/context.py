"""What a formula may mention: declared variables with their domains, indexed names, indices
and opaque functions; and the one way every module creates the matching sympy symbols."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import sympy as sp

from grader.mathparse.names import canonical_name

# Domain -> sympy assumptions. Intervals like "(0,1)" are real; the numeric checker elsewhere
# reads their bounds.
DOMAIN_ASSUMPTIONS: dict[str, dict[str, bool]] = {
    "real": {"real": True},
    "positive": {"positive": True},
    "nonnegative": {"nonnegative": True},
    "integer": {"integer": True},
    "positive_integer": {"integer": True, "positive": True},
    "nonnegative_integer": {"integer": True, "nonnegative": True},
}
DOMAINS: tuple[str, ...] = tuple(DOMAIN_ASSUMPTIONS)

_NUMBER = r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*"
_INTERVAL = re.compile(r"[(\[](" + _NUMBER + "),(" + _NUMBER + r")[)\]]")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?|[^\W\d_]")


def interval_bounds(domain: str) -> tuple[float, float] | None:
    """The (low, high) bounds of an interval domain like "(0,1)", or None for a named domain."""
    match = _INTERVAL.fullmatch(domain.strip())
    if match is None:
        return None
    return float(match.group(1)), float(match.group(2))


def validate_domain(domain: str) -> str:
    """Return the domain if it is known, else raise ValueError naming the allowed ones."""
    if domain in DOMAIN_ASSUMPTIONS:
        return domain
    bounds = interval_bounds(domain)
    if bounds is not None and bounds[0] < bounds[1]:
        return domain
    allowed = ", ".join(DOMAINS)
    raise ValueError(f"unknown domain {domain!r}: use one of {allowed} or an interval like (0,1)")


@lru_cache(maxsize=4096)
def symbol_for(name: str, domain: str = "real") -> sp.Symbol:
    """The sympy Symbol for a variable of this domain (the same object everywhere)."""
    assumptions = DOMAIN_ASSUMPTIONS.get(validate_domain(domain), {"real": True})
    return sp.Symbol(canonical_name(name), **assumptions)


@lru_cache(maxsize=256)
def index_symbol(name: str) -> sp.Symbol:
    """The Symbol of a summation/subscript index: a positive integer."""
    return sp.Symbol(canonical_name(name), integer=True, positive=True)


def _check_name(name: str, role: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"{role} name {name!r} is not a valid name (use letters, digits, one _)")
    return canonical_name(name)


@dataclass(frozen=True)
class MathContext:
    """The names a formula may use; `variables=None` accepts any name as a real variable."""

    variables: Mapping[str, str] | None = None
    indexed: Mapping[str, int] = field(default_factory=dict)
    indices: tuple[str, ...] = ("i", "j", "k")
    functions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Normalize once (θ -> theta, lambda -> lamda) and freeze the mappings, so the
        # context can be shared between parts and used as a cache key.
        if self.variables is not None:
            variables = {
                _check_name(n, "variable"): validate_domain(d) for n, d in self.variables.items()
            }
            object.__setattr__(self, "variables", MappingProxyType(variables))
        indexed = {}
        for name, count in self.indexed.items():
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 4:
                raise ValueError(f"indexed name {name!r} needs 1 to 4 indices, not {count!r}")
            indexed[_check_name(name, "indexed")] = count
        object.__setattr__(self, "indexed", MappingProxyType(indexed))
        # A declared variable wins over an index of the same name (k in `--var k:real`).
        variable_names = set(self.variables or ())
        object.__setattr__(self, "indices", tuple(
            name for name in (_check_name(n, "index") for n in self.indices)
            if name not in variable_names))
        object.__setattr__(
            self, "functions", tuple(_check_name(n, "function") for n in self.functions)
        )
        self._check_clashes()

    def _check_clashes(self) -> None:
        groups = {
            "variable": set(self.variables or ()),
            "indexed name": set(self.indexed),
            "index": set(self.indices),  # never a variable: see __post_init__
            "function": set(self.functions),
        }
        roles = list(groups)
        for a, role_a in enumerate(roles):
            for role_b in roles[a + 1 :]:
                both = groups[role_a] & groups[role_b]
                if both:
                    name = min(both)
                    raise ValueError(f"{name!r} is declared both as {role_a} and as {role_b}")

    def __hash__(self) -> int:
        variables = None if self.variables is None else tuple(sorted(self.variables.items()))
        return hash((variables, tuple(sorted(self.indexed.items())), self.indices, self.functions))

    @property
    def declared(self) -> bool:
        """True when only declared names are allowed (variables is not None)."""
        return self.variables is not None

    def symbol(self, name: str) -> sp.Symbol:
        """The Symbol a formula's `name` becomes (KeyError when the name is not declared)."""
        name = canonical_name(name)
        if self.variables is not None and name in self.variables:
            return symbol_for(name, self.variables[name])
        if name in self.indices:
            return index_symbol(name)
        if self.variables is None:
            return symbol_for(name, "real")
        raise KeyError(f"{name!r} is not a variable of this context")

    def base(self, name: str) -> sp.IndexedBase:
        """The IndexedBase of an indexed name such as W in W_ij."""
        name = canonical_name(name)
        if name not in self.indexed:
            raise KeyError(f"{name!r} is not an indexed name of this context")
        return sp.IndexedBase(name)
