"""A rubric's vocabulary (grader.rubric.match.Vocabulary): one pass over an answer's words finds
where every word of the rubric's phrases matches, and phrases one of whose slots cannot match are
skipped. It is a way of computing, not a way of judging: with it and without it, every word and
every phrase matches in the same places, as exactly or as fuzzily."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.rubric import load_rubric
from grader.rubric import match as matching
from grader.rubric.match import Matcher, Vocabulary
from grader.rubric.model import Phrase
from grader.rubric.samples import load_samples
from grader.rubric.text import prepare
from tests.test_rubric_samples import SAMPLES_DIR


def _expressions(rubric):
    return [e for c in (*rubric.concepts, *rubric.misconceptions) for e in c.expressions]


def _same_matches(vocabulary: Vocabulary, expressions, answer: str) -> int:
    """Compare a matcher with the vocabulary and one without, word by word and phrase by phrase;
    the number of phrases found."""
    doc = prepare(answer)
    plain, indexed = Matcher(doc), Matcher(doc, vocabulary)
    for word in vocabulary.words:
        assert dict(indexed.word_positions(word)) == dict(plain.word_positions(word)), (word, answer)
    found = 0
    for expression in expressions:
        if isinstance(expression, Phrase):
            occurrences = plain.find(expression)
            assert indexed.find(expression) == occurrences, (expression.source, answer)
            found += bool(occurrences)
    return found


def test_the_tutorial_rubrics_match_the_same_with_their_vocabulary(text_rubrics):
    """About 400 sample answers, spread over every measuring set, each read against its part's
    rubric with and without the vocabulary."""
    answers = [(path.stem, sample.answer) for path in sorted(SAMPLES_DIR.glob("*/*.yaml"))
               for sample in load_samples(path) if isinstance(sample.answer, str)]
    chosen = answers[::max(1, len(answers) // 400)]
    vocabularies = {part: (Vocabulary(_expressions(rubric)), _expressions(rubric))
                    for part, (rubric, _, _) in text_rubrics.items()}
    found = sum(_same_matches(*vocabularies[part], answer) for part, answer in chosen)
    assert len(chosen) >= 400 and found > len(chosen)  # the phrases compared do match, often


RUBRIC = """\
schema_version: 1
points: 1
synonyms:
  unit: [neuron*, unit*, "feature map*", node]
concepts:
  - id: drop
    points: 1
    label: units are dropped at random
    hint: what happens to the units?
    any:
      - random* @unit drop|dropped|deactivat*
      - probability 0.5 dropout
      - regularization overfitting
      - {phrase: "not|no|pas need* scaling", window: 4}
      - {phrase: "réseau neurone* aléatoire", lang: fr}
      - {phrase: "co-adapt* unit*", unless: "sign test"}
      - 1* kernel* 3x3
"""

WORDS = ["random", "randomly", "neuron", "neurons", "neurone", "units", "unit", "feature", "map", "maps", "node",
         "drop", "dropped", "dropping", "deactivated", "deactivation", "probability", "0.5", "0.55", "5", "dropout",
         "regularization", "regularisation", "overfitting", "not", "no", "pas", "need", "needs", "scaling",
         "réseau", "aléatoire", "coadapt", "co-adaptation", "sign", "test", "1", "10", "1x1", "kernels", "3x3", "the", "of", "is", "and", "but", "."]


def _typo(word: str, k: int) -> str:
    """A one-letter change of a word (dropped, doubled or swapped with its neighbour)."""
    if len(word) < 3:
        return word
    i = 1 + k % (len(word) - 2)
    return (word[:i] + word[i + 1:], word[:i] + word[i] + word[i:], word[:i] + word[i + 1] + word[i] + word[i + 2:])[k % 3]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.integers(0, 11)), min_size=1, max_size=30))
def test_any_answer_matches_the_same_with_the_vocabulary(tmp_path_factory, picks):
    """Answers made of the rubric's words, their inflections and typos of them: exact, stem, prefix
    and typo matches, negations, numbers, a French phrase and an `unless` word."""
    path = tmp_path_factory.mktemp("vocabulary") / "r.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    rubric = load_rubric(path)
    answer = " ".join(_typo(word, k) if k >= 6 else word for word, k in picks)
    _same_matches(Vocabulary(_expressions(rubric)), _expressions(rubric), answer)


def test_a_full_memory_still_matches_new_words(tmp_path, monkeypatch):
    """Past `MEMO_WORDS` remembered words a vocabulary looks new words up each time, with the same
    result."""
    path = tmp_path / "r.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    rubric = load_rubric(path)
    monkeypatch.setattr(matching, "MEMO_WORDS", 2)
    vocabulary = Vocabulary(_expressions(rubric))
    answers = ["Dropout drops random neurons.", "Randomly deactivated units, p = 0.5 dropout.",
               "La régularisation: un réseau de neurones aléatoire.", "It reduces overfiting by regularisation."]
    found = [_same_matches(vocabulary, _expressions(rubric), answer) for answer in answers]
    assert all(found)
    assert len(vocabulary._norm_memo) == 2 and len(vocabulary._text_memo) == 2


@pytest.mark.parametrize("answer, expected", [
    ("Dropout drops random neurons during training.", True),
    ("Dropout drops random neurones during training.", True),  # a typo of a stem
    ("Dropout picks units at random and drops them.", True),
    ("Dropout makes the network smaller.", False),
])
def test_a_phrase_is_found_through_the_vocabulary(tmp_path, answer, expected):
    path = tmp_path / "r.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    rubric = load_rubric(path)
    phrase = rubric.concepts[0].expressions[0]
    assert bool(Matcher(prepare(answer), Vocabulary(_expressions(rubric))).find(phrase)) is expected


def test_patterns_find_the_same_tokens_by_bisection_as_by_a_scan(text_rubrics):
    """A pattern's match is mapped to the tokens it overlaps by bisection over the tokens' spans;
    the plain scan (kept for a text whose spans were not in order) gives the same occurrences."""
    from grader.rubric.model import Pattern

    answers = [(path.stem, sample.answer) for path in sorted(SAMPLES_DIR.glob("*/*.yaml"))
               for sample in load_samples(path) if isinstance(sample.answer, str)]
    found = 0
    for part, answer in answers[::max(1, len(answers) // 200)]:
        rubric = text_rubrics[part][0]
        doc = prepare(answer)
        bisecting, scanning = Matcher(doc), Matcher(doc)
        scanning._spans = False  # as for spans out of order
        for pattern in (e for e in _expressions(rubric) if isinstance(e, Pattern)):
            occurrences = bisecting.find(pattern)
            assert scanning.find(pattern) == occurrences, (pattern.source, answer)
            found += len(occurrences)
    assert found > 100


def test_a_rubric_gets_its_vocabulary_from_its_second_answer_on(tmp_path):
    """A rubric that scores one answer (a student's check) does without; from the second answer
    on, one vocabulary serves every copy of the rubric that shares its concepts."""
    from dataclasses import replace

    from grader.rubric.match import vocabulary

    path = tmp_path / "r.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    rubric = load_rubric(path)
    assert vocabulary(rubric) is None
    made = vocabulary(rubric)
    assert isinstance(made, Vocabulary) and made.words
    assert vocabulary(replace(rubric, examples=None)) is made
    assert vocabulary(replace(rubric, concepts=tuple(list(rubric.concepts)))) is None  # another tuple: afresh
