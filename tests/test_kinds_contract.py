"""Every registered kind grades its own examples as it says, and has examples of each outcome."""

from __future__ import annotations

import pytest

from grader.kinds import KINDS, KNOWN_KIND_NAMES, InvalidAnswer

CASES = [(name, i, ex) for name, kind in KINDS.items() for i, ex in enumerate(kind.examples())]


@pytest.mark.parametrize("name,index,example", CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_kind_grades_its_examples(name, index, example):
    kind = KINDS[name]
    options = kind.options(example.options)
    value = kind.parse(example.raw, options)
    if example.outcome == "invalid":
        assert isinstance(value, InvalidAnswer), f"{example.raw!r} should be refused"
        assert value.message, "an invalid answer needs a message for the student"
        return
    assert not isinstance(value, InvalidAnswer), value
    verdict = kind.compare(value, example.expected, options)
    assert verdict.status.value == example.outcome, verdict.feedback
    if example.outcome != "correct":
        assert verdict.feedback, "a wrong answer must be explained"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_kind_has_examples_of_each_outcome(name):
    outcomes = {ex.outcome for ex in KINDS[name].examples()}
    assert "correct" in outcomes, f"{name} has no correct example"
    assert "invalid" in outcomes, f"{name} has no invalid example"
    assert outcomes & {"incorrect", "partial", "needs_review"}, f"{name} has no wrong example"


def test_registry_names_are_known_kinds():
    assert set(KINDS) <= KNOWN_KIND_NAMES
    for name, kind in KINDS.items():
        assert kind.name == name and kind.description
