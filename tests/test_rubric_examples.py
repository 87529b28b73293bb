"""Graded example answers as a second opinion: when they disagree with the rubric, a person reads
the answer; they never change a score. Then the loader's errors for example files, and the
figures on answer sets the examples do not hold."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from grader.rubric import RubricInvalid, load_rubric, score_answer
from grader.rubric.examples import example_set, features, question_stems
from tests.conftest import ROOT, SET_DIR
from tests.test_rubric_samples import SAMPLES_DIR

PROMPT = "Explain dropout and why it could improve performance."

# The rubric knows one wording of the idea; the examples know the teacher's grade of others.
RUBRIC = {
    "schema_version": 1,
    "points": 2,
    "min_words": 3,
    "concepts": [
        {"id": "drop", "points": 1, "label": "units are switched off at random", "hint": "what happens to units",
         "any": ["random* neuron* zero"]},
        {"id": "overfit", "points": 1, "label": "it reduces overfitting", "hint": "why it helps",
         "any": ["reduce* overfitting", "less overfitting"]},
    ],
}

EXAMPLES = [
    {"note": "full", "answer": "Neurons are randomly set to zero during training, which reduces overfitting.",
     "expected_points": 2},
    {"note": "full", "answer": "Each step kills a random subset of the units so the network cannot memorise the "
     "training set and generalises better.", "expected_points": 2},
    {"note": "full", "answer": "It kills random units at every step, so the model stops memorising the data.",
     "expected_points": 2},
    {"note": "misconception", "answer": "Dropout removes whole layers at test time to make inference faster.",
     "expected_points": 0},
    {"note": "misconception", "answer": "Dropout lowers the learning rate when the validation loss stops improving.",
     "expected_points": 0},
    {"note": "partial", "answer": "It reduces overfitting.", "expected_points": 1},
    {"note": "misconception", "answer": "Random neurons are set to zero only at test time, to reduce overfitting "
     "at inference.", "expected_points": 0},
]


def write_rubric(tmp_path, extra=None, examples=EXAMPLES, name="examples/graded.yaml"):
    folder = tmp_path / "rubrics"
    (folder / "examples").mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(examples, allow_unicode=True), encoding="utf-8")
    data = {**RUBRIC, "examples": ["examples/*.yaml"], **(extra or {})}
    path = folder / "r.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_an_answer_worded_like_a_graded_example_goes_to_review_when_the_rubric_disagrees(tmp_path):
    rubric = load_rubric(write_rubric(tmp_path))
    answer = "At every step it kills random units, so the network stops memorising the training set."
    plain = score_answer(replace(rubric, examples=None), answer, PROMPT)
    checked = score_answer(rubric, answer, PROMPT)
    assert plain.points == 0 and plain.status == "incorrect"  # the rubric alone misses the wording
    assert checked.status == "needs_review" and "examples_disagree" in checked.flags
    assert checked.points == plain.points  # the examples never change the score
    assert any("scored about 2/2" in r and "the rubric gives 0" in r for r in checked.reasons), checked.reasons


def test_an_over_credit_is_caught_as_well(tmp_path):
    """A misconception worded like a graded one, that the rubric's words credit in full."""
    rubric = load_rubric(write_rubric(tmp_path))
    answer = "Random neurons are put to zero only at test time, so as to reduce overfitting when inferring."
    result = score_answer(rubric, answer, PROMPT)
    assert result.points == 2 and result.status == "needs_review" and "examples_disagree" in result.flags
    assert any("scored about 0.5/2" in r for r in result.reasons), result.reasons


def test_agreement_keeps_a_confident_grade(tmp_path):
    rubric = load_rubric(write_rubric(tmp_path))
    for answer, status in [("Random neurons are set to zero while training; this reduces overfitting.", "correct"),
                           ("Dropout makes the learning rate lower when the validation loss stops improving.",
                            "incorrect")]:
        result = score_answer(rubric, answer, PROMPT)
        assert result.status == status and "examples_disagree" not in result.flags, result.feedback


def test_without_examples_there_is_no_second_opinion(tmp_path):
    rubric = load_rubric({**RUBRIC})
    assert rubric.examples is None
    result = score_answer(rubric, "At every step it kills random units, so the network stops memorising.", PROMPT)
    assert result.status == "incorrect" and "examples_disagree" not in result.flags


def test_model_answers_are_examples_at_full_marks(tmp_path):
    rubric = load_rubric(write_rubric(tmp_path, {"model_answers": ["Random neurons are zeroed; less overfitting."]}))
    assert rubric.examples is not None and rubric.examples.examples[0].fraction == 1.0
    assert len(rubric.examples) == len(EXAMPLES) + 1


def test_words_of_the_question_are_no_evidence():
    asked = question_stems(PROMPT)
    assert {"dropout", "improv", "perform"} <= asked
    assert not features("Dropout could improve performance.", asked)
    examples = example_set([("Dropout could improve performance a lot.", 1.0, "")])
    assert examples.opinion("Dropout, improve performance.", PROMPT) is None


def test_a_negation_counts_only_with_its_neighbour():
    found = features("It does not reduce overfitting.")
    assert "¬" not in found and "¬ reduc" in found


def test_the_opinion_is_a_pure_function_of_the_answer_and_the_examples(tmp_path):
    first = load_rubric(write_rubric(tmp_path))
    answer = "It kills random units at each step so the network cannot memorise."
    again = example_set([(e.answer, e.fraction, e.note) for e in first.examples.examples])
    opinions = [first.examples.opinion(answer, PROMPT), again.opinion(answer, "another question"),
                again.opinion(answer, PROMPT)]
    assert opinions[0] == opinions[2] and opinions[0] is not None
    assert "kills" in opinions[0].nearest.answer and opinions[0].fraction > 0.9


@pytest.mark.parametrize("extra, examples, fragments", [
    ({"examples": ["../outside.yaml"]}, EXAMPLES, ["inside the rubric's folder", "r.yaml"]),
    ({"examples": ["examples/none*.yaml"]}, EXAMPLES, ["no file matches", "examples/none*.yaml"]),
    ({}, [{"answer": "ungraded"}], ["item 1 has no expected_points"]),
    ({}, [{"answer": "x", "points": 1}], ["unknown key(s) points"]),
])
def test_example_files_errors_name_the_file_and_what_to_do(tmp_path, extra, examples, fragments):
    with pytest.raises(RubricInvalid) as err:
        load_rubric(write_rubric(tmp_path, extra, examples))
    assert all(f in str(err.value) for f in fragments), str(err.value)


def test_an_inline_rubric_cannot_name_example_files():
    with pytest.raises(RubricInvalid, match="needs a rubric file"):
        load_rubric({**RUBRIC, "examples": ["examples/*.yaml"]})


def test_every_text_rubric_of_the_tutorial_has_examples_and_keeps_test_sets_out(text_rubrics):
    """The tutorial's rubrics learn from their tuned and development examples; the answer sets
    that measure the grader (tests/data/rubric_samples) are never among them."""
    measured = {" ".join(str(a).split()) for f in (ROOT / "tests" / "data" / "rubric_samples").rglob("*.yaml")
                for a in (item.get("answer") for item in yaml.safe_load(f.read_text(encoding="utf-8")))}
    for part, (rubric, _, _) in text_rubrics.items():
        assert rubric.examples is not None and len(rubric.examples) >= 50, part
        assert not measured & {" ".join(e.answer.split()) for e in rubric.examples.examples}, part
    assert (SET_DIR / "rubrics" / "examples" / "tuned").is_dir()


MEASURING_SETS = ("blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "fresh", "heldout")


def test_examples_send_misses_to_review_on_the_measuring_sets(text_rubrics, capsys):
    """The answer sets that measure the grader are never among the examples. Over all of them (753
    answers), once blind7 had been measured: without the examples, 21 misses were graded with full
    confidence; with them, 17, at the cost of 14 more reviews (123 -> 137). On blind5 when it had
    just been measured, 12 and 10; on blind4 while it was blind, 8 and 6. The examples tell where
    the rubric may be wrong, and change no score."""
    from grader.rubric.samples import load_samples
    from grader.rubric.tune import within_tolerance

    misses = {"plain": 0, "examples": 0}
    reviews = {"plain": 0, "examples": 0}
    for name in MEASURING_SETS:
        for path in sorted((SAMPLES_DIR / name).glob("*.yaml")):
            rubric, prompt, _ = text_rubrics[path.stem]
            plain = replace(rubric, examples=None)
            for sample in load_samples(path):
                results = {"plain": score_answer(plain, sample.answer, prompt),
                           "examples": score_answer(rubric, sample.answer, prompt)}
                assert results["plain"].points == results["examples"].points, (name, path.stem)  # the same scores
                for way, result in results.items():
                    review = result.status == "needs_review"
                    reviews[way] += review
                    misses[way] += not review and not within_tolerance(result.points, sample.expected_points,
                                                                      rubric.points)
    with capsys.disabled():
        print(f"\nmeasuring sets: misses graded with confidence {misses['plain']} -> {misses['examples']}; "
              f"sent to review {reviews['plain']} -> {reviews['examples']}")
    assert misses["examples"] <= misses["plain"] - 2 and reviews["examples"] <= reviews["plain"] + 20


def test_edited_example_files_are_read_again(tmp_path):
    path = write_rubric(tmp_path)
    answer = "At every step it kills random units, so the network stops memorising the training set."
    assert "examples_disagree" in score_answer(load_rubric(path), answer, PROMPT).flags
    regraded = [{**e, "expected_points": 0, "note": "regraded"} if "kills" in e["answer"] else e for e in EXAMPLES]
    write_rubric(tmp_path, examples=regraded)  # the teacher now gives nothing for that wording
    assert "examples_disagree" not in score_answer(load_rubric(path), answer, PROMPT).flags
