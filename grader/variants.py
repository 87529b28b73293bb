"""Per-student variants: parameters derived deterministically from (set id, student id, seed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.spec.models import PARAM_REF, Parameter, ProblemSet, SolverCall, Variation

DEFAULT_KEY = "default"


@dataclass(frozen=True)
class Variant:
    """The parameters of every problem for one student; `key` names it in reports."""

    key: str
    params: dict[str, dict[str, Any]]

    @property
    def is_default(self) -> bool:
        return self.key == DEFAULT_KEY


def default_variant(problem_set: ProblemSet) -> Variant:
    """The tutorial's own numbers."""
    return Variant(
        DEFAULT_KEY,
        {p.id: {name: param.default for name, param in p.parameters.items()} for p in problem_set.problems},
    )


def variant_for(problem_set: ProblemSet, student_id: str | None, *, force: bool = False) -> Variant:
    """The student's variant, or the default one when variants are off (unless forced)."""
    policy = problem_set.meta.variants
    if student_id is None or not (policy.enabled or force):
        return default_variant(problem_set)
    base = f"{problem_set.id}\0{student_id}\0{policy.seed}"
    key = hashlib.sha256(base.encode()).hexdigest()[:12]
    params = {
        problem.id: {
            name: _draw(param, f"{base}\0{problem.id}\0{name}") for name, param in problem.parameters.items()
        }
        for problem in problem_set.problems
    }
    return Variant(key, params)


def _draw(param: Parameter, label: str) -> Any:
    if param.vary is None:
        return param.default
    # One generator per parameter, so adding a parameter never changes the others' values.
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big"))
    return _sample(param.vary, rng)


def _sample(vary: Variation, rng: np.random.Generator) -> Any:
    if vary.choices is not None:
        return vary.choices[int(rng.integers(len(vary.choices)))]
    if vary.range is not None:
        return int(rng.integers(vary.range[0], vary.range[1] + 1))
    spec = vary.matrix
    assert spec is not None
    grid = np.round(np.arange(spec.low, spec.high + spec.step / 2, spec.step), 10)
    if spec.nonzero:
        grid = grid[grid != 0]
    values = rng.choice(grid, size=(spec.rows, spec.cols))
    return [[_plain(v) for v in row] for row in values]


def _plain(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


def resolve_args(call: SolverCall, params: dict[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """A solver's keyword arguments with `$NAME` replaced by the variant's parameter."""
    merged = {**call.args, **(overrides or {})}
    return {name: _resolve(value, params) for name, value in merged.items()}


def _resolve(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str):
        ref = PARAM_REF.match(value)
        if ref:
            return params[ref.group(1)]
    return value


def render_prompt(template: str, params: dict[str, Any]) -> str:
    """Fill `{NAME}` in a prompt with the variant's parameters (no attribute access, no format spec)."""
    import re

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return _show(params[name]) if name in params else match.group(0)

    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", fill, template)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)
