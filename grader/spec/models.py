"""Pydantic models of a problem set: the versioned data that specs on disk are read into."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

SCHEMA_VERSION = 1
PART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
PARAM_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")
# The built-in solver that reads a written answer (`answer: "..."`) with the part's kind.
WRITTEN_SOLVER = "written.answer"
TEST_STATUSES = ("correct", "partial", "incorrect", "invalid", "needs_review")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatrixRange(Strict):
    """Random matrices whose entries lie on a grid between low and high."""

    rows: int = Field(ge=1, le=10)
    cols: int = Field(ge=1, le=10)
    low: float
    high: float
    step: float = Field(default=1.0, gt=0)
    nonzero: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> MatrixRange:
        if self.high <= self.low:
            raise ValueError("high must be greater than low")
        return self


class Variation(Strict):
    """How a parameter may vary between students: exactly one of choices, range or matrix."""

    choices: list[Any] | None = None
    range: tuple[int, int] | None = None
    matrix: MatrixRange | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Variation:
        given = [name for name in ("choices", "range", "matrix") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'choices', 'range' or 'matrix'")
        if self.choices is not None and not self.choices:
            raise ValueError("'choices' must not be empty")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("'range' must be [low, high] with low <= high")
        return self


class Parameter(Strict):
    """A problem parameter: the tutorial's value is the default, `vary` says how variants differ."""

    default: Any
    vary: Variation | None = None
    description: str = ""


class SolverCall(Strict):
    """A registered solver and its arguments; a string `$NAME` refers to parameter NAME."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class Misconception(Strict):
    """A typical mistake: a solver (or a written answer) gives what it would produce; a match
    gives its feedback."""

    id: str
    solver: SolverCall
    answer: Any = None
    feedback: str
    credit: float = Field(default=0.0, ge=0.0, le=1.0)


class QuestionTest(Strict):
    """An author's check of a part: this answer must be graded with this status (and score)."""

    answer: Any
    status: Literal["correct", "partial", "incorrect", "invalid", "needs_review"]
    score: float | None = None
    feedback_contains: str | None = None


class Part(Strict):
    """One gradable answer."""

    id: str
    prompt: str
    points: float = Field(gt=0)
    kind: str
    options: dict[str, Any] = Field(default_factory=dict)
    solver: SolverCall | None = None
    answer: Any = None
    misconceptions: list[Misconception] = Field(default_factory=list)
    hint: str = ""
    aliases: list[str] = Field(default_factory=list)
    tests: list[QuestionTest] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not PART_ID.match(value):
            raise ValueError(f"{value!r} is not a valid part id (letters, digits, '_' and '.')")
        return value

    @model_validator(mode="after")
    def _unique_misconceptions(self) -> Part:
        ids = [m.id for m in self.misconceptions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"misconception ids repeat: {', '.join(dupes)}")
        return self


class Problem(Strict):
    """A numbered problem of the set, with its parameters and parts."""

    schema_version: Literal[1]
    id: str
    title: str
    intro: str = ""
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    parts: list[Part]
    # The set's solver table (its own solver files, then the library) and its probability
    # notation, set by the loader.
    _solvers: Any = PrivateAttr(default=None)
    _notation: Any = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _written_answers(cls, data: Any) -> Any:
        """`answer: "<text>"` on a part or a misconception is a call of the built-in solver that
        reads the text with the part's kind, every parameter of the problem bound by name."""
        if not isinstance(data, dict) or not isinstance(data.get("parts"), list):
            return data
        params: dict[str, Any] = data["parameters"] if isinstance(data.get("parameters"), dict) else {}
        parts = []
        for part in data["parts"]:
            if isinstance(part, dict):
                part = dict(part)
                base = {"_kind": part.get("kind"), "_options": part.get("options") or {}}
                _write_call(part, base, params)
                if isinstance(part.get("misconceptions"), list):
                    part["misconceptions"] = [
                        _write_call(dict(m), base, params) if isinstance(m, dict) else m
                        for m in part["misconceptions"]
                    ]
            parts.append(part)
        return {**data, "parts": parts}

    @property
    def solvers(self) -> Any:
        """The table solver names are looked up in (None: the built-in library)."""
        return getattr(self, "_solvers", None)

    @property
    def notation(self) -> Any:
        """The set's probability notation (None: the default x, z, p, q)."""
        return getattr(self, "_notation", None)


def _write_call(item: dict[str, Any], base: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Turn `answer:` into a call of the written-answer solver, binding the parameters the text
    names (only those, so that a part depends on no other parameter)."""
    if "answer" in item and item["answer"] is not None:
        if "solver" in item:
            raise ValueError(f"{item.get('id', 'part')}: give either 'solver' or 'answer', not both")
        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(item["answer"])))
        bound = {str(name): f"${name}" for name in params if str(name) in words}
        item["solver"] = {"name": WRITTEN_SOLVER, "args": {**base, **bound, "_text": item["answer"]}}
    return item


class VariantPolicy(Strict):
    """Whether students get their own parameters, and the seed that derives them."""

    enabled: bool = False
    seed: int = 0


class ProbabilityNames(Strict):
    """The letters of the set's latent-variable model in probability notation (default x, z, p, q)."""

    observed: str = "x"
    latent: str = "z"
    model: str = "p"
    approximation: str = "q"

    @model_validator(mode="after")
    def _letters(self) -> ProbabilityNames:
        from grader.notation import Notation

        Notation(self.observed, self.latent, self.model, self.approximation)  # raises ValueError
        return self


class ProblemSetFile(Strict):
    """The set's own file (`set.yaml`): metadata and the list of problem files."""

    schema_version: Literal[1]
    id: str
    title: str
    description: str = ""
    variants: VariantPolicy = VariantPolicy()
    problems: list[str]
    solvers: list[str] = Field(default_factory=list)
    probability: ProbabilityNames = ProbabilityNames()
    policy: dict[str, Any] = Field(default_factory=dict)


class ProblemSet(BaseModel):
    """A loaded problem set: its metadata and problems, with parts indexed by id."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    meta: ProblemSetFile
    problems: list[Problem]
    root: str
    digest: str
    solvers: Any = None  # the set's SetSolvers table, when it lists solver files

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    def parts(self) -> list[tuple[Problem, Part]]:
        """Every part with the problem it belongs to, in the order of the set."""
        return [(problem, part) for problem in self.problems for part in problem.parts]

    def part_ids(self) -> list[str]:
        return [part.id for _, part in self.parts()]

    def find_part(self, part_id: str) -> tuple[Problem, Part] | None:
        """A part by id or alias."""
        for problem, part in self.parts():
            if part.id == part_id or part_id in part.aliases:
                return problem, part
        return None

    @property
    def max_score(self) -> float:
        return sum(part.points for _, part in self.parts())
