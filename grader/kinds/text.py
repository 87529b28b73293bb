"""Free-text explanations graded against a rubric of concepts, with a human for unclear cases.

Options: `rubric` — an absolute path to a rubric file (the engine resolves a path relative to
the problem-set folder with `grader.rubric.part_options`) or the rubric inline as a mapping;
`prompt` — the question, used to recognise an answer that only repeats it. A text part has no
solver (`needs_solver = False`): the rubric is its reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import ConfigDict, PrivateAttr, field_validator, model_validator

from grader.kinds.base import Example, InvalidAnswer, Kind, KindOptions, Status, Verdict
from grader.kinds.escapes import escape_problem
from grader.rubric import (
    AnswerProblem,
    Rubric,
    RubricResult,
    answer_text,
    load_rubric,
    score_answer,
)


class TextOptions(KindOptions):
    model_config = ConfigDict(extra="forbid")

    rubric: str | dict[str, Any]
    prompt: str = ""
    _compiled: Rubric | None = PrivateAttr(default=None)

    @field_validator("rubric", mode="before")
    @classmethod
    def _path_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, Path) else value

    @model_validator(mode="after")
    def _load_when_possible(self) -> TextOptions:
        # Load now when we can, so a broken rubric surfaces when options are read (validate),
        # not mid-grading. A relative path waits for the engine to resolve it.
        if isinstance(self.rubric, dict) or Path(self.rubric).is_absolute():
            self._compiled = load_rubric(self.rubric)
        return self

    def get_rubric(self) -> Rubric:
        """The compiled rubric (raises RubricNotFound for an unresolved relative path)."""
        if self._compiled is None:
            self._compiled = load_rubric(self.rubric)
        return self._compiled


class TextKind(Kind[TextOptions, str]):
    name: ClassVar[str] = "text"
    description: ClassVar[str] = "a short explanation in your own words, in English or French"
    Options: ClassVar[type[KindOptions]] = TextOptions
    needs_solver: ClassVar[bool] = False

    def parse(self, raw: Any, options: TextOptions) -> str | InvalidAnswer:
        problem = escape_problem(raw, formula=False)
        if problem:
            return InvalidAnswer(problem)
        try:
            return answer_text(raw)
        except AnswerProblem as err:
            return InvalidAnswer(str(err))

    def compare(self, value: Any, expected: Any, options: TextOptions) -> Verdict:
        """Score against the rubric; `expected` is unused (a text part has no solver)."""
        return verdict_of(score_answer(options.get_rubric(), value, options.prompt))

    def matches(self, value: Any, other: Any, options: TextOptions) -> bool:
        return False  # misconceptions of a text part live in its rubric

    def accepts_expected(self, expected: Any, options: TextOptions) -> Verdict:
        """The rubric's model answers must each score full marks with confidence."""
        rubric = options.get_rubric()
        for i, answer in enumerate(rubric.spec.model_answers, start=1):
            result = score_answer(rubric, answer, options.prompt)
            if result.status != "correct":
                return Verdict.incorrect(
                    f"model answer {i} of {rubric.source} scores {result.points:g}/{result.max_points:g} "
                    f"({result.status}, confidence {result.confidence:.2f})"
                )
        return Verdict.correct()

    def describe(self, options: TextOptions) -> str:
        return "a few sentences in your own words, in English or French"

    def examples(self) -> list[Example]:
        opts = {"rubric": EXAMPLE_RUBRIC, "prompt": "Explain dropout and why it could improve performance."}
        return [
            Example("Dropout randomly sets a fraction of the neurons to zero during training, which reduces "
                    "overfitting.", None, "correct", opts),
            Example(["Le dropout désactive aléatoirement des neurones pendant l'entraînement.",
                     "Cela réduit le surapprentissage."], None, "correct", opts),
            Example("During training, dropout randomly switches off some of the neurons at each step.",
                    None, "partial", opts),
            Example("Dropout lowers the learning rate when the validation loss stops improving.",
                    None, "incorrect", opts),
            Example("Dropout randomly drops neurons. It does not reduce overfitting at all, it only makes "
                    "training slower.", None, "partial", opts),
            Example("Explain dropout and why it could improve performance.", None, "incorrect", opts),
            Example("Dropout is a regularization.", None, "needs_review", opts),
            Example("Dropout deaktiviert zufällig Neuronen während des Trainings, um Überanpassung zu vermeiden.",
                    None, "needs_review", opts),
            Example("Dropout randomly sets neurons to zero during training; it reduces overfitting.", None,
                    "needs_review", {**opts, "rubric": {**EXAMPLE_RUBRIC, "always_review": True}}),
            Example({"answer": "dropout"}, None, "invalid", opts),
            Example("?!…", None, "invalid", opts),
            Example("dropout " * 700, None, "invalid", opts),
        ]


def verdict_of(result: RubricResult) -> Verdict:
    """A rubric result as the engine's Verdict: the provisional fraction is kept for review."""
    if result.status == "needs_review":
        return Verdict.undecided(*result.feedback, provisional=result.fraction)
    return Verdict(result.fraction, Status(result.status), result.feedback)


EXAMPLE_RUBRIC: dict[str, Any] = {
    "schema_version": 1,
    "points": 2,
    "synonyms": {
        "unit": ["neuron*", "unit*", "node*", "neurone*"],
        "off": ["zero", "drop", "dropped", "deactivat*", "desactiv*", "switch* off", "turn* off", "remov*"],
    },
    "concepts": [
        {"id": "random_deactivation", "points": 1, "label": "dropout randomly deactivates units during training",
         "hint": "say what dropout does to the units at each training step",
         "any": ["random*|aleatoir* @unit @off"]},
        {"id": "regularisation", "points": 1, "label": "it reduces overfitting (a regularisation)",
         "hint": "say why this could improve performance on new data",
         "any": ["regulari*", "reduc*|prevent*|avoid*|limit* overfit*", "redui*|reduc*|evit*|limit* surapprenti*"]},
    ],
    "model_answers": ["Dropout randomly sets neurons to zero while training; this regularization reduces overfitting."],
}
