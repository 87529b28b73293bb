"""Scoring one free-text answer against a rubric: provisional points, confidence, feedback.

Points. Each concept found (a plain, non-negated match of any of its expressions) earns its
points; concepts of a group earn at most the group's `max` together; the total is capped at the
rubric's `points`; each misconception found costs its `penalty`; the result is floored at 0. When
every misconception comes in a sentence after every concept (a right point, then a wrong one: "1)
no vanishing gradient. 2) the outputs are zero-centred."), the right points keep what they
earned, up to a quarter of the part (`MISCONCEPTION_SHARE`): a wrong point added later does not
wipe out a right one, and an answer with a misconception never earns more than a quarter this way.
A keyword list (see below) then keeps the rubric's `keyword_list_share` of it (1 by default).

Confidence (0..1) says how far the provisional score can be trusted without a person::

    confidence = 1
      - 0.15 x concepts/misconceptions found only through a typo-tolerant (fuzzy) match
      - 0.15 x concepts mentioned only in a negated sentence ("does not reduce overfitting")
      - 0.10 x misconceptions mentioned only in a negated sentence
      - 0.25 x conflicts: the same idea stated and negated, or a misconception found together
                with the concept it contradicts
      - 0.10 x misconceptions found
    then capped at
      0.40 for a very short answer (fewer than `min_words` content words), whatever it matched:
           one rule for every part, so "dropout" and "a regularization" both reach a person
      0.40 for a keyword list (3+ short items and almost no function words: no sentences to read),
           short or not
      0.40 when a concept and a misconception are found in the same clause
      0.40 when most of the words that matched belong to misconceptions while a concept matched too
      0.50 for a very long answer (more than `max_words` content words): the more words, the more
           expressions match by accident, so a person checks
      0.50 for a substantial answer (15 content words or more) in which nothing was recognised,
           or a long one (40 or more) that earned at most a third of the points
      0.00 for an answer in neither English nor French, or with no words at all

Status. An answer that repeats the question (its meaningful words all come from the question, or
it is mostly a copy of it and what it adds names no expected idea) is `incorrect` (0 points,
confident); the copied words of an answer count neither way. An empty answer (only
punctuation) is `invalid`. Otherwise, when the rubric says `always_review` or the confidence is
below `review_threshold`, the status is `needs_review` and the provisional score is kept; else
`correct` (full points), `partial` or `incorrect` (0). An answer the rubric is unsure of (below
the threshold before the examples' opinion, which changes no score) and in which a misconception
that costs points was recognised is proposed at no more than a quarter of the part
(`MISCONCEPTION_SHARE`): a false accept is the costlier error, and the reviewer raises it when the
rest deserves more. A misconception the author made free (penalty 0) only tells the student.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from grader.limits import LIMITS
from grader.rubric.examples import DISAGREEMENT
from grader.rubric.match import Matcher, Occurrence, vocabulary
from grader.rubric.model import Expression, Rubric
from grader.rubric.text import LANGUAGE_NAMES, Document, Role, Token, language_profile, prepare, word_set

MAX_TEXT_CHARS = LIMITS.max_length
MAX_LIST_ITEMS = 100
COPY_BLOCK = 3  # consecutive words shared with the question that count as copied
COPY_SHARE = 0.7  # share of the answer's words copied from the question: a copied prompt
KEYWORD_LIST_MIN = 8
KEYWORD_ITEMS_MIN = 3  # items separated by commas, semicolons or lines
KEYWORD_ITEM_WORDS = 4  # words in an item at most
NOTHING_FOUND_WORDS = 15
LITTLE_FOUND_WORDS = 40
LITTLE_FOUND_SHARE = 1 / 3
KEYWORD_LIST_FUNCTION_SHARE = 0.08

PENALTY_FUZZY = 0.15
PENALTY_NEGATED_CONCEPT = 0.15
PENALTY_NEGATED_MISCONCEPTION = 0.10
PENALTY_CONFLICT = 0.25
PENALTY_MISCONCEPTION = 0.10
CAP_VERY_LONG = 0.50
CAP_VERY_SHORT = 0.40
CAP_KEYWORD_LIST = 0.40
CAP_NOTHING_FOUND = 0.50
CAP_OVERLAP = 0.40
CAP_MOSTLY_MISCONCEPTIONS = 0.40
CAP_EXAMPLES_DISAGREE = 0.30
MISCONCEPTION_SHARE = 0.25  # of the part, at most, for an answer to review that states a misconception


class AnswerProblem(ValueError):
    """The answer cannot be read as text; the message is for the student."""


def answer_text(raw: Any) -> str:
    """The answer as one text: a string, or a list of strings joined line by line."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, dict):
        what = "a mapping (key: value pairs)" if isinstance(raw, dict) else repr(raw)
        raise AnswerProblem(f"expected your explanation as text, got {what}")
    if isinstance(raw, (int, float)):
        return str(raw)
    if isinstance(raw, (list, tuple)):
        if len(raw) > MAX_LIST_ITEMS:
            raise AnswerProblem(f"your answer is a list of {len(raw)} items; write at most {MAX_LIST_ITEMS} lines")
        if not all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in raw):
            raise AnswerProblem("a list answer must be a list of sentences (text)")
        text = "\n".join(str(item) for item in raw)
    elif isinstance(raw, str):
        text = raw
    else:
        raise AnswerProblem(f"expected your explanation as text, got {type(raw).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise AnswerProblem(
            f"your answer is {len(text)} characters long; the limit for an explanation is "
            f"{MAX_TEXT_CHARS}: keep the key ideas"
        )
    if text.strip() and not any(ch.isalnum() for ch in text):
        raise AnswerProblem("your answer has no words, only punctuation or symbols; write your explanation in sentences")
    return text


@dataclass(frozen=True)
class ConceptResult:
    """How one concept or misconception fared in an answer."""

    id: str
    kind: str  # "concept" or "misconception"
    found: bool
    points: float  # awarded (concept) or deducted (misconception), after group caps
    text: str  # label (concept) or feedback (misconception)
    hint: str = ""
    quote: str = ""
    fuzzy: bool = False
    negated_quote: str = ""  # a negated mention, when there was one
    conflict: bool = False
    group_full: bool = False  # not found, but its group already earned all it can
    group: str | None = None
    short_of: bool = False  # found, but without the concepts it requires, so worth less


@dataclass(frozen=True)
class RubricResult:
    """The provisional score of one answer, its confidence, status and explanations."""

    points: float
    max_points: float
    confidence: float
    status: str  # correct, partial, incorrect, needs_review, invalid or missing
    concepts: tuple[ConceptResult, ...] = ()
    misconceptions: tuple[ConceptResult, ...] = ()
    flags: tuple[str, ...] = ()  # very_short, very_long, keyword_list, copied_prompt, off_language, no_words,
    # examples_disagree, ...
    reasons: tuple[str, ...] = ()  # why the answer goes to review, in words
    feedback: tuple[str, ...] = ()
    language: str = "unknown"
    words: int = 0
    threshold: float = 0.6

    @property
    def fraction(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def found(self) -> tuple[ConceptResult, ...]:
        return tuple(c for c in self.concepts if c.found)

    @property
    def missing(self) -> tuple[ConceptResult, ...]:
        return tuple(c for c in self.concepts if not c.found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "points": self.points, "max_points": self.max_points, "confidence": self.confidence,
            "status": self.status, "language": self.language, "words": self.words,
            "found": [{"id": c.id, "points": c.points, "quote": c.quote, "fuzzy": c.fuzzy} for c in self.found],
            "missing": [c.id for c in self.missing],
            "misconceptions": [{"id": m.id, "penalty": m.points, "quote": m.quote} for m in self.misconceptions
                               if m.found],
            "flags": list(self.flags), "reasons": list(self.reasons), "feedback": list(self.feedback),
        }


@dataclass
class _Mentions:
    plain: list[Occurrence] = field(default_factory=list)
    negated: list[Occurrence] = field(default_factory=list)
    conflict: bool = False

    @property
    def best(self) -> Occurrence | None:
        clean = [o for o in self.plain if not o.fuzzy]
        candidates = clean or self.plain
        return candidates[0] if candidates else None


def score_answer(rubric: Rubric, raw: Any, prompt: str = "") -> RubricResult:
    """Score a raw answer (text or list of lines): never raises for bad input, says why instead."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == [] or raw == {}:
        return RubricResult(0.0, rubric.points, 1.0, "missing", feedback=("No answer given.",),
                            threshold=rubric.spec.review_threshold)
    try:
        text = answer_text(raw)
    except AnswerProblem as err:
        return RubricResult(0.0, rubric.points, 1.0, "invalid", feedback=(f"Your answer: {err}.",),
                            threshold=rubric.spec.review_threshold)
    return score_text(rubric, text, prompt)


def score_text(rubric: Rubric, text: str, prompt: str = "") -> RubricResult:
    """Score an answer already known to be text within the length limit."""
    spec = rubric.spec
    doc = prepare(text)
    content_words = sum(1 for t in doc.tokens if t.role is Role.CONTENT and any(c.isalpha() for c in t.text))
    language = _language(doc)
    flags: list[str] = []
    reasons: list[str] = []
    cap = 1.0

    other_language = _off_language(doc)
    if other_language is not None:
        flags.append("off_language")
        reasons.append(f"the answer does not look like English or French (it looks like {other_language})")
        cap = 0.0
    elif not doc.words:
        flags.append("no_words")
        reasons.append("the answer has no words (only numbers or symbols)")
        cap = 0.0

    question = prompt or spec.prompt
    copied = bool(question) and _mask_copied(doc, _prepared_question(question))
    # The copied words count neither way; an answer that is mostly the question said back is
    # graded on what it adds ("The advantages of ReLU over sigmoid are that ReLU is faster"), and
    # is a copy when what it adds names no expected idea.
    said_back = copied and all(t.masked for t in doc.tokens if t.role is not Role.STOP)
    matcher = Matcher(doc, vocabulary(rubric))
    concept_mentions = {} if said_back else {c.id: _mentions(matcher, c.expressions) for c in rubric.concepts}
    if said_back or (copied and not any(concept_mentions.values())):
        return RubricResult(
            0.0, spec.points, 1.0, "incorrect", flags=("copied_prompt",),
            feedback=("Your answer repeats the question; explain the idea in your own words.",),
            language=language, words=content_words, threshold=spec.review_threshold,
        )
    mistake_mentions = {m.id: _mentions(matcher, m.expressions, stated_only=True) for m in rubric.misconceptions}
    _give_shared_words_to_misconceptions(rubric, concept_mentions, mistake_mentions)
    # After the words of a misconception are taken from the concept it contradicts: what is left
    # of a concept beside a misconception is a real clash, for a person to settle.
    concept_words = _matched_tokens(concept_mentions.values())
    mistake_words = _matched_tokens(mistake_mentions.values())
    overlap = _clause_overlap(doc, concept_mentions.values(), mistake_mentions.values())
    concepts = _score_concepts(rubric, concept_mentions, doc)
    mistakes = _score_misconceptions(rubric, mistake_mentions, concepts, doc)

    earned = min(spec.points, sum(c.points for c in concepts))
    penalty = sum(m.points for m in mistakes if m.found)
    points = round(max(0.0, earned - penalty), 4)
    kept = _kept_apart(doc, concepts, concept_mentions, mistake_mentions) if penalty else 0.0
    if kept:
        points = max(points, round(min(kept, MISCONCEPTION_SHARE * spec.points), 4))
    caps = [m.cap for m, r in zip(rubric.misconceptions, mistakes, strict=True) if r.found and m.cap is not None]
    if caps:
        points = min(points, round(min(caps) * spec.points, 4))

    confidence = 1.0
    fuzzy = sum(1 for c in (*concepts, *mistakes) if c.found and c.fuzzy)
    negated_concepts = sum(1 for c in concepts if not c.found and c.negated_quote)
    negated_mistakes = sum(1 for m in mistakes if not m.found and m.negated_quote)
    conflicts = sum(1 for c in (*concepts, *mistakes) if c.conflict)
    found_mistakes = sum(1 for m in mistakes if m.found)
    confidence -= PENALTY_FUZZY * fuzzy + PENALTY_NEGATED_CONCEPT * negated_concepts
    confidence -= PENALTY_NEGATED_MISCONCEPTION * negated_mistakes + PENALTY_CONFLICT * conflicts
    confidence -= PENALTY_MISCONCEPTION * found_mistakes
    if fuzzy:
        reasons.append("some ideas were recognised only despite a spelling difference")
    if negated_concepts:
        reasons.append("a sentence that reads as a negation was not counted")
    if conflicts:
        reasons.append("the answer states an idea and its opposite")
    if found_mistakes:  # each takes some confidence: never a review without its reason
        reasons.append("a misconception was recognised" if found_mistakes == 1
                       else f"{found_mistakes} misconceptions were recognised")
    if negated_mistakes:
        reasons.append("a misconception was recognised in a sentence that reads as a negation, and not counted")
    if content_words > spec.max_words:
        flags.append("very_long")
        reasons.append(f"the answer is very long ({content_words} words; {spec.max_words} expected at most)")
        cap = min(cap, CAP_VERY_LONG)
    anything = any(c.found for c in concepts) or found_mistakes > 0
    if content_words < spec.min_words and "no_words" not in flags:
        flags.append("very_short")
        reasons.append(f"the answer is very short ({content_words} words)")
        cap = min(cap, CAP_VERY_SHORT)
    if not other_language and _is_keyword_list(doc):
        flags.append("keyword_list")
        cap = min(cap, CAP_KEYWORD_LIST)
        if spec.keyword_list_share < 1 and points > 0:
            points = round(points * spec.keyword_list_share, 4)
            reasons.append(f"the answer is a list of keywords rather than sentences, so it keeps "
                           f"{spec.keyword_list_share:.0%} of the points its ideas would earn")
        else:
            reasons.append("the answer is a list of keywords rather than sentences")
    if overlap and found_mistakes:
        flags.append("concept_and_misconception")
        reasons.append("one clause matches both an expected idea and a misconception")
        cap = min(cap, CAP_OVERLAP)
    if found_mistakes and concept_words and len(mistake_words) * 2 > len(mistake_words | concept_words):
        flags.append("mostly_misconceptions")
        reasons.append("most of the words recognised state misconceptions")
        cap = min(cap, CAP_MOSTLY_MISCONCEPTIONS)
    if "very_long" not in flags:
        if not anything and content_words >= NOTHING_FOUND_WORDS:
            reasons.append("a substantial answer in which none of the expected ideas was recognised")
            cap = min(cap, CAP_NOTHING_FOUND)
        elif content_words >= LITTLE_FOUND_WORDS and points <= LITTLE_FOUND_SHARE * spec.points + 1e-9:
            flags.append("long_little_found")
            reasons.append(f"a long answer ({content_words} words) in which little of what is expected was recognised")
            cap = min(cap, CAP_NOTHING_FOUND)
    confidence = round(max(0.0, min(cap, confidence)), 2)
    # The examples send an answer to review but change no score: whether a misconception caps the
    # provisional score is decided on the rubric's own confidence.
    unsure = spec.always_review or confidence < spec.review_threshold
    if rubric.examples is not None and other_language is None and "very_long" not in flags:
        opinion = rubric.examples.opinion(text, question)
        if opinion is not None and abs(opinion.fraction - points / spec.points) > DISAGREEMENT + 1e-9:
            flags.append("examples_disagree")
            reasons.append(
                f"graded example answers worded like this one were scored about "
                f"{_half_steps(opinion.fraction * spec.points):g}/{spec.points:g}, and the rubric gives {points:g}"
            )
            confidence = min(confidence, CAP_EXAMPLES_DISAGREE)

    if spec.always_review:
        reasons.insert(0, "this part is always reviewed by a person")
    review = unsure or confidence < spec.review_threshold  # the examples may only add to review
    costly_mistakes = sum(1 for m in mistakes if m.found and m.points > 0)
    if unsure and costly_mistakes and points > MISCONCEPTION_SHARE * spec.points + 1e-9:
        points = round(MISCONCEPTION_SHARE * spec.points, 4)
        reasons.append(f"because of the misconception, the provisional score is at most a quarter of the "
                       f"part ({points:g}) until a person decides")
    if review:
        status = "needs_review"
    elif points >= spec.points - 1e-9:
        status = "correct"
    elif points <= 1e-9:
        status = "incorrect"
    else:
        status = "partial"
    result = RubricResult(
        points, spec.points, confidence, status, tuple(concepts), tuple(mistakes), tuple(flags),
        tuple(reasons) if review else (), (), language, content_words, spec.review_threshold,
    )
    return _with_feedback(result)


# ----------------------------------------------------------------------------------------------


def _mentions(matcher: Matcher, expressions: tuple[Expression, ...], stated_only: bool = False) -> _Mentions:
    """Where the expressions matched, plain and negated. With `stated_only` (a misconception's), a
    match that the answer sets aside ("instead of X") counts as negated."""
    mentions = _Mentions()
    for expression in expressions:
        found = [replace(o, negated=True) if stated_only and o.set_aside else o for o in matcher.find(expression)]
        plain = [o for o in found if not o.negated]
        negated = [o for o in found if o.negated]
        mentions.plain += plain
        mentions.negated += negated
        if plain and negated:
            mentions.conflict = True
    # The clearest evidence first: exact before fuzzy, then the tightest span (the best quote).
    mentions.plain.sort(key=lambda o: (o.fuzzy, o.last - o.first, o.first))
    return mentions


def _kept_apart(doc: Document, concepts: list[ConceptResult], concept_mentions: dict[str, _Mentions],
                mistake_mentions: dict[str, _Mentions]) -> float:
    """The points of the concepts found when every misconception comes in a sentence after every
    concept (0 otherwise): right points stated before the wrong ones."""
    def sentences(mentions: Any) -> set[int]:
        return {doc.tokens[i].sentence for m in mentions for o in m.plain for i in range(o.first, o.last + 1)}
    wrong = sentences(mistake_mentions.values())
    right = sentences(concept_mentions.values())
    if not wrong or not right or min(wrong) <= max(right):
        return 0.0
    return sum(c.points for c in concepts if c.found)


def _matched_tokens(mentions: Any) -> set[int]:
    """The answer's tokens covered by plain (non-negated) matches."""
    return {i for m in mentions for o in m.plain for i in range(o.first, o.last + 1)}


def _clause_overlap(doc: Document, concepts: Any, mistakes: Any) -> bool:
    """Whether a misconception and a concept both match within one clause."""
    def clauses(mentions: Any) -> set[int]:
        return {doc.tokens[i].clause for m in mentions for o in m.plain for i in (o.first, o.last)}
    return bool(clauses(concepts) & clauses(mistakes))


def _give_shared_words_to_misconceptions(
    rubric: Rubric, concepts: dict[str, _Mentions], mistakes: dict[str, _Mentions]
) -> None:
    """Words that state a misconception do not also earn the concept it contradicts.

    "Dropout is applied at test time" matches both the misconception and, loosely, the concept
    about test time; the same words cannot be both, so the concept's matches that overlap the
    misconception's are dropped (a separate, right statement of the concept still counts).
    """
    for mistake in rubric.misconceptions:
        wrong = mistakes[mistake.id].plain
        if mistake.contradicts is None or not wrong or mistake.contradicts not in concepts:
            continue
        mention = concepts[mistake.contradicts]
        mention.plain = [o for o in mention.plain if not any(_overlap(o, w) for w in wrong)]


def _overlap(a: Occurrence, b: Occurrence) -> bool:
    return a.first <= b.last and b.first <= a.last


def _score_concepts(rubric: Rubric, mentions: dict[str, _Mentions], doc: Document) -> list[ConceptResult]:
    used: dict[str | None, float] = {}
    results = []
    matched = {c.id for c in rubric.concepts if mentions[c.id].best is not None}
    for concept in rubric.concepts:
        m = mentions[concept.id]
        best = m.best
        points = 0.0
        short_of = best is not None and not all(matched.intersection(item) for item in concept.requires)
        if best is not None:
            points = concept.points * concept.alone if short_of else concept.points
            cap = rubric.group_max(concept.group)
            if cap is not None:
                points = max(0.0, min(points, cap - used.get(concept.group, 0.0)))
                used[concept.group] = used.get(concept.group, 0.0) + points
        results.append(ConceptResult(
            concept.id, "concept", best is not None, points, concept.label, concept.hint,
            quote=doc.quote(best.start, best.end) if best else "",
            fuzzy=bool(best and best.fuzzy),
            negated_quote=_negated_quote(m, doc),
            conflict=m.conflict,
            group=concept.group,
            short_of=short_of,
        ))
    full_groups = {g for g, total in used.items() if total >= (rubric.group_max(g) or 0) - 1e-9}
    return [replace(r, group_full=True) if not r.found and c.group in full_groups else r
            for r, c in zip(results, rubric.concepts, strict=False)]


def _score_misconceptions(
    rubric: Rubric, mentions: dict[str, _Mentions], concepts: list[ConceptResult], doc: Document
) -> list[ConceptResult]:
    found_concepts = {c.id for c in concepts if c.found}
    results = []
    for mistake in rubric.misconceptions:
        m = mentions[mistake.id]
        best = m.best
        conflict = m.conflict or (best is not None and mistake.contradicts in found_concepts)
        results.append(ConceptResult(
            mistake.id, "misconception", best is not None, mistake.penalty if best else 0.0, mistake.feedback,
            quote=doc.quote(best.start, best.end) if best else "",
            fuzzy=bool(best and best.fuzzy), negated_quote=_negated_quote(m, doc), conflict=conflict,
        ))
    return results


def _negated_quote(m: _Mentions, doc: Document) -> str:
    if not m.negated:
        return ""
    occurrence = m.negated[0]
    # Quote from the negation word when it comes just before the match.
    start = occurrence.start
    tokens = doc.tokens
    for j in range(occurrence.first - 1, max(occurrence.first - 5, -1), -1):
        if tokens[j].clause != tokens[occurrence.first].clause:
            break
        if tokens[j].role is Role.NEGATION:
            start = tokens[j].start
            break
    return doc.quote(start, occurrence.end)


def _with_feedback(result: RubricResult) -> RubricResult:
    lines: list[str] = []
    if result.status == "needs_review":
        below = f", below the threshold {result.threshold:.2f}" if result.confidence < result.threshold else ""
        lines.append(
            f"Needs review: provisional score {result.points:g}/{result.max_points:g} (confidence "
            f"{result.confidence:.2f}{below}); a person will confirm it: " + "; ".join(result.reasons) + "."
        )
    for c in result.concepts:
        if c.found:
            how = " (allowing for spelling)" if c.fuzzy else ""
            alone = "; it counts in full only together with another expected idea" if c.short_of else ""
            lines.append(f'Found{how}: {c.text} ("{c.quote}"){alone}')
    full = result.points >= result.max_points - 1e-9
    hinted_groups: set[str] = set()  # any concept of a group earns it: one hint per group
    for c in result.concepts:
        if c.found or (full and not c.negated_quote):
            continue
        if c.negated_quote:
            lines.append(f'Missing: {c.hint} (your sentence "{c.negated_quote}" reads as a negation, '
                         "so it was not counted)")
        elif not c.group_full and (c.group is None or c.group not in hinted_groups):
            lines.append(f"Missing: {c.hint}")
        if c.group is not None:
            hinted_groups.add(c.group)
    for m in result.misconceptions:
        if m.found:
            cost = f", -{m.points:g} point{'s' if m.points != 1 else ''}" if m.points else ""
            lines.append(f'Misconception: {m.text} ("{m.quote}"{cost})')
    if not result.found:
        lines.insert(1 if result.status == "needs_review" else 0,
                     "None of the expected ideas was recognised in your answer.")
    if "very_short" in result.flags and not result.found:
        lines.append(f"Your answer is very short ({result.words} words); explain the ideas in a few sentences.")
    return RubricResult(
        result.points, result.max_points, result.confidence, result.status, result.concepts,
        result.misconceptions, result.flags, result.reasons, tuple(lines), result.language, result.words,
        result.threshold,
    )


def _half_steps(points: float) -> float:
    """Points rounded to the nearest half point, as a grade is written."""
    return math.floor(points * 2 + 0.5) / 2


def _language(doc: Document) -> str:
    counts = language_profile(doc)
    if counts["en"] == counts["fr"] == 0:
        return "unknown"
    if counts["en"] and counts["fr"] and min(counts["en"], counts["fr"]) * 3 >= max(counts["en"], counts["fr"]):
        return "mixed"
    return "en" if counts["en"] > counts["fr"] else "fr"


def _off_language(doc: Document) -> str | None:
    """The name of another language when the answer reads as one, else None."""
    words = len(doc.words) + doc.foreign_words
    if words < 5:
        return None
    if doc.foreign_words >= 3 and doc.foreign_words * 2 >= words:
        return "another script"
    counts = language_profile(doc)
    own = max(counts["en"], counts["fr"])
    lang, other = max(((k, v) for k, v in counts.items() if k not in ("en", "fr")), key=lambda kv: kv[1])
    if other >= 2 and other > own:
        return LANGUAGE_NAMES[lang]
    return None


def _is_keyword_list(doc: Document) -> bool:
    """Many words with no function words, or several short items separated by commas or lines.

    In an item, a single letter is a variable ("same H x W", "x + F(x)") unless an apostrophe
    follows it (French "d'", "l'"), and a negation is part of the term ("no saturation", "pas de
    backprop"); neither makes the item a sentence. The words that join a noun to its complement
    ("décalage de la moyenne", "random zeroing of neurons") may come once an item on average; any other
    function word ("is", "it", "on") more than once makes the answer prose. A slash separates
    items only with a space beside it: "x³/3" and "dout/dx" are formulas.
    """
    words = doc.words
    if not words:
        return False
    function = sum(1 for t in words if t.role is not Role.CONTENT)
    if len(words) >= KEYWORD_LIST_MIN and function / len(words) < KEYWORD_LIST_FUNCTION_SHARE:
        return True
    ends = [m.end() for m in _ITEM_SEPARATOR.finditer(doc.folded)]  # where each item but the first starts
    by_item: dict[int, list[Token]] = {}
    for t in words:
        if not _is_variable(doc, t):
            by_item.setdefault(bisect_right(ends, t.fstart), []).append(t)
    items = list(by_item.values())
    if len(items) < KEYWORD_ITEMS_MIN or any(len(item) > KEYWORD_ITEM_WORDS for item in items):
        return False
    stops = [t.text for item in items for t in item if t.role is Role.STOP]
    joining = sum(1 for w in stops if w in _JOINING_WORDS)
    return len(stops) - joining <= 1 and joining <= len(items)


_ITEM_SEPARATOR = re.compile(r"[,;\n]|\s/|/\s")


def _is_variable(doc: Document, token: Token) -> bool:
    """A single letter that names a quantity, not an elided French word."""
    return len(token.text) == 1 and doc.folded[token.fend:token.fend + 1] != "'"  # "’" is folded to "'"


# Articles and prepositions inside a noun phrase: a list item may hold one and stay a term.
_JOINING_WORDS = word_set("""
the a an of in for on to with per
le la les l un une des du de d au aux en par pour sur avec
""")


@lru_cache(maxsize=64)
def _prepared_question(question: str) -> Document:
    """A question, prepared once: every answer to it is compared with it, and it is only read."""
    return prepare(question)


# Letters that name a variable rather than stand for an elided word ("l'", "d'") or an article:
# a formula between copied words breaks the copy ("tanh(x) ≈ x, and the output is small" does not
# say back "tanh and its outputs for small inputs").
_VARIABLES = frozenset("xzwhfgkpbuv")


def _mask_copied(doc: Document, question: Document) -> bool:
    """Mark the answer's words copied from the question; True when the answer is mostly a copy."""
    answer_idx = [i for i, t in enumerate(doc.tokens) if t.role is not Role.STOP or t.text in _VARIABLES]
    answer_words = [doc.tokens[i].norm for i in answer_idx]
    question_words = [t.norm for t in question.tokens if t.role is not Role.STOP or t.text in _VARIABLES]
    if not answer_words or not question_words:
        return False
    every_word = {t.norm for t in doc.tokens}
    if (every_word <= {t.norm for t in question.tokens} and not re.search(r"[=≈~<>+*^]", doc.folded)
            and any(any(c.isalpha() for c in w) for w in answer_words)):
        for i in answer_idx:
            doc.tokens[i].masked = True
        return True  # every meaningful word comes from the question: "dropout", "ResNet features"
    blocks = SequenceMatcher(None, answer_words, question_words, autojunk=False).get_matching_blocks()
    copied = 0
    for block in blocks:
        if block.size >= COPY_BLOCK or (block.size == len(answer_words) and block.size >= 2):
            copied += block.size
            for k in range(block.a, block.a + block.size):
                doc.tokens[answer_idx[k]].masked = True
    return len(answer_words) >= 2 and copied / len(answer_words) >= COPY_SHARE
