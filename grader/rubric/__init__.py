"""Rubric grading of free-text answers: concepts, matching, provisional score, confidence.

A rubric (YAML, see `grader.rubric.model`) lists concepts with points and the ways students
express them, in English and French, and misconceptions that cost points. `score_answer`
returns a `RubricResult`: provisional points, a confidence, a status (`needs_review` when the
confidence is below the rubric's threshold) and feedback naming what was found (quoting the
student) and what is missing (as a hint). No NLP library: folding, plural stripping, negation
and typo tolerance are hand-written (`grader.rubric.text`, `grader.rubric.match`).
"""

from grader.rubric.loader import (
    RubricInvalid,
    RubricNotFound,
    load_rubric,
    part_options,
    resolve_rubric_path,
)
from grader.rubric.model import Rubric, RubricSpec, compile_rubric
from grader.rubric.score import (
    MAX_TEXT_CHARS,
    AnswerProblem,
    ConceptResult,
    RubricResult,
    answer_text,
    score_answer,
    score_text,
)

__all__ = [
    "MAX_TEXT_CHARS", "AnswerProblem", "ConceptResult", "Rubric", "RubricInvalid", "RubricNotFound",
    "RubricResult", "RubricSpec", "answer_text", "compile_rubric", "load_rubric", "part_options",
    "resolve_rubric_path", "score_answer", "score_text",
]
