"""The strings a rubric's regular expressions require (grader.rubric.prefilter): read soundly from
the pattern, kept in stores that a changed pattern, another Python or a damaged file cannot
mislead, and used so that loading a rubric compiles no pattern it knows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.rubric import RubricInvalid, load_rubric, score_answer
from grader.rubric.model import Pattern
from grader.rubric.prefilter import (
    known_patterns,
    may_match,
    prepared_store_path,
    read_store,
    required_strings,
    searchable,
    store_text,
)
from grader.rubric.samples import load_samples
from grader.rubric.text import prepare
from tests.conftest import SET_DIR
from tests.test_rubric_samples import SAMPLES_DIR


@pytest.mark.parametrize("pattern, needs", [
    (r"\bvanish\w*", [(" vanish",)]),  # at the start of a word: after a space in searchable(text)
    (r"\b(?:vanish|disappear)\w*\s+grad", [(" disappear", " vanish"), (" grad",)]),
    (r"\bon\b|\bin\s", [(" in ", " on ")]),  # a whole word
    (r"(?:^|[.;])\s*relu\b", [("relu ",)]),  # whatever may stand before it, a boundary after
    (r"(?a)\bvanish", [("vanish",)]),  # under re.ASCII, "é" is not a word character for \b
    (r"\b(?:ab)+\b", [("ab",)]),  # a repeat: no one occurrence is sure to be at both edges
    (r"\b-ab\b-", [(" ab ",)]),  # "-" is read as a space, as in searchable(text); \b beside it adds none
    (r"l'un\b", [("l un ",)]),  # other characters are read as spaces, as in searchable(text)
    (r"ab(?:cd)?ef", [("ab",), ("ef",)]),  # an optional group requires nothing
    (r"(?:xy)*zz", [("zz",)]),
    (r"(?:abc|de)+f", [("abc", "de")]),  # repeated at least once: one of its branches
    (r"ab|c", []),  # one branch requires nothing (one character is not kept), so neither does the pattern
    (r"(?i)gradient", []),  # case ignored: "GRADIENT" matches without "gradient"
    (r"ab(?i:gradient)cd", [("ab",), ("cd",)]),
    (r"(?=\w*relu)\w+", [("relu",)]),  # the text holds what a positive lookaround reads
    (r"(?<=the )relu", [("relu",), ("the ",)]),
    (r"(?!relu)\w+", []),  # a negative one requires nothing
    (r"(?:(?=relu))?\w+", []),  # nor does an optional one
    (r"(\w+) and \1", [(" and ",)]),
    (r"[ab]{3}c", []),
    (r"\bchannels?|canaux\b", [(" channel", "canaux ")]),
    (r"(?:channels|canaux)", [("anaux", "hannels")]),  # the parser takes out the prefix "c", one character
])
def test_required_strings_are_read_from_the_pattern(pattern, needs):
    assert sorted(required_strings(pattern)) == sorted(needs)


def test_a_pattern_the_parser_rejects_requires_nothing():
    assert required_strings("(unclosed") == ()


# Random patterns from the constructions rubrics use, over a small alphabet so that texts hit them.
_ATOMS = st.sampled_from(["a", "b", "ab", "ba", "abc", "c", r"\w", r"\s", "[ab]", ".", r"\b", "é", "x y",
                          r"\W", "[.;]", "^", "$", "-", r"\.", "(?a:a)"])


def _patterns(depth: int = 0) -> st.SearchStrategy[str]:
    atom = _ATOMS if depth >= 2 else st.one_of(_ATOMS, st.tuples(
        st.sampled_from(["(?:", "(?=", "(?!"]), st.deferred(lambda: _patterns(depth + 1))).map(
        lambda opened: f"{opened[0]}{opened[1]})"))
    piece = st.tuples(atom, st.sampled_from(["", "", "?", "*", "+", "{2}", "{0,2}", "{1,3}"])).map("".join)
    sequence = st.lists(piece, min_size=1, max_size=4).map("".join)
    return st.lists(sequence, min_size=1, max_size=3).map("|".join)


@settings(max_examples=300, deadline=None)
@given(_patterns(), st.text(alphabet="abcé xy.", max_size=24))
def test_a_text_without_the_required_strings_is_never_matched(pattern, text):
    needs = required_strings(pattern)
    if not may_match(needs, searchable(text)):
        assert re.search(pattern, text) is None, (pattern, text, needs)


def test_no_shipped_pattern_is_skipped_on_an_answer_it_matches():
    """Every pattern of the tutorial's rubrics, on about 600 of the sample answers (spread over every
    set) folded as the matcher folds them: wherever the required strings are missing, the pattern
    finds nothing."""
    store = read_store(prepared_store_path(SET_DIR / "rubrics"))
    assert len(store) > 300
    answers = [sample.answer for path in sorted(SAMPLES_DIR.glob("*/*.yaml")) for sample in load_samples(path)]
    texts = [prepare(answer).folded for answer in answers[::max(1, len(answers) // 600)]]
    words = [searchable(text) for text in texts]  # what the matcher makes of an answer, once
    skipped = 0
    for source, needs in store.items():
        regex = re.compile(source)
        for text, searched in zip(texts, words, strict=True):
            if not may_match(needs, searched):
                skipped += 1
                assert regex.search(text) is None, (source, text)
    assert skipped > len(store) * len(texts) // 2  # most searches are saved


RUBRIC = """\
schema_version: 1
points: 1
concepts:
  - id: zero
    points: 1
    label: gradient zero for negative inputs
    hint: What is the slope of ReLU left of zero?
    any:
      - 're:\\bgradients?\\s+(?:is|are)\\s+(?:zero|0)\\b'
      - 'zero gradient*'
misconceptions:
  - id: sign
    penalty: 1
    feedback: The sign is not the question.
    any: ['re:\\bnegative\\s+outputs?\\b']
"""


def _write(folder: Path, text: str = RUBRIC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _compiled_now(rubric) -> list[str]:
    return [e.source for c in (*rubric.concepts, *rubric.misconceptions) for e in c.expressions
            if isinstance(e, Pattern) and "regex" in e.__dict__]


def test_a_folder_without_a_store_compiles_at_load_then_remembers(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path / "rubrics")
    first = load_rubric(path)
    assert len(_compiled_now(first)) == 2  # checked when the rubric loads
    assert set(known_patterns(path.parent)) == {r"\bgradients?\s+(?:is|are)\s+(?:zero|0)\b",
                                                r"\bnegative\s+outputs?\b"}
    path.write_text(RUBRIC + "\n", encoding="utf-8")  # a new file: read and compiled again
    second = load_rubric(path)
    assert _compiled_now(second) == []
    answer = "For negative inputs the gradients are zero."
    assert score_answer(second, answer).points == score_answer(first, answer).points == 1.0
    assert len(_compiled_now(second)) == 1  # only the pattern the answer could match
    assert score_answer(second, "The gradient is large.").points == 0.0


def test_a_wrong_pattern_is_still_reported_when_the_rubric_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path / "rubrics", RUBRIC.replace("(?:zero|0)", "(?:zero|0"))
    with pytest.raises(RubricInvalid, match="not a valid regular expression"):
        load_rubric(path)


@pytest.mark.parametrize("damage", [
    lambda body: {**body, "python": "2.7"},
    lambda body: {**body, "format": 99},
    lambda body: {**body, "patterns": {k: [["x", 3]] for k in body["patterns"]}},
    lambda body: {**body, "patterns": {k: [[]] for k in body["patterns"]}},
    lambda body: [body],
])
def test_a_store_of_another_python_or_damaged_is_not_read(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("GRADER_CACHE", "off")
    folder = tmp_path / "rubrics"
    path = _write(folder)
    store = prepared_store_path(folder)
    store.parent.mkdir()
    body = json.loads(store_text({r"\bnegative\s+outputs?\b": (("zzz",),)}))
    store.write_text(json.dumps(damage(body)), encoding="utf-8")
    assert read_store(store) == {}
    rubric = load_rubric(path)
    assert len(_compiled_now(rubric)) == 2
    assert score_answer(rubric, "It gives negative outputs.").points == 0.0  # the misconception is found


def test_a_store_is_read_only_for_the_patterns_it_names(tmp_path, monkeypatch):
    """A changed pattern is not in the store: it is compiled at load, and its old entry is unused."""
    monkeypatch.setenv("GRADER_CACHE", "off")
    folder = tmp_path / "rubrics"
    store = prepared_store_path(folder)
    store.parent.mkdir(parents=True)
    store.write_text(store_text({r"\bnegative\s+outputs?\b": required_strings(r"\bnegative\s+outputs?\b")}),
                     encoding="utf-8")
    rubric = load_rubric(_write(folder))
    assert _compiled_now(rubric) == [r"\bgradients?\s+(?:is|are)\s+(?:zero|0)\b"]


def test_the_shipped_store_is_current():
    """The tutorial's `rubrics/prepared/patterns.json` lists exactly its rubrics' patterns, with what
    they require. After changing a pattern, run `grader rubric-index problems/mlp_cnn`."""
    from grader.rubric.model import RubricSpec, pattern_sources
    from grader.spec.yamlsafe import load_yaml

    folder = SET_DIR / "rubrics"
    sources = set()
    for path in sorted(folder.glob("*.yaml")):
        data, _ = load_yaml(path.read_text(encoding="utf-8"), allow_aliases=True)
        sources.update(pattern_sources(RubricSpec.model_validate(data)))
    store = read_store(prepared_store_path(folder))
    assert set(store) == sources, "rubrics/prepared/patterns.json is stale: run grader rubric-index problems/mlp_cnn"
    assert all(store[s] == required_strings(s) for s in sources)
