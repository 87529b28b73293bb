"""Multiple-choice answers: one key (`b`) or several (`[a, c]`), graded by key.

Options: `choices` (key -> text), `multiple` (several keys may be right), `partial_credit`
(for multiple answers: each right key earns its share, each wrong key takes one back),
`shuffle` (the order choices are shown in depends on the student's variant; grading is by key
and never depends on the order) and `feedback` (key -> a line shown to whoever picks it).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from typing import Any, ClassVar

from pydantic import Field, model_validator

from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Verdict

MAX_CHOICE_TEXT = 500
_KEY = re.compile(r"^[A-Za-z0-9_]{1,20}$")


class ChoiceOptions(KindOptions):
    choices: dict[str, str] = Field(min_length=2)
    multiple: bool = False
    shuffle: bool = False
    partial_credit: bool = False
    feedback: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _keys(self) -> ChoiceOptions:
        bad = [k for k in self.choices if not _KEY.match(str(k))]
        if bad:
            raise ValueError(f"choice keys must be short words of letters and digits, not {bad[0]!r}")
        lower = [k.lower() for k in self.choices]
        if len(set(lower)) != len(lower):
            raise ValueError("two choice keys differ only in case")
        unknown = [k for k in self.feedback if k not in self.choices]
        if unknown:
            raise ValueError(f"feedback for {unknown[0]!r}, which is not one of the choices")
        return self


def choice_order(options: ChoiceOptions, variant_key: str, part_id: str) -> list[str]:
    """The keys in the order a student sees them: as written, or shuffled by the variant."""
    keys = list(options.choices)
    if not options.shuffle:
        return keys
    def rank(key: str) -> str:
        return hashlib.sha256(f"{variant_key}\0{part_id}\0{key}".encode()).hexdigest()
    return sorted(keys, key=rank)


class ChoiceKind(Kind[ChoiceOptions, frozenset[str]]):
    name: ClassVar[str] = "choice"
    description: ClassVar[str] = "the key of your choice, e.g. b (or a list such as [a, c] when several are right)"
    Options: ClassVar[type[KindOptions]] = ChoiceOptions

    def describe(self, options: ChoiceOptions) -> str:
        keys = ", ".join(options.choices)
        if options.multiple:
            return f"every right key among {keys}, as a list such as [{', '.join(list(options.choices)[:2])}]"
        return f"one key among {keys}"

    def present(self, options: ChoiceOptions, variant_key: str, part_id: str) -> list[str]:
        """The choices as lines for a prompt or a template, in the student's order."""
        return [f"{key}) {options.choices[key]}" for key in choice_order(options, variant_key, part_id)]

    def parse(self, raw: Any, options: ChoiceOptions) -> frozenset[str] | InvalidAnswer:
        if isinstance(raw, bool) or raw is None:
            return InvalidAnswer(f"write the key of your choice, one of {', '.join(options.choices)}")
        if isinstance(raw, (int, float)):
            raw = str(raw)
        if isinstance(raw, str):
            if len(raw) > MAX_CHOICE_TEXT:
                return InvalidAnswer(f"this answer is {len(raw)} characters long; write only the key(s)")
            items: list[Any] = [p for p in re.split(r"[\s,;]+", raw.strip().strip("[](){}")) if p]
        elif isinstance(raw, (list, tuple)):
            items = list(raw)
        else:
            return InvalidAnswer("write a key such as b, or a list of keys such as [a, c]")
        if len(items) > len(options.choices):
            return InvalidAnswer(f"there are only {len(options.choices)} choices")
        by_lower = {k.lower(): k for k in options.choices}
        keys = set()
        for item in items:
            text = str(item).strip().rstrip(")").strip()
            key = by_lower.get(text.lower())
            if key is None:
                near = difflib.get_close_matches(text.lower(), list(by_lower), n=1)
                hint = f" (did you mean {by_lower[near[0]]!r}?)" if near else ""
                return InvalidAnswer(
                    f"{text!r} is not one of the choices{hint}; write one of {', '.join(options.choices)}"
                )
            keys.add(key)
        if not keys:
            return InvalidAnswer(f"write the key of your choice, one of {', '.join(options.choices)}")
        if len(keys) > 1 and not options.multiple:
            return InvalidAnswer(f"choose one answer only, not {', '.join(sorted(keys))}")
        return frozenset(keys)

    def compare(self, value: frozenset[str], expected: Any, options: ChoiceOptions) -> Verdict:
        right = self._keys(expected, options)
        chosen = frozenset(value)
        notes = [options.feedback[k] for k in sorted(chosen) if k in options.feedback and k not in right]
        if chosen == right:
            return Verdict.correct(*[options.feedback[k] for k in sorted(chosen) if k in options.feedback])
        if not options.multiple:
            return Verdict.incorrect(*(notes or ["That is not the right choice."]))
        if not options.partial_credit:
            return Verdict.incorrect(*notes, *self._count_hint(chosen, right, options))
        hits, misses = len(chosen & right), len(chosen - right)
        fraction = max(0.0, (hits - misses) / len(right))
        return Verdict.partial(fraction, *notes, *self._count_hint(chosen, right, options))

    @staticmethod
    def _count_hint(chosen: frozenset[str], right: frozenset[str], options: ChoiceOptions) -> list[str]:
        if not options.multiple:
            return []
        if chosen < right:
            return ["Some right choices are missing from your answer."]
        if chosen > right:
            return ["Your answer includes a choice that is not right."]
        return ["Not all the choices in your answer are right, and some right ones are missing."]

    def _keys(self, expected: Any, options: ChoiceOptions) -> frozenset[str]:
        """The expected keys, from a written answer (already parsed) or a solver's str or list."""
        if isinstance(expected, frozenset):
            return expected
        parsed = self.parse(expected, options.model_copy(update={"multiple": True}))
        if isinstance(parsed, InvalidAnswer):
            raise TypeError(f"the expected answer {expected!r} is not a set of choice keys: {parsed.message}")
        return parsed

    def render(self, value: Any) -> str:
        keys = sorted(value) if isinstance(value, (set, frozenset, list, tuple)) else [str(value)]
        return keys[0] if len(keys) == 1 else "[" + ", ".join(keys) + "]"

    def examples(self) -> list[Example]:
        single = {"choices": {"a": "ReLU", "b": "sigmoid", "c": "tanh"}, "feedback": {"b": "The sigmoid saturates."}}
        several = {"choices": {"a": "weight decay", "b": "dropout", "c": "a larger learning rate"},
                   "multiple": True, "partial_credit": True}
        strict = {**several, "partial_credit": False}
        return [
            Example("a", "a", "correct", single),
            Example("A", "a", "correct", single),
            Example("a)", "a", "correct", single),
            Example("b", "a", "incorrect", single),
            Example("[a, b]", "a", "invalid", single),
            Example("d", "a", "invalid", single),
            Example("__import__('os')", "a", "invalid", single),
            Example(["a", "b"], ["a", "b"], "correct", several),
            Example("b, a", ["a", "b"], "correct", several),
            Example("a", ["a", "b"], "partial", several),
            Example("[a, c]", ["a", "b"], "incorrect", several),
            Example("a", ["a", "b"], "incorrect", strict),
        ]
