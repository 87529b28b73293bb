"""The small interface every answer kind implements, and the values that flow through it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from grader.results import Status as Status  # re-exported: kinds report in these statuses


@dataclass(frozen=True)
class InvalidAnswer:
    """An answer that could not be read; the message tells the student what and where."""

    message: str


@dataclass(frozen=True)
class Verdict:
    """What a kind's comparison concluded: a credit fraction, a status and feedback lines."""

    fraction: float
    status: Status
    feedback: tuple[str, ...] = ()

    @classmethod
    def correct(cls, *feedback: str) -> Verdict:
        return cls(1.0, Status.CORRECT, feedback)

    @classmethod
    def incorrect(cls, *feedback: str) -> Verdict:
        return cls(0.0, Status.INCORRECT, feedback)

    @classmethod
    def partial(cls, fraction: float, *feedback: str) -> Verdict:
        if fraction >= 1.0:
            return cls(1.0, Status.CORRECT, feedback)
        if fraction <= 0.0:
            return cls(0.0, Status.INCORRECT, feedback)
        return cls(fraction, Status.PARTIAL, feedback)

    @classmethod
    def undecided(cls, *feedback: str, provisional: float = 0.0) -> Verdict:
        """The check could not decide: a human must look, and nothing is marked wrong."""
        return cls(provisional, Status.NEEDS_REVIEW, feedback)

    @property
    def is_full(self) -> bool:
        return self.status is Status.CORRECT


@dataclass(frozen=True)
class Example:
    """One of a kind's own sample answers, used by the contract test."""

    raw: Any
    expected: Any
    outcome: str  # "correct", "incorrect", "partial", "invalid" or "needs_review"
    options: dict[str, Any] = field(default_factory=dict)


class KindOptions(BaseModel):
    """Options common to all kinds; each kind extends this with its own."""

    model_config = ConfigDict(extra="forbid")


OptionsT = TypeVar("OptionsT", bound=KindOptions)
ValueT = TypeVar("ValueT")


class Kind(Generic[OptionsT, ValueT]):
    """Base class of an answer kind: parse untrusted input into a `ValueT`, compare it with the
    expected value (whatever the part's solver returns, hence `Any`)."""

    name: ClassVar[str]
    description: ClassVar[str]
    Options: ClassVar[type[KindOptions]] = KindOptions
    # Kinds judged without a computed reference (a rubric, say) set this to False.
    needs_solver: ClassVar[bool] = True

    def options(self, raw: dict[str, Any] | None) -> OptionsT:
        """Validate a part's kind options."""
        # `Options` is a class variable, which cannot mention OptionsT; each kind sets it to OptionsT.
        return self.Options.model_validate(raw or {})  # type: ignore[return-value]

    def parse(self, raw: Any, options: OptionsT) -> ValueT | InvalidAnswer:
        """Turn the student's raw answer into a value, or return InvalidAnswer."""
        raise NotImplementedError

    def compare(self, value: ValueT, expected: Any, options: OptionsT) -> Verdict:
        """Judge a parsed answer against the expected value."""
        raise NotImplementedError

    def matches(self, value: ValueT, other: Any, options: OptionsT) -> bool:
        """Whether the answer coincides with another value (used for misconceptions)."""
        return self.compare(value, other, options).is_full

    def accepts_expected(self, expected: Any, options: OptionsT) -> Verdict:
        """Judge the reference answer against itself, as `validate` does."""
        return self.compare(expected, expected, options)

    def describe(self, options: OptionsT) -> str:
        """One line telling a student how to write an answer of this kind."""
        return self.description

    def render(self, value: Any) -> str:
        """Show a value (an answer or an expected value) to a person."""
        return str(value)

    def human_name(self) -> str:
        """The kind as people call it ("vector of formulas"): the head of its description."""
        head = re.split(r",| such as | as a | with | in your | of the |:| e\.g\.| \(", self.description, maxsplit=1)[0].strip()
        return re.sub(r"^(a|an) ", "", head) or self.name.replace("_", " ")

    def read_form(self, value: ValueT) -> Any:
        """How the grader read a parsed answer, as a `grader.reading.Reading` (text and MathML);
        None for kinds whose answers are best shown as typed (numbers, shapes, text)."""
        return None

    def examples(self) -> list[Example]:
        """The kind's own correct, incorrect and invalid answers."""
        return []
