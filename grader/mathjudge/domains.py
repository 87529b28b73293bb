"""Variable domains: parsing the author's strings, the values sampled from each, and its regions.

The sampled range, documented here because a grader's blind spots follow from it: every real
variable is tried at 0, at +-1e-6, 1e-3, 0.3, 1, 2, 5, 10, 100, 1e3 and 1e6 and at a few seeded
random moderate values; integers at 0, +-1, 2, 3, 5, 10, 100, 1000 and 10**6; an open interval
near both ends (1e-6 and 1e-3 of its width away) and across its inside. Kinks add points of
their own (see `numeric`). A difference that only shows beyond 1e6 is not seen.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

from grader.errors import GraderError
from grader.mathparse.context import DOMAIN_ASSUMPTIONS

DomainKind = Literal[
    "real",
    "positive",
    "nonnegative",
    "integer",
    "positive_integer",
    "nonnegative_integer",
    "interval",
]

SampleValue = int | float

TINY = 1e-4
LARGE = 1e3
_MAGNITUDES = (1e-6, 1e-3, 0.3, 1.0, 2.0, 5.0, 10.0, 100.0, 1e3, 1e6)
_INTEGERS = (1, 2, 3, 5, 10, 100, 1000, 10**6)
_POSITIVE_INTEGERS = (1, 2, 3, 4, 5, 7, 10, 100, 1000, 10**6)
_FRACTIONS = (1e-6, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-6)
_RANDOM_COUNT = 4
_INTERVAL = re.compile(r"^\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*\)$")


class DomainInvalid(GraderError, ValueError):
    """A domain string is not one the judge understands."""


@dataclass(frozen=True)
class Domain:
    """Where a variable lives: a named set, or an open interval (low, high)."""

    kind: DomainKind
    low: float = -math.inf
    high: float = math.inf

    @property
    def is_integer(self) -> bool:
        """True for the integer kinds."""
        return self.kind in ("integer", "positive_integer", "nonnegative_integer")

    def describe(self) -> str:
        """The domain as an author wrote it."""
        if self.kind == "interval":
            return f"({_short(self.low)}, {_short(self.high)})"
        return self.kind

    def assumptions(self) -> dict[str, bool]:
        """Sympy assumptions for a symbol of this domain (they let sympy simplify soundly)."""
        if self.kind != "interval":
            # The parser's table: symbols built by either side carry the same assumptions.
            return dict(DOMAIN_ASSUMPTIONS[self.kind])
        if self.low >= 0:
            return {"positive": True}
        if self.high <= 0:
            return {"negative": True}
        return {"real": True}

    def contains(self, value: float) -> bool:
        """True when `value` lies in the domain (integrality is the caller's concern)."""
        if self.kind in ("positive", "positive_integer"):
            return value > 0
        if self.kind in ("nonnegative", "nonnegative_integer"):
            return value >= 0
        if self.kind == "interval":
            return self.low < value < self.high
        return math.isfinite(value)

    def ladder(self, rng: random.Random) -> list[SampleValue]:
        """The values tried for a variable of this domain, fixed ones first, then random ones."""
        if self.is_integer:
            values = self._integer_ladder(rng)
        elif self.kind == "interval" and math.isfinite(self.low) and math.isfinite(self.high):
            values = self._interval_ladder(rng)
        else:
            values = self._real_ladder(rng)
        unique: list[SampleValue] = []
        for value in values:
            if value not in unique and self.contains(value):
                unique.append(value)
        return unique

    def _integer_ladder(self, rng: random.Random) -> list[SampleValue]:
        if self.kind == "integer":
            fixed: list[SampleValue] = [0, *(s * n for n in _INTEGERS for s in (1, -1))]
            return fixed + [rng.randint(-50, 50) for _ in range(_RANDOM_COUNT - 1)]
        start: list[SampleValue] = [0] if self.kind == "nonnegative_integer" else []
        return start + list(_POSITIVE_INTEGERS) + [rng.randint(2, 60) for _ in range(3)]

    def _interval_ladder(self, rng: random.Random) -> list[SampleValue]:
        width = self.high - self.low
        fractions = list(_FRACTIONS) + [_round3(rng.uniform(0.05, 0.95)) for _ in range(3)]
        return [float(f"{self.low + width * t:.12g}") for t in fractions]

    def _real_ladder(self, rng: random.Random) -> list[SampleValue]:
        randoms = [_round3(10 ** rng.uniform(-2, 1.5)) for _ in range(_RANDOM_COUNT)]
        if self.kind == "interval":
            anchor, sign = (self.low, 1.0) if math.isfinite(self.low) else (self.high, -1.0)
            return [float(f"{anchor + sign * m:.12g}") for m in (*_MAGNITUDES, *randoms)]
        positive = [*_MAGNITUDES, *randoms]
        if self.kind == "positive":
            return positive
        if self.kind == "nonnegative":
            return [0.0, *positive]
        signs = [rng.choice((1.0, -1.0)) for _ in randoms]
        mixed = [s * r for s, r in zip(signs, randoms, strict=True)]
        return [0.0, *(s * m for m in _MAGNITUDES for s in (1.0, -1.0)), *mixed]

    def typical(self, ladder: list[SampleValue], rng: random.Random) -> list[SampleValue]:
        """A few moderate values of `ladder`, with both signs where allowed, to hold a variable."""
        moderate = [v for v in ladder if self.region(v).endswith("moderate")] or ladder
        negatives = [v for v in moderate if v < 0]
        positives = [v for v in moderate if v > 0] or moderate
        chosen = [positives[-1]]
        if negatives:
            chosen.append(negatives[-1])
        chosen.append(rng.choice(moderate))
        return chosen

    def region(self, value: float) -> str:
        """The named part of the domain that `value` falls in (for coverage and messages)."""
        if self.is_integer:
            if value == 0:
                return "zero"
            sign = "negative" if value < 0 else "positive"
            if value == 1 and self.kind != "integer":
                return "one"
            return f"{sign} {'large' if abs(value) >= LARGE else 'moderate'}"
        if self.kind == "interval" and math.isfinite(self.low) and math.isfinite(self.high):
            t = (value - self.low) / (self.high - self.low)
            if t <= 1e-3:
                return "near low"
            return "near high" if t >= 1 - 1e-3 else "inside moderate"
        if self.kind == "interval":
            distance = value - self.low if math.isfinite(self.low) else self.high - value
            return "near end" if distance <= TINY else _magnitude(distance)
        if value == 0:
            return "zero"
        magnitude = _magnitude(abs(value))
        if self.kind in ("positive", "nonnegative"):
            return magnitude
        return f"{'negative' if value < 0 else 'positive'} {magnitude}"

    def describe_region(self, region: str, name: str) -> str:
        """Words for a region of variable `name`, e.g. 'for negative x' or 'at x = 0'."""
        if region == "zero":
            return f"at {name} = 0"
        if region == "one":
            return f"at {name} = 1"
        if region == "near low":
            return f"for {name} near {_short(self.low)}"
        if region == "near high":
            return f"for {name} near {_short(self.high)}"
        if region == "near end":
            end = self.low if math.isfinite(self.low) else self.high
            return f"for {name} near {_short(end)}"
        if region == "inside moderate":
            return f"for {name} inside {self.describe()}"
        sign, _, size = region.rpartition(" ")
        adjective = {"tiny": "small ", "moderate": "", "large": "large "}[size]
        if sign:
            return f"for {adjective}{sign} {name}"
        return f"for {adjective or 'moderate '}{name}"

    def required_regions(self) -> tuple[str, ...]:
        """The regions a numeric proof must have sampled."""
        if self.is_integer:
            signed = ("positive moderate", "positive large")
            if self.kind == "integer":
                return ("zero", *signed, "negative moderate", "negative large")
            zero = ("zero",) if self.kind == "nonnegative_integer" else ()
            return (*zero, "one", *signed)
        if self.kind == "interval" and math.isfinite(self.low) and math.isfinite(self.high):
            return ("near low", "inside moderate", "near high")
        if self.kind == "interval":
            return ("near end", "moderate", "large")
        sizes = ("tiny", "moderate", "large")
        if self.kind == "positive":
            return sizes
        if self.kind == "nonnegative":
            return ("zero", *sizes)
        return ("zero", *(f"{s} {m}" for s in ("negative", "positive") for m in sizes))


REAL = Domain("real")
POSITIVE = Domain("positive")
POSITIVE_INTEGER = Domain("positive_integer")

_NAMED: dict[str, Domain] = {kind: Domain(cast(DomainKind, kind)) for kind in DOMAIN_ASSUMPTIONS}


def parse_domain(spec: str | Domain) -> Domain:
    """Read a domain string: a named set (`real`, `positive`, ...) or an open interval `(a,b)`."""
    if isinstance(spec, Domain):
        return spec
    text = str(spec).strip().lower().replace(" ", "")
    if text in _NAMED:
        return _NAMED[text]
    match = _INTERVAL.match(text)
    if match is None:
        raise DomainInvalid(
            f"Unknown domain {spec!r}: use one of {', '.join(_NAMED)} or an open interval "
            "such as (0,1) or (-1,1)."
        )
    low, high = (_parse_bound(part, spec) for part in match.groups())
    if not low < high:
        raise DomainInvalid(f"The interval {spec!r} is empty: write the lower bound first.")
    if low == -math.inf and high == math.inf:
        return REAL
    return Domain("interval", low, high)


def parse_domains(domains: Mapping[str, str | Domain] | None) -> dict[str, Domain]:
    """Read a name -> domain mapping; names not listed later default to `real`."""
    return {name: parse_domain(spec) for name, spec in (domains or {}).items()}


def _parse_bound(text: str, spec: object) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DomainInvalid(
            f"The bound {text!r} in the domain {spec!r} is not a number."
        ) from None
    if math.isnan(value):
        raise DomainInvalid(f"The bound {text!r} in the domain {spec!r} is not a number.")
    return value


def _magnitude(size: float) -> str:
    if size <= TINY:
        return "tiny"
    return "large" if size >= LARGE else "moderate"


def _round3(value: float) -> float:
    return float(f"{value:.3g}")


def _short(value: float) -> str:
    return f"{value:g}"
