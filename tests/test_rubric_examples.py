"""Graded example answers as a second opinion: when they disagree with the rubric, a person reads
the answer; they never change a score. Then the loader's errors for example files, and the
figures on answer sets the examples do not hold."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest
import yaml

from grader.rubric import RubricInvalid, load_rubric, score_answer
from grader.rubric.examples import example_set, features, question_stems
from tests.conftest import MEASURING, ROOT, SET_DIR
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


def test_among_equally_close_examples_the_first_listed_are_weighed():
    """Eight examples as close as each other to the answer, among unrelated ones: the five listed
    first are the closest five, whatever their scores."""
    same = [("Dropout drops random units during training.", k / 8, f"copy {k}") for k in range(8)]
    unrelated = [("ReLU is cheap to compute.", 0.0, "other"), ("Pooling halves the width.", 1.0, "other")]
    opinion = example_set(unrelated[:1] + same + unrelated[1:]).opinion("Dropout drops random units.", PROMPT)
    assert opinion.nearest.note == "copy 0"
    assert opinion.fraction == pytest.approx(sum(k / 8 for k in range(5)) / 5)


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


# Every folder of answers that measures the grader (tests/data/rubric_samples/*): none is an example.
MEASURING_SETS = tuple(sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_dir()))


@MEASURING
def test_examples_send_misses_to_review_on_the_measuring_sets(text_rubrics, rubric_scores, capsys):
    """The answer sets that measure the grader are never among the examples. Over all of them (17,053
    answers), once blind170 had been measured with the fifty-fifth round's rubrics: 68 misses graded
    with full confidence without the examples, 60 with them, for 360 more reviews (3752 -> 4112). The
    figures after earlier rounds are in tests/data/rubric_samples/README.md. The examples tell where
    the rubric may be wrong, and change no score. The scores with the examples are the floors' own
    (`rubric_scores`, one worker for both), so only the plain rubric's are computed here."""
    from grader.rubric.samples import load_samples
    from grader.rubric.tune import within_tolerance

    misses = {"plain": 0, "examples": 0}
    reviews = {"plain": 0, "examples": 0}
    answers = compared = 0
    for name in MEASURING_SETS:
        for path in sorted((SAMPLES_DIR / name).glob("*.yaml")):
            rubric, prompt, _ = text_rubrics[path.stem]
            plain = replace(rubric, examples=None)
            for sample in load_samples(path):
                with_examples = rubric_scores(path.stem, sample.answer)  # scored for the floors too
                # The examples act only through the flag they raise. The plain rubric is scored where
                # they raised it, and on every thirty-second other answer to check that they did nothing there.
                flagged = "examples_disagree" in with_examples.flags
                if flagged or answers % 32 == 0:
                    without = score_answer(plain, sample.answer, prompt)
                    compared += 1
                    assert without.points == with_examples.points, (name, path.stem)  # the same scores
                    if not flagged:
                        assert (without.status, without.flags) == (with_examples.status, with_examples.flags)
                else:
                    without = with_examples
                results = {"plain": without, "examples": with_examples}
                answers += 1
                for way, result in results.items():
                    review = result.status == "needs_review"
                    reviews[way] += review
                    misses[way] += not review and not within_tolerance(result.points, sample.expected_points,
                                                                      rubric.points)
    with capsys.disabled():
        print(f"\nmeasuring sets: misses graded with confidence {misses['plain']} -> {misses['examples']}; "
              f"sent to review {reviews['plain']} -> {reviews['examples']}")
    # Fewer confident misses, for at most one more review in forty answers.
    assert compared >= answers // 32
    assert misses["examples"] <= misses["plain"] - 2 and reviews["examples"] - reviews["plain"] <= 0.025 * answers


def test_edited_example_files_are_read_again(tmp_path):
    path = write_rubric(tmp_path)
    answer = "At every step it kills random units, so the network stops memorising the training set."
    assert "examples_disagree" in score_answer(load_rubric(path), answer, PROMPT).flags
    regraded = [{**e, "expected_points": 0, "note": "regraded"} if "kills" in e["answer"] else e for e in EXAMPLES]
    write_rubric(tmp_path, examples=regraded)  # the teacher now gives nothing for that wording
    assert "examples_disagree" not in score_answer(load_rubric(path), answer, PROMPT).flags


# ----- the index of a rubric's examples --------------------------------------------------------------

UPDATE_INDEXES = "GRADER_UPDATE_INDEXES"
ANSWERS = ["At every step it kills random units, so the network stops memorising the training set.",
           "Dropout lowers the learning rate when the loss stops improving.", "It reduces overfitting."]


def _opinions(rubric):
    return [rubric.examples.opinion(answer, PROMPT) for answer in ANSWERS]


def _fresh(path):
    """The rubric as a new process reads it (the loader's in-process memory cleared)."""
    from grader.rubric import loader

    loader._with_examples.cache_clear()
    loader._load_file.cache_clear()
    return load_rubric(path)


def test_a_prepared_set_is_written_to_the_cache_and_read_back_to_the_last_bit(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    path = write_rubric(tmp_path)
    computed = _fresh(path)
    expected = _opinions(computed)
    (written,) = (tmp_path / "cache" / "examples").glob("*.json")
    assert written.stem.endswith(f"-{computed.examples.key}")

    import grader.rubric.samples

    def unreadable(*_args, **_kwargs):
        raise AssertionError("the example files were read although the index is current")

    monkeypatch.setattr(grader.rubric.samples, "load_samples", unreadable)
    indexed = _fresh(path)
    assert indexed.examples.examples == computed.examples.examples
    assert _opinions(indexed) == expected  # the same fractions and similarities, not merely close ones
    assert [o.fraction for o in expected if o] and any(o.similarity < 1 for o in expected if o)


def test_an_index_is_used_only_for_the_files_it_was_written_for(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    path = write_rubric(tmp_path)
    answer = "At every step it kills random units, so the network stops memorising the training set."
    assert "examples_disagree" in score_answer(_fresh(path), answer, PROMPT).flags
    regraded = [{**e, "expected_points": 0, "note": "regraded"} if "kills" in e["answer"] else e for e in EXAMPLES]
    write_rubric(tmp_path, examples=regraded)
    assert "examples_disagree" not in score_answer(_fresh(path), answer, PROMPT).flags
    write_rubric(tmp_path, extra={"model_answers": ["Random units are dropped, which reduces overfitting."]})
    last = _fresh(path)
    _opinions(last)
    # One index per rubric: those of the files as they were before are removed.
    (kept,) = (tmp_path / "cache" / "examples").glob("*.json")
    assert kept.stem.endswith(f"-{last.examples.key}")
    other = write_rubric(tmp_path / "other")  # another rubric's index stays beside it
    _opinions(_fresh(other))
    assert kept.exists() and len(list((tmp_path / "cache" / "examples").glob("*.json"))) == 2


@pytest.mark.parametrize("damage", ["", "{", '{"format": 1}', "[]", '{"format": 1, "key": "KEY", "examples": 3}'])
def test_a_damaged_index_is_ignored_and_the_files_are_read(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    path = write_rubric(tmp_path)
    expected = _opinions(_fresh(path))
    key = _fresh(path).examples.key
    shipped = tmp_path / "rubrics" / "prepared" / "r.json"
    shipped.parent.mkdir()
    shipped.write_text(damage.replace("KEY", key), encoding="utf-8")
    for cached in (tmp_path / "cache" / "examples").glob("*.json"):
        cached.write_text(damage.replace("KEY", key), encoding="utf-8")
    assert _opinions(_fresh(path)) == expected


@pytest.mark.parametrize("postings, weights", [("0 1 x", None), ("0 99999", None), ("", ""), (None, "0.5 nan-ish"),
                                                 ("0 1", "0.5 inf"), ("0 1", "0.5")])
def test_damaged_postings_are_weighed_again_from_the_examples(tmp_path, monkeypatch, postings, weights):
    """An index whose postings were damaged inside valid JSON (read only when an answer has the
    term) gives the opinions the files give: the examples are weighed again."""
    import json

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    path = write_rubric(tmp_path)
    expected = _opinions(_fresh(path))
    (written,) = (tmp_path / "cache" / "examples").glob("*.json")
    index = json.loads(written.read_text(encoding="utf-8"))
    index["postings"] = [postings if postings is not None else p for p in index["postings"]]
    index["weights"] = [weights if weights is not None else w for w in index["weights"]]
    written.write_text(json.dumps(index), encoding="utf-8")
    indexed = _fresh(path)
    assert indexed.examples.key == index["key"] and indexed.examples._packed  # the index was read
    assert _opinions(indexed) == expected


def test_with_the_cache_off_the_files_are_read_every_time(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE", "off")
    path = write_rubric(tmp_path)
    assert _opinions(_fresh(path)) == _opinions(_fresh(path))
    assert not (tmp_path / "cache").exists()


def test_the_shipped_indexes_are_current(monkeypatch, tmp_path):
    """Every rubric of a bundled set that has examples ships the index of them, for its part's
    question, the same to the last bit as reading the files gives. Write them again after changing
    example files, model answers or a rubric's points, with the command any author uses
    (`grader rubric-index problems/mlp_cnn`), or here:
    GRADER_UPDATE_INDEXES=1 python -m pytest tests/test_rubric_examples.py -k shipped"""
    import os

    from grader.authoring import write_example_indexes
    from grader.rubric import loader, part_options
    from grader.rubric.examples import read_index
    from grader.spec import load_problem_set

    checked = 0
    for set_dir in sorted((ROOT / "problems").iterdir()):
        if not (set_dir / "set.yaml").is_file():
            continue
        if os.environ.get(UPDATE_INDEXES):
            write_example_indexes(set_dir)
        problem_set = load_problem_set(set_dir)
        for _, part in problem_set.parts():
            options = part_options(part.options, problem_set.root, part.prompt)
            if part.kind != "text" or not isinstance(options.get("rubric"), str):
                continue
            shipped = loader.prepared_index_path(options["rubric"])
            with monkeypatch.context() as reading_the_files:  # no index, shipped or cached
                reading_the_files.setattr(loader, "prepared_index_path", lambda _path: tmp_path / "none.json")
                reading_the_files.setenv("GRADER_CACHE", "off")
                rubric = _fresh(options["rubric"])
            if rubric.examples is None:
                continue
            rubric.examples.prepare_for(options["prompt"])  # weighed for the question, as grading does
            found = read_index(shipped, rubric.examples.key)
            assert found is not None, f"{shipped} is missing or stale: {UPDATE_INDEXES}=1"
            assert found.index() == rubric.examples.index(), shipped
            checked += 1
    assert checked >= 10


def test_rubric_index_writes_what_a_first_check_reads(tmp_path):
    """`grader rubric-index` writes, for a copy of the tutorial, the very indexes and store of
    patterns it ships; on a set whose rubrics list no examples and no patterns it says there is
    nothing to write."""
    import shutil

    from typer.testing import CliRunner

    from grader.cli import app

    copy = tmp_path / "mlp_cnn"
    shutil.copytree(SET_DIR, copy, ignore=shutil.ignore_patterns("prepared", "__pycache__"))
    result = CliRunner().invoke(app, ["rubric-index", str(copy)])
    assert result.exit_code == 0, result.output
    prepared = copy / "rubrics" / "prepared"
    written = sorted(p.relative_to(prepared).as_posix() for p in prepared.rglob("*.json"))
    # the ten indexes of examples, what the rubrics' patterns require (patterns.json), and the ten
    # rubrics' fields (data/)
    assert len(written) == 21 and result.output.count("Wrote ") == 21
    assert "patterns.json" in written and len([p for p in written if p.startswith("data/")]) == 10
    for name in written:
        assert (prepared / name).read_bytes() == (SET_DIR / "rubrics" / "prepared" / name).read_bytes(), name

    assert CliRunner().invoke(app, ["new", str(tmp_path / "week1"), "--title", "Week 1"]).exit_code == 0
    result = CliRunner().invoke(app, ["rubric-index", str(tmp_path / "week1")])  # its one rubric's fields
    assert result.exit_code == 0 and result.output.count("Wrote ") == 1, result.output
    assert (tmp_path / "week1" / "rubrics" / "prepared" / "data" / "q1.explain.json").is_file()
    problem = tmp_path / "week1" / "problem1.yaml"
    spec = yaml.safe_load(problem.read_text(encoding="utf-8"))
    spec["parts"] = [part for part in spec["parts"] if part["kind"] != "text"]
    problem.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = CliRunner().invoke(app, ["rubric-index", str(tmp_path / "week1")])
    assert result.exit_code == 0 and "nothing to write" in result.output, result.output



def test_the_shipped_rubric_fields_are_current():
    """Every text rubric file of a bundled set ships its fields as JSON (rubrics/prepared/data/),
    written for its text as it is now and equal to what its YAML reads as; a first check reads
    them instead of the YAML. After changing a rubric: `grader rubric-index problems/mlp_cnn`."""
    from grader.rubric import loader
    from grader.rubric.loader import data_key, prepared_data_path, read_data, read_rubric_fields

    checked = 0
    for path in sorted((ROOT / "problems").glob("*/rubrics/*.yaml")):
        text = path.read_text(encoding="utf-8")
        shipped = read_data(prepared_data_path(path), data_key(text))
        assert shipped is not None, f"{prepared_data_path(path)} is missing or stale: run grader rubric-index"
        assert shipped == read_rubric_fields(path, text), path
        checked += 1
    assert checked >= 10 and loader.DATA_FOLDER in str(prepared_data_path(path))


def test_a_rubric_file_read_once_is_read_from_its_fields_until_it_changes(tmp_path, monkeypatch):
    """The first load keeps the file's fields as JSON in the cache folder; the next process reads
    them instead of the YAML, but not once the file has changed."""
    from grader.rubric import loader

    path = write_rubric(tmp_path)
    first = _fresh(path)
    kept = loader.cached_data_path(path)
    assert kept is not None and kept.is_file()

    def no_yaml(*_args):
        raise AssertionError("the YAML was read")

    with monkeypatch.context() as reading:
        reading.setattr(loader, "_read_yaml", no_yaml)
        again = _fresh(path)
    assert again.spec == first.spec and again.concepts == first.concepts

    path.write_text(path.read_text(encoding="utf-8").replace("min_words: 3", "min_words: 4"), encoding="utf-8")
    with monkeypatch.context() as reading, pytest.raises(AssertionError, match="the YAML was read"):
        reading.setattr(loader, "_read_yaml", no_yaml)
        _fresh(path)
    assert _fresh(path).spec.min_words == 4


def test_fields_this_grader_rejects_are_reported_from_the_yaml_with_their_line(tmp_path):
    """Fields kept by an older grader that this one rejects: the YAML is read again, so the error
    names the line of the file."""
    from grader.rubric import loader
    from grader.rubric.loader import data_key, read_rubric_fields, write_data

    path = write_rubric(tmp_path, extra={"min_word": 3})
    text = path.read_text(encoding="utf-8")
    assert write_data(loader.prepared_data_path(path), read_rubric_fields(path, text), data_key(text))
    with pytest.raises(RubricInvalid, match=r"r\.yaml:\d+: min_word: unknown field \(did you mean 'min_words'\?\)"):
        _fresh(path)


@pytest.mark.parametrize("fields", [{1: "a number as a key"}, {"when": datetime.date(2026, 1, 1)}])
def test_fields_json_would_read_back_otherwise_are_not_kept(tmp_path, fields):
    from grader.rubric.loader import read_data, write_data

    target = tmp_path / "data" / "r.json"
    assert not write_data(target, {**RUBRIC, **fields}, "k") and not target.exists()
    assert write_data(target, dict(RUBRIC), "k") and read_data(target, "k") == RUBRIC
    assert read_data(target, "another key") is None
    target.write_text("{damaged", encoding="utf-8")
    assert read_data(target, "k") is None
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    assert not write_data(blocked / "data" / "r.json", dict(RUBRIC), "k")  # cannot be written: not kept
