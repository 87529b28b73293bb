"""Domains: what authors may write, what gets sampled, and the regions a proof must cover."""

from __future__ import annotations

import math
import random

import pytest

from grader.errors import GraderError
from grader.mathjudge import Domain, DomainInvalid, parse_domain, parse_domains

NAMED = ["real", "positive", "nonnegative", "integer", "positive_integer",
         "nonnegative_integer"]
FORBIDDEN_DOMAINS = ["reals", "(1,0)", "(0,0)", "(a,b)", "[0,1]", "(0,1", "(nan,1)", ""]


@pytest.mark.parametrize("name", NAMED)
def test_named_domains(name: str) -> None:
    assert parse_domain(name) == Domain(name)  # type: ignore[arg-type]
    assert parse_domain(f"  {name.upper()} ").kind == name


@pytest.mark.parametrize(("text", "low", "high"), [
    ("(0,1)", 0.0, 1.0), ("(-1, 1)", -1.0, 1.0), ("(0, inf)", 0.0, math.inf),
    ("(-inf, 2.5)", -math.inf, 2.5), ("(1e-3,1e3)", 1e-3, 1e3),
])
def test_open_intervals(text: str, low: float, high: float) -> None:
    domain = parse_domain(text)
    assert (domain.kind, domain.low, domain.high) == ("interval", low, high)


def test_whole_line_interval_is_real() -> None:
    assert parse_domain("(-inf, inf)") == Domain("real")


@pytest.mark.parametrize("text", FORBIDDEN_DOMAINS)
def test_bad_domains_say_how_to_fix_them(text: str) -> None:
    with pytest.raises(DomainInvalid) as raised:
        parse_domain(text)
    assert isinstance(raised.value, GraderError)
    assert str(raised.value).endswith(".")


def test_parse_domains_maps_names() -> None:
    assert parse_domains({"x": "real", "alpha": "(0,1)"})["alpha"].high == 1.0
    assert parse_domains(None) == {}


@pytest.mark.parametrize("text", [*NAMED, "(0,1)", "(-1,1)", "(2, inf)", "(-inf, -3)"])
def test_ladders_stay_in_the_domain_and_cover_every_required_region(text: str) -> None:
    domain = parse_domain(text)
    ladder = domain.ladder(random.Random(0))
    assert all(domain.contains(v) for v in ladder)
    if domain.is_integer:
        assert all(isinstance(v, int) for v in ladder)
    regions = {domain.region(v) for v in ladder}
    assert set(domain.required_regions()) <= regions


def test_real_ladder_spans_tiny_and_large_of_both_signs() -> None:
    ladder = parse_domain("real").ladder(random.Random(0))
    for value in (1e-6, -1e-6, 1e3, -1e3, 1e6, -1e6, 0.0):
        assert value in ladder


def test_region_words() -> None:
    real = parse_domain("real")
    assert real.describe_region(real.region(-2), "x") == "for negative x"
    assert real.describe_region(real.region(5e6), "x") == "for large positive x"
    assert real.describe_region(real.region(0), "x") == "at x = 0"
    unit = parse_domain("(0,1)")
    assert unit.describe_region(unit.region(0.5), "alpha") == "for alpha inside (0, 1)"
    assert unit.describe_region(unit.region(1e-6), "alpha") == "for alpha near 0"
