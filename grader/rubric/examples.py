"""Graded example answers: a second opinion that tells when a rubric's score may be wrong.

A rubric may list files of answers an instructor has graded (`examples:`; the same format as
the samples `grader rubric-test` reads). A new answer is compared with the examples of its part
by the words they share: the Snowball stems of its meaningful words and of each pair of
neighbouring ones (negation words kept, marked), each weighted by how rare it is among the
examples (tf-idf), compared by cosine similarity. The scores of the closest examples, weighted
by their similarity, are what the examples suggest.

The examples never change a score. When what they suggest differs from the rubric's score by
more than a set share of the part, and the closest example is similar enough to count, the
answer goes to review with the rubric's provisional score and a reason that gives what the
examples suggest (never an example's text: examples may be other students' answers). Keyword
rubrics miss new wording; answers worded like a graded example are rarely scored far from it, so
the disagreement points at the answers a person should read.

Everything here is arithmetic on the answer and the example files, in a fixed order and rounded
before any comparison, so the same answer, set and grader always give the same verdict.

Reading a few thousand examples and weighing their words is most of what a first check of a set
spends on its text parts. So a prepared set (the examples, their weights and the question they
were weighed for) is kept as an *index*: a JSON file keyed by the bytes of the example files,
the rubric's points and model answers and this module's format. The loader reads an index shipped
beside the rubrics (`rubrics/prepared/<rubric>.json`) or one in the cache folder, and uses it only
when its key is the key of the files as they are now; otherwise it reads the files, and the set
writes its index to the cache folder once it is prepared. An index holds what the files would
give, to the last bit (floats are written as Python writes them back exactly), so a grade never
depends on whether one was found. The postings of a term are kept in the index as two strings and
read only when an answer has the term: an answer has a few dozen terms, an index a few thousand,
and reading them all was most of the cost of reading an index.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, pairwise
from pathlib import Path
from typing import Any

from grader.rubric.text import WORD, Role, english_stem, fold_text, word_role

NEIGHBOURS = 5  # how many of the closest examples are weighed
DISAGREEMENT = 0.5  # share of the part between the rubric and the examples that sends to review
# Below this, even the closest example says nothing about the answer. At 0.1, the 11,153 answers
# of the measuring sets had 48 more reviews and not one more miss caught.
MIN_SIMILARITY = 0.15
# The format of an index: change it whenever `features`, the weighting or the reading of an
# example's text changes, and every index written before is ignored (the shipped ones then fail
# their test until they are written again).
INDEX_FORMAT = 3
INDEX_CACHE = "examples"  # the cache folder's indexes of examples


@dataclass(frozen=True)
class Example:
    """One graded example answer: its text, its share of the part's points and its note."""

    answer: str
    fraction: float
    note: str = ""


@dataclass(frozen=True)
class Opinion:
    """What the closest examples suggest for an answer."""

    fraction: float  # similarity-weighted mean share of the part, 0..1
    similarity: float  # similarity of the closest example, 0..1
    nearest: Example


def features(text: str, question: frozenset[str] = frozenset()) -> Counter[str]:
    """The English Snowball stems of an answer's meaningful words (a negation marked "¬") and of
    each pair of neighbouring ones; words of the question are left out, as they say nothing of
    the answer. Light on purpose (no clauses, no language per sentence): every example of a set is
    read this way when its part is first graded, and the same reading on both sides is what counts."""
    words = []
    for word in WORD.findall(fold_text(text)):
        role = word_role(word)
        if role is Role.STOP:
            continue
        stem = "¬" if role is Role.NEGATION else english_stem(word)
        if stem not in question:
            words.append(stem)
    found = Counter(w for w in words if w != "¬")  # a negation counts with the word next to it
    found.update(f"{a} {b}" for a, b in pairwise(words))
    return found


@dataclass
class ExampleSet:
    """The graded examples of one part, prepared on first use."""

    examples: tuple[Example, ...]
    # For each term, its postings: the examples that have it and its weight in each.
    _postings: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict, repr=False)
    # Postings read from an index and not needed yet, as two strings of numbers (`_posting` reads
    # a term's the first time an answer has it).
    _packed: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    _idf: dict[str, float] = field(default_factory=dict, repr=False)
    _unseen: float = 0.0
    _question: frozenset[str] | None = None
    key: str = ""  # the key of the files the examples were read from (`index_key`), when known
    store: Path | None = field(default=None, repr=False, compare=False)  # where to write the index once prepared

    def __len__(self) -> int:
        return len(self.examples)

    def _prepare(self, question: frozenset[str]) -> None:
        self._question = question
        counts = [features(e.answer, question) for e in self.examples]
        documents: Counter[str] = Counter()
        for c in counts:
            documents.update(c.keys())
        n = len(counts)
        self._idf = {term: math.log((n + 1) / (k + 1)) + 1 for term, k in documents.items()}
        self._unseen = math.log(n + 1) + 1
        self._postings, self._packed = {}, {}
        for index, counted in enumerate(counts):
            for term, weight in self._vector(counted).items():
                ids, weights = self._postings.setdefault(term, ([], []))
                ids.append(index)
                weights.append(weight)
        if self.store is not None and self.key and write_index(self.store, self):
            _remove_older_indexes(self.store)

    def prepare_for(self, question: str) -> None:
        """Weigh the examples' words for answers to `question` (done once; grading does it on the
        first answer)."""
        asked = question_stems(question)
        if self._question != asked:
            self._prepare(asked)

    def index(self) -> dict[str, Any]:
        """The prepared set as an index (`read_index` reads it back); prepared for no question
        if it was not prepared yet."""
        if self._question is None:
            self._prepare(frozenset())
        terms = list(self._idf)
        columns = [self._packed.get(t) or _pack(*self._postings[t]) for t in terms]
        return {
            "format": INDEX_FORMAT, "key": self.key, "question": sorted(self._question or ()),
            "examples": [[e.answer, e.fraction, e.note] for e in self.examples],
            "unseen": self._unseen, "terms": terms, "idf": [self._idf[t] for t in terms],
            "postings": [ids for ids, _ in columns], "weights": [weights for _, weights in columns],
        }

    def _posting(self, term: str) -> tuple[list[int], list[float]] | None:
        """The examples that have a term and its weight in each, or None when none has it."""
        if term in self._packed:
            self._postings[term] = _unpack(*self._packed.pop(term), len(self.examples))
        return self._postings.get(term)

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        weights = {t: (1 + math.log(k)) * self._idf.get(t, self._unseen) for t, k in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def opinion(self, answer: str, question: str = "", neighbours: int = NEIGHBOURS) -> Opinion | None:
        """What the closest examples suggest for an answer to `question`, or None when there are
        no examples or none is close."""
        if not self.examples:
            return None
        self.prepare_for(question)
        query = self._vector(features(answer, question_stems(question)))
        if not query:
            return None
        # Cosine similarity with every example, summed term by term in the query's order (an
        # example without the term adds nothing, so the sum is the same as over every term).
        try:
            postings = [(weight, self._posting(term)) for term, weight in query.items()]
        except ValueError:  # a damaged index: weigh the examples again, as from their files
            self._prepare(self._question or frozenset())
            postings = [(weight, self._posting(term)) for term, weight in query.items()]
        sums = [0.0] * len(self.examples)
        for weight, posting in postings:
            if posting is not None:
                for index, other in zip(*posting, strict=True):
                    sums[index] += weight * other
        # Most similar first, similarities rounded so that the order of the sum cannot decide; among
        # equals, the example listed first, so the choice is fixed. Only the examples whose sum is
        # within the rounding of the closest few can be among them: those are rounded and sorted.
        floor = heapq.nlargest(neighbours, sums)[-1] - 1e-8
        candidates = list(compress(range(len(sums)), map(floor.__le__, sums)))
        similarities = {i: round(sums[i], 9) for i in candidates}
        closest = sorted(candidates, key=lambda i: (-similarities[i], i))[:neighbours]
        best = similarities[closest[0]]
        total = sum(similarities[i] for i in closest)
        if best < MIN_SIMILARITY or total <= 0:
            return None
        fraction = sum(similarities[i] * self.examples[i].fraction for i in closest) / total
        return Opinion(round(fraction, 6), best, self.examples[closest[0]])


@lru_cache(maxsize=64)
def question_stems(question: str) -> frozenset[str]:
    """The stems of a question's meaningful words."""
    return frozenset(english_stem(w) for w in WORD.findall(fold_text(question)) if word_role(w) is Role.CONTENT)


def example_set(answers: Sequence[tuple[str, float, str]], key: str = "", store: Path | None = None) -> ExampleSet:
    """An example set from (answer, share of the part, note) triples; with a key and a place to
    store its index, written there once prepared."""
    return ExampleSet(tuple(Example(a, min(1.0, max(0.0, f)), n) for a, f, n in answers), key=key, store=store)


def index_key(points: float, model_answers: Iterable[str], files: Iterable[tuple[str, bytes]]) -> str:
    """The key of an index: the format, the stemmer, the rubric's points and model answers, and the
    name and bytes of every example file, in order."""
    digest = hashlib.sha256(f"examples index {INDEX_FORMAT} snowballstemmer {_stemmer_version()} "
                            f"points {points!r}\0".encode())
    for answer in model_answers:
        digest.update(b"model\0" + answer.encode("utf-8") + b"\0")
    for name, data in files:
        digest.update(b"file\0" + name.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _stemmer_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("snowballstemmer")
    except PackageNotFoundError:
        return "unknown"


def read_index(path: Path, key: str) -> ExampleSet | None:
    """The example set an index holds, or None when there is none, it is damaged, or its key is
    not `key` (the files changed since it was written)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != INDEX_FORMAT or data.get("key") != key:
            return None
        examples = tuple(Example(str(a), float(f), str(n)) for a, f, n in data["examples"])
        terms = data["terms"]
        columns = (data["idf"], data["postings"], data["weights"])
        if not all(isinstance(column, list) and len(column) == len(terms) for column in columns):
            return None
        if not all(isinstance(text, str) for column in columns[1:] for text in column):
            return None
        packed = zip(data["postings"], data["weights"], strict=True)
        found = ExampleSet(examples, _packed=dict(zip(terms, packed, strict=True)),
                           _idf=dict(zip(terms, data["idf"], strict=True)), _unseen=float(data["unseen"]),
                           _question=frozenset(data["question"]), key=key)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return found


def _pack(ids: list[int], weights: list[float]) -> tuple[str, str]:
    """A term's postings as an index keeps them (`repr` writes a float that reads back exactly)."""
    return " ".join(map(str, ids)), " ".join(map(repr, weights))


def _unpack(ids: str, weights: str, examples: int) -> tuple[list[int], list[float]]:
    """A term's postings from an index; ValueError when they are damaged."""
    found, weighed = [int(i) for i in ids.split()], [float(w) for w in weights.split()]
    if (not found or len(found) != len(weighed) or not all(0 <= i < examples for i in found)
            or not all(map(math.isfinite, weighed))):
        raise ValueError("damaged postings")
    return found, weighed


def cached_index_path(rubric_path: str | Path, key: str) -> Path | None:
    """Where the cache folder keeps the index of a rubric's examples, `<rubric>-<key>.json` in its
    `examples` folder (None when caching is off). The rubric's part of the name lets the index of an
    earlier version of its files be recognised and removed."""
    from grader.cachedir import cache_folder, path_name

    folder = cache_folder(INDEX_CACHE)
    if folder is None:
        return None
    return folder / f"{path_name(rubric_path)}-{key}.json"


def _remove_older_indexes(path: Path) -> None:
    """Remove the cache's other indexes of the same rubric (`cached_index_path`): written for
    example files as they were before an edit, they would never be read again."""
    rubric = path.name.split("-", 1)[0]
    for other in path.parent.glob(f"{rubric}-*.json"):
        if other != path:
            with contextlib.suppress(OSError):
                other.unlink()


def write_index(path: Path, examples: ExampleSet) -> bool:
    """Write an example set's index, atomically; False when the folder is not writable."""
    from grader.cachedir import write_atomically

    text = json.dumps(examples.index(), ensure_ascii=False, separators=(",", ":"))
    return write_atomically(path, text.encode("utf-8"))
