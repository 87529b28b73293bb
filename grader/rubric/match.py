"""Finding a rubric's expressions in a prepared answer, with typo tolerance and negation.

A phrase matches when each of its slots is found among the answer's meaningful words (content
words and negation words; function words are skipped) within a window, in one sentence (or one
clause). A word matches exactly after folding, by stem, or *fuzzily*: a typo-level difference
(difflib ratio >= 0.88 for words of six letters or more; one edit, two from nine letters, for
stems of six letters or more, in a word at least as long as the stem), which the confidence takes
into account. A phrase with `unless` words does not match where one of them stands in a clause
the match spans.

A match is *negated* when a negation word (not, no, never, without, n't, ne, pas, sans, ...)
stands within four words before it in the same clause (not across and/et, or/ou, which/qui, ...), between its words, or (French "pas",
"jamais") right after it, or when a negated remedy verb follows it ("batch normalization does
not help", "la normalisation n'aide pas", "skip connections play no role"), unless the phrase
itself contains a negation word. A later clause of the same sentence that denies what came before
("..., but they play no role", "..., mais cela ne sert à rien") or calls it false ("..., but that's
wrong", "..., mais c'est faux") negates the clauses before it; one that opens the next sentence
("... But this plays no role.") negates the sentence before it.

Words also match by Snowball stem in the language of their clause, and numbers match whole: a
stem never cuts a number, and no number matches another fuzzily. An expression with a `lang`
is looked for only in clauses of that language (or of none clearly).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise
from typing import TYPE_CHECKING

from grader.rubric.model import (
    DEFAULT_SLACK,
    Alternative,
    Expression,
    Formula,
    Pattern,
    Phrase,
    Sizes,
    Slot,
    WordPattern,
)
from grader.rubric.prefilter import searchable
from grader.rubric.text import CLAUSE_WORDS, Document, Role, Token, is_number, word_set

if TYPE_CHECKING:
    from grader.rubric.formula import Equation
    from grader.rubric.model import Rubric

FUZZY_RATIO = 0.88
FUZZY_MIN_WORD = 6
FUZZY_MIN_STEM = 6
# Prefixes of opposite meaning, one typo apart: a misspelling never turns one into the other
# ("sousapprentissage", underfitting, is not a typo for "surapprentissage", overfitting).
OPPOSITE_PREFIXES = (("sous", "sur"), ("sub", "super"), ("sub", "sur"), ("hypo", "hyper"))
MIN_STEM = 4  # shorter stems ("use", which is also the stem of "useful") match only as written
NEGATION_LOOKBACK = 4
# A negation does not reach back across these: "ne sature pas et elle est peu coûteuse".
NEGATION_BARRIERS = word_set("and et or ou so donc because car since puisque which qui then puis alors"
                             " pcq psk pck coz cuz bc")  # "because" as typed in a hurry
_POSTVERBAL = frozenset({"pas", "jamais"})
NEGATED_REASONS = word_set("because since car puisque pcq psk pck coz cuz bc")
# "batch normalization does not help": a negated remedy verb right after a match negates it.
REMEDY_STEMS = ("help", "work", "fix", "solv", "resolv", "address", "prevent", "avoid", "improv", "aid", "march",
                "fonctionn", "resou", "regl", "corrig", "remedi", "amelior", "evit", "empech", "util", "use")
# Words that deny a part in something: "plays no role", "has no effect", "ne sert à rien"; or that
# deny it is a concern at all: "..., but it isn't really a problem", "mais ce n'est pas grave".
DENIAL_STEMS = ("role", "effect", "impact", "matter", "contribut", "influen", "relevan", "importan",
                "effet", "sert", "servent", "rien", "joue",
                "problem", "issue", "concern", "myth", "exist", "souci", "grave")
# Words of a loss: denied, they say that something is kept ("without vanishing", "sans s'éteindre").
LOSS_STEMS = ("vanish", "die", "dying", "fade", "fading", "disappear", "shrink", "decay", "los", "eteind", "eteign",
              "disparai", "attenu", "meur", "mour", "perd", "pert", "rapetiss", "retreci")
# Words that deny a use with no negation, in a later clause that refers back: "..., but they are
# useless", "mais ils sont inutiles" (not right after a match: "it is stuck and useless" is a dead unit).
DISMISSAL_STEMS = ("useless", "pointless", "unnecess", "unneed", "irrelevan", "overrat", "inutil", "superflu",
                   "surfait", "surestim")
REMEDY_LOOKAHEAD = 4
HOW_MUCH = word_set("much lot anything beaucoup grand chose")  # "it doesn't help much", "ça n'aide pas beaucoup"
# Words that call what came before false: "Some say X, but that's wrong", "mais c'est faux".
REFUTATION_STEMS = ("wrong", "false", "untrue", "incorrect", "faux", "fausse", "erron", "myth")
# A denying clause refers back to what came before through one of these.
BACK_REFERENCES = word_set("they it this that these those ils elles il elle cela ca ce c ceci celles ceux")
# Words that, negated, call something false: "but that's not true", "ce n'est pas vrai".
TRUTH_WORDS = word_set("true vrai vraie correct correcte exact exacte juste right case cas")  # not "exactly"
# A short clause that only calls what came before false needs no contrastive word: "..., which is
# false", "..., ce qui est faux", "..., c'est faux", "This is not true." It holds nothing but the
# reference, the verdict and these words; "this is not true for ReLU" says something else.
RELATIVES = word_set("which what qui")
# Words of "in fact", "actually", "en réalité" that a bare denial may hold: "but in fact it doesn't".
IN_FACT = word_set("fact actually reality practice truth fait realite effet pratique verite")
INTENSIFIERS = word_set("""
really completely totally entirely simply absolutely quite all just plain clearly definitely obviously
vraiment completement totalement entierement simplement absolument tout carrement evidemment bien
""")
# Words that wave a claim away with no negation, in a clause that is nothing else: "..., which is
# fine", "ce qui est sans importance" is read through its negation instead.
WAIVING_STEMS = (*DISMISSAL_STEMS, "fine", "harmless", "okay", "inoffensi", "anodin")
WAVED_NEGATED_STEMS = (*DENIAL_STEMS, "chang")  # "which does not matter", "ce qui ne change rien"
# A sentence that only rejects the one before: "Not really.", "Pas du tout.", "I disagree.",
# "I don't think so." (a verb of agreeing or thinking rejects only when negated).
AGREEING = word_set("agree accord think believe pense crois")
REJOINDER_WORDS = INTENSIFIERS | AGREEING | word_set("disagree suis")
# "It is not true that X", "c'est faux de dire que X", "on pense à tort que X": what follows
# "that"/"que" is refuted, to the end of its clause. Between the verdict and "that" may stand only
# function words and verbs of saying or thinking.
FRAME_WORDS = word_set("that que qu")
FRAME_VERDICT_STEMS = (*REFUTATION_STEMS, "tort")
SAYING_STEMS = ("say", "said", "think", "thought", "believ", "claim", "assum", "dire", "dit", "pens", "croi",
                "affirm", "suppos", "imagin")
FRAME_LOOKBACK = 4
# Words that set what follows aside, by their last word and the words right before it. What
# "instead of" or "au lieu de" sets aside ends at a word that starts another claim; what "unlike"
# or "contrairement à" sets aside is the other side of a comparison, relative clauses included, to
# the clause's end ("contrairement à un réseau qui finit par des couches denses et sort une classe, ...").
SUBSTITUTIONS: dict[str, set[tuple[str, ...]]] = {
    "of": {("instead",)}, "than": {("rather",)}, "de": {("au", "lieu"), ("plutot",)}, "d": {("au", "lieu"), ("plutot",)},
    "que": {("plutot",)}, "qu": {("plutot",)},
}
COMPARISONS: dict[str, set[tuple[str, ...]]] = {
    "unlike": {()}, "a": {("contrairement",)}, "au": {("contrairement",)}, "aux": {("contrairement",)},
    "to": {("as", "opposed"), ("contrary",)}, "de": {("la", "difference"), ("au", "contraire")},
    "d": {("la", "difference"), ("au", "contraire")}, "du": {("la", "difference"), ("au", "contraire")},
    "des": {("la", "difference"), ("au", "contraire")},
}  # not "compared with", "comparé à": also a verb ("la sortie, qu'on compare à des étiquettes")
COMPARISON_BARRIERS = word_set("so donc because car since puisque then puis alors")
# "and" ends the other side of a comparison ("unlike sigmoid and its gradient is never zero"), but
# not inside a relative clause that describes it ("un réseau qui finit par des couches denses et sort ...").
RELATIVE_WORDS = word_set("which that who whose qui que qu dont")
RELATIVE_OPENERS = word_set("which who whose qui dont")  # after a comma: "unlike X, which ..."
# A subject right after the compared noun starts the sentence's own claim, with no comma: "unlike
# the sigmoid it never saturates", "contrairement à la sigmoïde elle ne sature pas".
NEW_SUBJECTS = {"en": word_set("it they"), "fr": word_set("il elle ils elles on")}
NEW_SUBJECTS[""] = NEW_SUBJECTS["en"] | NEW_SUBJECTS["fr"] - {"on"}  # a sentence of no one language: not "on"


@dataclass(frozen=True)
class Occurrence:
    """Where an expression matched: token range, quoted span, and how reliable the match is."""

    first: int
    last: int
    start: int  # span in the original text
    end: int
    fuzzy: bool
    negated: bool
    set_aside: bool = False  # it starts in "instead of ...", "au lieu de ...": not claimed


MEMO_WORDS = 50_000  # answer words a vocabulary remembers the matches of, per kind; more are looked up each time
_NOWHERE: Mapping[int, bool] = {}


class Vocabulary:
    """Every word of a rubric's phrases, indexed so that one pass over an answer's words finds where
    each of them matches, instead of one search per rubric word; and per phrase, the first words
    of each slot's alternatives, so that a phrase one of whose slots has none of them in the answer
    is skipped unread. Matching is the same word by word as `Matcher.word_positions` without it
    (`tests/test_rubric_vocabulary.py` compares the two).

    What an answer's word matches depends on the word alone, so it is remembered (up to
    `MEMO_WORDS` words of each kind): most answers use words other answers used before."""

    def __init__(self, expressions: Iterable[Expression]):
        words: dict[WordPattern, None] = {}
        self.gates: dict[Phrase, tuple[tuple[frozenset[WordPattern], dict[WordPattern, tuple[int, ...]]], ...]] = {}
        for phrase in (e for e in expressions if isinstance(e, Phrase)):
            gate = []
            for slot in phrase.slots:
                starts: dict[WordPattern, list[int]] = {}
                for k, alternative in enumerate(slot):
                    if alternative:
                        starts.setdefault(alternative[0], []).append(k)
                gate.append((frozenset(starts), {w: tuple(ks) for w, ks in starts.items()}))
            self.gates[phrase] = tuple(gate)
            for slot in (*phrase.slots, phrase.unless):
                for alternative in slot:
                    words.update(dict.fromkeys(alternative))
        self.words = frozenset(words)
        self.negations = tuple(w for w in words if w.negation)
        self._exact: dict[str, list[WordPattern]] = {}
        self._stemmed: dict[tuple[str, str], list[WordPattern]] = {}
        self._typos: dict[tuple[str, int], list[WordPattern]] = {}  # (initial, length) -> words
        self._prefixes: dict[str, list[WordPattern]] = {}
        self._typo_prefixes: dict[str, list[WordPattern]] = {}  # initial -> stems
        for word in words:
            if word.negation:
                continue
            if word.prefix:
                self._prefixes.setdefault(word.text, []).append(word)
                if len(word.text) >= FUZZY_MIN_STEM:
                    self._typo_prefixes.setdefault(word.text[:1], []).append(word)
                continue
            self._exact.setdefault(word.text, []).append(word)
            for lang, stem in zip(("en", "fr", "fr"), word.stems, strict=True):
                if len(stem) >= MIN_STEM and stem.isalpha():
                    self._stemmed.setdefault((lang, stem), []).append(word)
            if len(word.text) >= FUZZY_MIN_WORD and not any(c.isdigit() for c in word.text):
                self._typos.setdefault((word.text[:1], len(word.text)), []).append(word)
        self._norm_memo: dict[str, tuple[tuple[WordPattern, ...], tuple[WordPattern, ...]]] = {}
        self._text_memo: dict[str, tuple[tuple[WordPattern, ...], tuple[WordPattern, ...]]] = {}
        self._stem_memo: dict[tuple[str, str], tuple[WordPattern, ...]] = {}

    def by_norm(self, norm: str) -> tuple[tuple[WordPattern, ...], tuple[WordPattern, ...]]:
        """The exact words an answer's (folded) word is, and those it is a typo of."""
        known = self._norm_memo.get(norm)
        if known is None:
            typos = [] if not norm else [
                word for length in range(len(norm) - 2, len(norm) + 3)
                for word in self._typos.get((norm[:1], length), ()) if word.text != norm and _similar(word.text, norm)]
            known = (tuple(self._exact.get(norm, ())), tuple(typos))
            if len(self._norm_memo) < MEMO_WORDS:
                self._norm_memo[norm] = known
        return known

    def by_stem(self, key: tuple[str, str]) -> tuple[WordPattern, ...]:
        """The exact words with this (language, stem)."""
        known = self._stem_memo.get(key)
        if known is None:
            known = tuple(self._stemmed.get(key, ()))
            if len(self._stem_memo) < MEMO_WORDS:
                self._stem_memo[key] = known
        return known

    def by_text(self, text: str) -> tuple[tuple[WordPattern, ...], tuple[WordPattern, ...]]:
        """The stems an answer's word (as written) begins with, and those it begins with a typo of."""
        known = self._text_memo.get(text)
        if known is None:
            number = is_number(text)
            exact = [word for k in range(1, len(text) + 1) for word in self._prefixes.get(text[:k], ())
                     if not ((number or any(c.isdigit() for c in word.text)) and text != word.text)]
            typos = [word for word in self._typo_prefixes.get(text[:1], ())
                     if not number and not any(c.isdigit() for c in word.text) and not text.startswith(word.text)
                     and _similar_stem(word.text, text)]
            known = (tuple(exact), tuple(typos))
            if len(self._text_memo) < MEMO_WORDS:
                self._text_memo[text] = known
        return known


_VOCABULARIES: dict[int, tuple[object, Vocabulary | None]] = {}


def vocabulary(rubric: Rubric) -> Vocabulary | None:
    """The vocabulary of a rubric's expressions, made once per tuple of concepts (which a copy of
    the rubric with other examples shares) and kept for the last few; None the first time a rubric
    asks (making one costs about what scoring a few answers does, so a rubric that scores one
    answer, as a student's check does, goes without). A vocabulary that lacks some words or
    phrases is still right: those are looked for one at a time."""
    owner = rubric.concepts
    kept = _VOCABULARIES.get(id(owner))
    if kept is not None and kept[0] is owner:
        if kept[1] is None:
            expressions = [*(e for c in rubric.concepts for e in c.expressions),
                           *(e for m in rubric.misconceptions for e in m.expressions)]
            kept = (owner, Vocabulary(expressions))
            _VOCABULARIES[id(owner)] = kept
        return kept[1]
    if len(_VOCABULARIES) >= 64:
        _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
    _VOCABULARIES[id(owner)] = (owner, None)
    return None


@dataclass(frozen=True)
class _Hit:
    start: int  # position in the sequence of meaningful words
    end: int
    fuzzy: bool


class Matcher:
    """Indexes one answer's words once, then finds any number of expressions in it."""

    def __init__(self, doc: Document, vocabulary: Vocabulary | None = None):
        self.doc = doc
        self._searchable: str | None = None  # the folded text as the prefilter reads it, made once
        self._equations: list[Equation] | None = None  # the answer's equations, cut out once when needed
        self.sig = [i for i, t in enumerate(doc.tokens) if t.role is not Role.STOP]
        self.by_norm: dict[str, list[int]] = {}
        self.by_text: dict[str, list[int]] = {}
        self.by_stem: dict[tuple[str, str], list[int]] = {}  # (language, stem) -> positions
        self.negations: list[int] = []
        for pos, index in enumerate(self.sig):
            token = doc.tokens[index]
            if token.masked:
                continue
            if token.role is Role.NEGATION:
                self.negations.append(pos)
            else:
                self.by_norm.setdefault(token.norm, []).append(pos)
                self.by_text.setdefault(token.text, []).append(pos)
                for lang, stem in zip(("en", "fr", "fr"), token.stems, strict=True):
                    if token.lang in ("", lang):
                        positions = self.by_stem.setdefault((lang, stem), [])
                        if not positions or positions[-1] != pos:
                            positions.append(pos)
        # The answer's words by first letter, for the prefix and typo searches: a word can only
        # begin with a stem, or be a typo of a word, that has its first letter.
        self._texts_by_initial: dict[str, list[tuple[str, list[int], bool]]] = {}
        for text, positions in self.by_text.items():
            self._texts_by_initial.setdefault(text[:1], []).append((text, positions, is_number(text)))
        self._norms_by_initial: dict[str, list[tuple[str, list[int]]]] = {}
        for norm, positions in self.by_norm.items():
            self._norms_by_initial.setdefault(norm[:1], []).append((norm, positions))
        self._denials = self._denying_clauses()
        self._frames = self._refuting_frames()
        self._set_aside = self._substitution_frames()
        self._words: dict[WordPattern, Mapping[int, bool]] = {}
        self._found: dict[Expression, list[Occurrence]] = {}
        self._vocabulary = vocabulary
        self._present: set[WordPattern] = set()
        self._spans: tuple[list[int], list[int]] | bool | None = None  # see _folded_spans
        if vocabulary is not None:
            self._find_vocabulary(vocabulary)

    def _find_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Where every word of the vocabulary matches, in one pass over the answer's words: exact
        matches (as written, by stem, as a stem's beginning) first, then typos where nothing
        matched exactly, as `word_positions` does one word at a time."""
        words: dict[WordPattern, dict[int, bool]] = {}

        def exact(found: Iterable[WordPattern], positions: list[int]) -> None:
            for word in found:
                words.setdefault(word, {}).update(dict.fromkeys(positions, False))

        def typo(found: Iterable[WordPattern], positions: list[int]) -> None:
            for word in found:
                known = words.setdefault(word, {})
                for pos in positions:
                    known.setdefault(pos, True)

        for norm, positions in self.by_norm.items():
            exact(vocabulary.by_norm(norm)[0], positions)
        for key, positions in self.by_stem.items():
            exact(vocabulary.by_stem(key), positions)
        for text, positions in self.by_text.items():
            exact(vocabulary.by_text(text)[0], positions)
        for norm, positions in self.by_norm.items():
            typo(vocabulary.by_norm(norm)[1], positions)
        for text, positions in self.by_text.items():
            typo(vocabulary.by_text(text)[1], positions)
        if self.negations:
            for word in vocabulary.negations:
                words[word] = dict.fromkeys(self.negations, False)
        self._words.update(words)
        self._present = set(words)

    # -- words and alternatives -----------------------------------------------------------------

    def word_positions(self, word: WordPattern) -> Mapping[int, bool]:
        """Positions (in the meaningful-word sequence) where a word matches -> whether fuzzily."""
        known = self._words.get(word)
        if known is not None:
            return known
        if self._vocabulary is not None and word in self._vocabulary.words:
            return _NOWHERE  # found in the one pass over the answer, or nowhere
        found: dict[int, bool] = {}
        if word.negation:
            found = dict.fromkeys(self.negations, False)
        elif word.prefix:
            numeric = any(c.isdigit() for c in word.text)
            for text, positions, number in self._texts_by_initial.get(word.text[:1], ()):
                if (numeric or number) and text != word.text:
                    continue  # numbers are whole: "1*" does not match 10, nor 0.5 match "0*"
                if text.startswith(word.text):
                    found.update(dict.fromkeys(positions, False))
                elif len(word.text) >= FUZZY_MIN_STEM and _similar_stem(word.text, text):
                    for pos in positions:
                        found.setdefault(pos, True)
        else:
            found.update(dict.fromkeys(self.by_norm.get(word.text, []), False))
            for lang, stem in zip(("en", "fr", "fr"), word.stems, strict=True):
                if len(stem) >= MIN_STEM and stem.isalpha():
                    found.update(dict.fromkeys(self.by_stem.get((lang, stem), []), False))
            if len(word.text) >= FUZZY_MIN_WORD and not any(c.isdigit() for c in word.text):
                for norm, positions in self._norms_by_initial.get(word.text[:1], ()):
                    if norm != word.text and _similar(word.text, norm):
                        for pos in positions:
                            found.setdefault(pos, True)
        self._words[word] = found
        return found

    def alternative_hits(self, alternative: Alternative) -> list[_Hit]:
        """Where all words of an alternative appear consecutively, in one sentence."""
        if not alternative:
            return []
        firsts = self.word_positions(alternative[0])
        if not firsts:
            return []
        hits = []
        for start, fuzzy in sorted(firsts.items()):
            ok = True
            for k, word in enumerate(alternative[1:], start=1):
                pos = start + k
                positions = self.word_positions(word)
                if pos not in positions or self._sentence(pos) != self._sentence(start):
                    ok = False
                    break
                fuzzy = fuzzy or positions[pos]
            if ok:
                hits.append(_Hit(start, start + len(alternative) - 1, fuzzy))
        return hits

    # -- expressions ----------------------------------------------------------------------------

    def find(self, expression: Expression) -> list[Occurrence]:
        """Every distinct place the expression matches."""
        found = self._found.get(expression)
        if found is None:
            if isinstance(expression, Pattern):
                found = self._find_pattern(expression)
            elif isinstance(expression, Sizes):
                found = self._find_sizes(expression)
            elif isinstance(expression, Formula):
                found = self._find_formula(expression)
            else:
                found = self._find_phrase(expression)
            if expression.lang:
                found = [o for o in found if self.doc.tokens[o.first].lang in ("", expression.lang)]
            self._found[expression] = found
        return list(found)

    def _find_sizes(self, sizes: Sizes) -> list[Occurrence]:
        """Runs of numbers in one sentence with the expression's shape (e.g. 784-64-784); linear time."""
        tokens = self.doc.tokens
        by_sentence: dict[int, list[tuple[int, float]]] = {}
        for i, token in enumerate(tokens):
            # "1.2.3" (a section, a version) has the look of a number but is not one size
            if is_number(token.text) and not token.masked and (value := _value(token.norm)) is not None:
                if _in_formula(self.doc.original, token.start, token.end):
                    continue  # "sigma^2", "1 + log", "1/2": a formula's numbers are no layer sizes
                if i >= 2 and tokens[i - 1].norm in _OR and is_number(tokens[i - 2].text):
                    continue  # "16 or 32 values": another choice for the same size, not the next one
                by_sentence.setdefault(token.sentence, []).append((i, value))
        found = []
        for numbers in by_sentence.values():
            indices = [i for i, _ in numbers]
            span = _shaped_run([value for _, value in numbers], sizes.shape, sizes.min_length)
            if span is not None:
                first, last = indices[span[0]], indices[span[1]]
                negated = self._negated(first, last, set(indices[span[0]: span[1] + 1]))
                found.append(self._occurrence(first, last, False, negated))
        return found

    def _find_formula(self, formula: Formula) -> list[Occurrence]:
        """Equations of the answer that are the formula (or, for a `wrong` one, a different right
        side for the same left side); read and judged by meaning, see grader.rubric.formula."""
        if "=" not in self.doc.original:
            return []
        from grader.rubric import formula as formulas  # sympy: only for answers that write an equation

        if self._equations is None:
            self._equations = formulas.equations(self.doc.original)
        tokens = self.doc.tokens
        found = []
        for equation in self._equations:
            if not formulas.matches(formula, equation):
                continue
            inside = [i for i, t in enumerate(tokens) if t.start < equation.end and t.end > equation.start]
            if not inside:
                continue
            negated = self._match_negated(inside[0], inside[-1], set(inside), False)
            found.append(Occurrence(inside[0], inside[-1], equation.start, equation.end, False, negated,
                                    inside[0] in self._set_aside))
        return found

    def _find_phrase(self, phrase: Phrase) -> list[Occurrence]:
        slots: list[Slot] = list(phrase.slots)
        gate = self._vocabulary.gates.get(phrase) if self._vocabulary is not None else None
        if gate is not None:
            # Only the alternatives whose first word is in the answer, in the slot's order; none in
            # one slot, and the phrase cannot match.
            slots = []
            for (firsts, first_of), slot in zip(gate, phrase.slots, strict=True):
                here = firsts & self._present
                if not here:
                    return []
                slots.append(tuple(slot[k] for k in sorted(k for word in here for k in first_of[word])))
        per_slot = []
        for slot in slots:
            hits = [(hit, len(alt)) for alt in slot for hit in self.alternative_hits(alt)]
            if not hits:
                return []
            per_slot.append(sorted(hits, key=lambda h: h[0].start))
        order = sorted(range(len(per_slot)), key=lambda i: len(per_slot[i]))
        scope = self._clause if phrase.scope == "clause" else self._sentence
        # No match spans more than this many words: only hits that near the anchor are tried,
        # so a long answer costs time in proportion to its matches, not to their square.
        longest = [max(len(alt) for alt in slot) for slot in phrase.slots]
        reach = (phrase.window + sum(longest) - len(longest)) if phrase.window else sum(longest) + DEFAULT_SLACK
        starts = [[h.start for h, _ in hits] for hits in per_slot]
        results: dict[tuple[int, int], Occurrence] = {}
        for anchor, anchor_len in per_slot[order[0]]:
            chosen: dict[int, tuple[_Hit, int]] = {order[0]: (anchor, anchor_len)}
            for i in order[1:]:
                best: tuple[tuple[bool, int, bool], _Hit, int] | None = None
                near = slice(bisect_left(starts[i], anchor.end - reach), bisect_right(starts[i], anchor.start + reach))
                for hit, length in per_slot[i][near]:
                    if scope(hit.start) != scope(anchor.start) or _overlaps(hit, chosen.values()):
                        continue
                    if phrase.ordered and not _in_order(i, hit, chosen):
                        continue
                    lo = min(hit.start, *(h.start for h, _ in chosen.values()))
                    hi = max(hit.end, *(h.end for h, _ in chosen.values()))
                    # Words of the anchor's own clause first, then the tightest span, exact before fuzzy.
                    rank = (self._clause(hit.start) != self._clause(anchor.start), hi - lo, hit.fuzzy)
                    if best is None or rank < best[0]:
                        best = (rank, hit, length)
                if best is None:
                    break
                chosen[i] = (best[1], best[2])
            else:
                lo = min(h.start for h, _ in chosen.values())
                hi = max(h.end for h, _ in chosen.values())
                # A several-word synonym counts as one word against an explicit window.
                window = (phrase.window + sum(n - 1 for _, n in chosen.values()) if phrase.window
                          else sum(n for _, n in chosen.values()) + DEFAULT_SLACK)
                if hi - lo + 1 > window:
                    continue
                tokens = sorted(self.sig[p] for h, _ in chosen.values() for p in range(h.start, h.end + 1))
                fuzzy = any(h.fuzzy for h, _ in chosen.values())
                if phrase.unless and self._voided(phrase, tokens[0], tokens[-1]):
                    continue
                # A phrase with a negation of its own ("not|no|plus need*") or a match through one
                # ("output nothing"); a match through the other words of a synonym group that holds
                # a negation is read as any other.
                negated = self._match_negated(tokens[0], tokens[-1], set(tokens), phrase.negation_slot)
                occurrence = self._occurrence(tokens[0], tokens[-1], fuzzy, negated)
                previous = results.get((occurrence.first, occurrence.last))
                if previous is None or (previous.fuzzy and not fuzzy):
                    results[(occurrence.first, occurrence.last)] = occurrence
        return sorted(results.values(), key=lambda o: (o.first, o.last))

    def _find_pattern(self, pattern: Pattern) -> list[Occurrence]:
        tokens = self.doc.tokens
        found = []
        folded = self.doc.folded
        if self._searchable is None:
            self._searchable = searchable(folded)
        if not pattern.may_match(self._searchable):  # lacks a string every match holds: not even compiled
            return []
        spans = self._folded_spans()
        for match in pattern.regex.finditer(folded):
            if match.end() == match.start() or _cuts_number(folded, match.start(), match.end()):
                continue
            if spans is not None:  # the tokens in order: those the match overlaps are a run
                inside = list(range(bisect_right(spans[1], match.start()), bisect_left(spans[0], match.end())))
            else:
                inside = [i for i, t in enumerate(tokens) if t.fstart < match.end() and t.fend > match.start()]
            if any(tokens[i].masked for i in inside):
                continue
            start, end = self.doc.original_span(match.start(), match.end())
            if inside:
                # A pattern that holds its own negation ("n'a rien à voir") is read as a phrase with one.
                negated = self._match_negated(inside[0], inside[-1], set(inside), False)
                first, last = inside[0], inside[-1]
            else:
                after = (bisect_left(spans[0], match.end()) if spans is not None
                         else next((i for i, t in enumerate(tokens) if t.fstart >= match.end()), len(tokens)))
                negated = self._negated(after, after - 1, set())
                first = last = max(after - 1, 0)
            found.append(Occurrence(first, last, start, end, False, negated, first in self._set_aside))
        return found

    # -- helpers --------------------------------------------------------------------------------

    def _folded_spans(self) -> tuple[list[int], list[int]] | None:
        """The tokens' starts and ends in the folded text, when both only grow from token to token
        (then the tokens a span overlaps are found by bisection); None otherwise."""
        if self._spans is None:
            starts = [t.fstart for t in self.doc.tokens]
            ends = [t.fend for t in self.doc.tokens]
            ordered = all(a <= b for a, b in pairwise(starts)) and all(a <= b for a, b in pairwise(ends))
            self._spans = (starts, ends) if ordered else False
        return self._spans if isinstance(self._spans, tuple) else None

    def _voided(self, phrase: Phrase, first: int, last: int) -> bool:
        """Whether a word of the phrase's `unless` stands in a clause the match spans (or, with
        `unless_scope: sentence`, anywhere in its sentences)."""
        tokens = self.doc.tokens

        def unit(token: Token) -> int:
            return token.sentence if phrase.unless_scope == "sentence" else token.clause

        spanned = range(unit(tokens[first]), unit(tokens[last]) + 1)
        return any(unit(tokens[self.sig[hit.start]]) in spanned
                   for alternative in phrase.unless for hit in self.alternative_hits(alternative))

    def _occurrence(self, first: int, last: int, fuzzy: bool, negated: bool) -> Occurrence:
        tokens = self.doc.tokens
        return Occurrence(first, last, tokens[first].start, tokens[last].end, fuzzy, negated, first in self._set_aside)

    def _sentence(self, pos: int) -> int:
        return self.doc.tokens[self.sig[pos]].sentence

    def _clause(self, pos: int) -> int:
        return self.doc.tokens[self.sig[pos]].clause

    def _match_negated(self, first: int, last: int, matched: set[int], own_negation: bool) -> bool:
        """Whether a match is negated. One that holds its own negation ("not saturate", "n'a rien à
        voir"), or whose phrase has a slot that stands for one, is not negated by a negation
        word; only a refuting frame, or a later clause that denies or refutes it, negates it."""
        if own_negation or any(self.doc.tokens[t].role is Role.NEGATION for t in matched):
            return self._refuted(first) or self._denied_later(last)
        return self._negated(first, last, matched)

    def _negated(self, first: int, last: int, matched: set[int]) -> bool:
        """Whether the tokens first..last (indices into doc.tokens) are negated: governed by a
        negation word, or refuted by the frame they stand in ("it is not true that ..."), but not
        both (a negation inside a refuted claim affirms)."""
        frame = self._frames.get(first)
        return self._governed(first, last, matched, -1 if frame is None else frame) != (frame is not None)

    def _refuted(self, first: int) -> bool:
        """Whether a match starting at `first` stands in a refuting frame ("c'est faux de dire que ...")."""
        return first in self._frames

    def _governed(self, first: int, last: int, matched: set[int], frame: int) -> bool:
        """Whether a negation word governs the tokens first..last; the look-back stops at the
        word `frame` that opens a refuting frame, whose own negation is the frame's."""
        tokens = self.doc.tokens
        if not tokens:
            return False
        anchor = tokens[min(first, len(tokens) - 1)]
        for j in range(first - 1, max(first - 1 - NEGATION_LOOKBACK, frame, -1), -1):
            if tokens[j].clause != anchor.clause:
                break
            if tokens[j].text in NEGATION_BARRIERS:
                # "not because it avoids ...": the negation denies the reason itself
                if (tokens[j].text in NEGATED_REASONS and j > 0 and tokens[j - 1].clause == anchor.clause
                        and tokens[j - 1].role is Role.NEGATION and not tokens[j - 1].masked):
                    return True
                break
            if tokens[j].role is Role.NEGATION and not tokens[j].masked:
                return True
        for j in range(first + 1, last):
            if j in matched or tokens[j].role is not Role.NEGATION or self._denies_a_loss(j, matched):
                continue
            if any(m > j and tokens[m].clause == tokens[j].clause for m in matched):
                return True
        after = last + 1
        if matched and after < len(tokens) and tokens[after].text in _POSTVERBAL and (
                tokens[after].role is Role.NEGATION and tokens[after].clause == tokens[last].clause):
            return True
        return bool(matched) and (self._remedy_negated(last) or self._denied_later(last))

    def _denies_a_loss(self, j: int, matched: set[int]) -> bool:
        """A negation inside a match that denies a loss of its own ("the gradient flows back without
        vanishing to the first layers", "remonte sans s'éteindre jusqu'aux premières couches"): it
        says the match holds, and negates nothing of it."""
        tokens = self.doc.tokens
        following = [k for k in range(j + 1, min(j + 4, len(tokens)))
                     if tokens[k].role is Role.CONTENT and tokens[k].clause == tokens[j].clause][:2]
        return any(k not in matched and tokens[k].text.startswith(LOSS_STEMS) for k in following)

    def _remedy_negated(self, last: int) -> bool:
        """A negation then a remedy verb just after the match: "BN does not help", "n'aide pas"."""
        tokens = self.doc.tokens
        window = [t for t in tokens[last + 1 : last + 1 + REMEDY_LOOKAHEAD] if t.clause == tokens[last].clause]
        negation = next((i for i, t in enumerate(window) if t.role is Role.NEGATION), None)
        if negation is None:
            return False
        return any(t.text.startswith(REMEDY_STEMS + DENIAL_STEMS) for t in window[max(negation - 1, 0):])

    def _denied_later(self, last: int) -> bool:
        """A later clause of the sentence that denies what came before: "..., but they play no role"."""
        here = self.doc.tokens[last]
        return any(clause > here.clause for clause in self._denials.get(here.sentence, ()))

    def _denying_clauses(self) -> dict[int, list[int]]:
        """Per sentence, its clauses that deny what came before (found once per answer)."""
        tokens = self.doc.tokens
        clauses: dict[int, list[int]] = {}
        for j, token in enumerate(tokens):
            clauses.setdefault(token.clause, []).append(j)
        denials: dict[int, list[int]] = {}
        for clause, members in clauses.items():
            head = [tokens[j].text for j in members[:3]]
            contrast = head[0] in CLAUSE_WORDS and any(w in BACK_REFERENCES for w in head)
            if (contrast and self._denies(members)) or self._verdict(members) or self._bare_denial(members):
                sentence = tokens[members[0]].sentence
                denials.setdefault(sentence, []).append(clause)
                # "... let the gradient flow. But this plays no role." denies the sentence before.
                if members[0] and tokens[members[0] - 1].sentence == sentence - 1:
                    denials.setdefault(sentence - 1, []).append(clause)
        return denials

    def _denies(self, members: list[int]) -> bool:
        """Whether a clause (its token indices) denies a part in what came before ("they play no
        role", "cela ne sert à rien") or, with no negation, calls it false ("that's wrong")."""
        tokens = self.doc.tokens
        negations = [n for n, j in enumerate(members) if tokens[j].role is Role.NEGATION]
        if not negations:  # "not wrong" affirms; "wrong" alone refutes, "useless" dismisses
            return any(tokens[j].text.startswith(REFUTATION_STEMS + DISMISSAL_STEMS) for j in members[:5])
        for n in negations:
            for pos in range(max(n - 1, 0), min(n + 1 + REMEDY_LOOKAHEAD, len(members))):
                word = tokens[members[pos]].text
                if word.startswith(DENIAL_STEMS):
                    return True
                # "but it does not really help" denies; "but it does not help against overfitting"
                # says what it does not help with, a claim of its own
                if word.startswith(REMEDY_STEMS) and not any(
                        tokens[j].role is Role.CONTENT and tokens[j].text not in INTENSIFIERS | HOW_MUCH
                        for j in members[pos + 1:]):
                    return True
        # "but that's not true", "mais ce n'est pas le cas": the truth word right after its negation,
        # and nothing after it ("but this is not true for ReLU" speaks of something else)
        return any(_truth_denied(tokens, members, n) for n in negations)

    def _bare_denial(self, members: list[int]) -> bool:
        """Whether a contrastive clause is a negation and nothing else: "..., but in fact it
        doesn't", "mais en réalité non", "but not really" ("but not for ReLU" says something else)."""
        tokens = self.doc.tokens
        words = [tokens[j] for j in members]
        if len(words) > 7 or words[0].text not in CLAUSE_WORDS or not any(t.role is Role.NEGATION for t in words):
            return False
        return all(t.text in INTENSIFIERS or t.text in IN_FACT for t in words if t.role is Role.CONTENT)

    def _verdict(self, members: list[int]) -> bool:
        """Whether a clause with no contrastive word only calls what came before false: "...,
        which is false", "c'est faux", "This is not true.", or, as a sentence of its own, "Not
        really.", "Pas du tout.", "I disagree.", "I don't think so." """
        tokens = self.doc.tokens
        words = [tokens[j] for j in members]
        texts = [t.text for t in words]
        negated = any(t.role is Role.NEGATION for t in words)
        content = [t.text for t in words if t.role is Role.CONTENT]
        verdicts = [w for w in content if w.startswith(REFUTATION_STEMS)]
        truths = [w for w in content if w in TRUTH_WORDS]
        if len(words) <= 6 and (texts[0] in BACK_REFERENCES or texts[0] in RELATIVES or texts[:2] == ["ce", "qui"]):
            # "..., which does not matter", "ce qui ne change rien", "..., which is fine" wave it away
            waved = [w for w in content if w.startswith(WAVED_NEGATED_STEMS if negated else WAIVING_STEMS)]
            if any(w not in INTENSIFIERS for w in content if w not in verdicts + truths + waved):
                return False
            return bool(truths or waved) if negated else bool(verdicts or waved)
        last = members[-1] + 1 == len(tokens) or tokens[members[-1] + 1].sentence != words[-1].sentence
        alone = (not members[0] or tokens[members[0] - 1].sentence != words[0].sentence) and last
        # or as the contrast that closes a sentence: "my friend says it mixes the channels, but I
        # disagree", "..., mais je ne suis pas d'accord"
        closing = last and texts[0] in CLAUSE_WORDS and members[0] > 0
        if not (alone or closing) or len(words) > (7 if closing else 6) or any(w not in REJOINDER_WORDS for w in content if w not in verdicts + truths):
            return False
        if negated:
            return alone or not verdicts  # "..., but it's not wrong" affirms
        return "disagree" in content or (bool(verdicts) and not any(w in AGREEING for w in content))

    def _refuting_frames(self) -> dict[int, int]:
        """For each token that a refuting frame governs, the position of the frame's "that" or
        "que": "it is not true that ...", "c'est faux de dire que ...", "on pense à tort que ..."
        refute the rest of their clause."""
        tokens = self.doc.tokens
        frames: dict[int, int] = {}
        for k, token in enumerate(tokens):
            if token.text not in FRAME_WORDS:
                continue
            verdict = False
            for j in range(k - 1, max(k - 1 - FRAME_LOOKBACK, -1), -1):
                word = tokens[j]
                if word.clause != token.clause:
                    break
                if word.role is Role.STOP or word.text.startswith(SAYING_STEMS):
                    continue
                negated = any(tokens[i].role is Role.NEGATION and tokens[i].clause == token.clause
                              for i in range(max(j - 3, 0), j))
                if word.text.startswith(FRAME_VERDICT_STEMS):
                    verdict = not negated  # "ce n'est pas faux de dire que ..." does not refute
                elif word.text in TRUTH_WORDS:
                    verdict = negated
                break
            if verdict:
                for i in range(k + 1, len(tokens)):
                    if tokens[i].clause != token.clause:
                        break
                    frames[i] = k
        return frames

    def _substitution_frames(self) -> set[int]:
        """The tokens that "instead of X", "rather than X", "au lieu de X", "plutôt que X", "unlike
        X", "contrairement à X", "as opposed to X" set aside (see SUBSTITUTIONS, COMPARISONS). A
        misconception set aside is not stated; a concept set aside still counts, as what it is set
        against is often the other side of a comparison ("the gradient passes unchanged instead of
        being multiplied by 0.25 as with the sigmoid")."""
        tokens = self.doc.tokens
        aside: set[int] = set()
        for k, token in enumerate(tokens):
            comparison = _opens(tokens, k, COMPARISONS)
            if not comparison and not _opens(tokens, k, SUBSTITUTIONS):
                continue
            barriers = COMPARISON_BARRIERS | {"and", "et"} if comparison else NEGATION_BARRIERS
            clause = token.clause
            for i in range(k + 1, len(tokens)):
                if comparison and tokens[i].clause == clause + 1 and tokens[i].text in RELATIVE_OPENERS:
                    clause += 1  # "unlike a classifier, which gives one label, ...": the same side
                if tokens[i].clause != clause:
                    break
                # a relative clause describes the other side: "unlike a classifier that gives one
                # label", "plutôt qu'un réseau qui la réduit comme pour la classification"
                if tokens[i].text in RELATIVE_OPENERS and (comparison or i > k + 1):
                    barriers = COMPARISON_BARRIERS
                elif tokens[i].text in barriers or (comparison and _new_subject(tokens, k, i)):
                    break
                if comparison and tokens[i].text in RELATIVE_WORDS:
                    barriers = COMPARISON_BARRIERS
                aside.add(i)
        return aside


def _new_subject(tokens: list[Token], k: int, i: int) -> bool:
    """Whether tokens[i], inside what "unlike" at k sets aside, is the subject of the sentence's own
    claim: a subject pronoun right after a content word of the compared thing (not "unlike making
    it smaller", where the word before it is a verb of the other side, nor after a relative word)."""
    token, before = tokens[i], tokens[i - 1]
    if token.text not in NEW_SUBJECTS.get(token.lang, NEW_SUBJECTS[""]) or i - 1 <= k or before.role is not Role.CONTENT:
        return False
    if any(t.text in RELATIVE_WORDS for t in tokens[k + 1:i]):
        return False
    return not (token.lang != "fr" and before.text.endswith("ing"))


def _opens(tokens: list[Token], k: int, openers: dict[str, set[tuple[str, ...]]]) -> bool:
    """Whether tokens[k] ends one of the openers ("instead of", "contrairement à") in its clause."""
    ways = openers.get(tokens[k].text)
    if not ways:
        return False
    before = tuple(t.text for t in tokens[max(k - 2, 0):k] if t.clause == tokens[k].clause)
    return any(not words or before[-len(words):] == words for words in ways)


def _truth_denied(tokens: list[Token], members: list[int], n: int) -> bool:
    """Whether the negation members[n] denies a truth word and the claim ends there: "not true",
    "pas vraiment vrai", "not the case at all", "not true, because ..." (function words and
    intensifiers aside); "not true for ReLU" speaks of something else."""
    words = []
    for j in members[n + 1:]:
        if tokens[j].text in NEGATED_REASONS:
            break  # "but that's not really true because the gradient is 0 ..." gives its reason
        if tokens[j].role is Role.CONTENT and tokens[j].text not in INTENSIFIERS:
            words.append(tokens[j].text)
    return len(words) == 1 and words[0] in TRUTH_WORDS


_OR = frozenset({"or", "ou"})
_OPERATORS = "^*+=×÷·"
_NEAR = 24  # characters read on each side of a number: enough to see two more numbers of a fraction


def _in_formula(text: str, start: int, end: int) -> bool:
    """Whether the number at text[start:end] is an operand: beside an operator ("sigma^2", "1 + x")
    or one side of a fraction ("1/2"; "784/64/784", three numbers, is a run of sizes). Only the
    characters near the number are read, so an answer full of numbers costs no more per number."""
    head, tail = text[max(0, start - _NEAR):start], text[end:end + _NEAR]
    before, after = head.rstrip()[-1:], tail.lstrip()[:1]
    if (before and before in _OPERATORS) or (after and after in _OPERATORS):
        return True
    left = re.search(r"(?:\d+(?:[.,]\d+)?\s*/\s*)+$", head)
    right = re.match(r"(?:\s*/\s*\d+(?:[.,]\d+)?)+", tail)
    slashes = (left.group().count("/") if left else 0) + (right.group().count("/") if right else 0)
    return slashes == 1


def _value(number: str) -> float | None:
    """The value of a number token, or None when it reads as no single number ("1.2.3")."""
    try:
        return float(number)
    except ValueError:
        return None


def _cuts_number(text: str, start: int, end: int) -> bool:
    """Whether a span begins or ends inside a number ("0.5" found in "0.55" or in "10.5")."""
    def digit(i: int) -> bool:
        return 0 <= i < len(text) and text[i].isdigit()
    if digit(end - 1) and (digit(end) or (end + 1 < len(text) and text[end] in ".," and digit(end + 1))):
        return True
    return digit(start) and (digit(start - 1) or (start >= 2 and text[start - 1] in ".," and digit(start - 2)))


def _shaped_run(values: list[float], shape: str, min_length: int) -> tuple[int, int] | None:
    """The first run of at least min_length values with the shape, as (first, last) indices.

    down_up: falls to a low point, then rises; up_down: rises, then falls; decreasing / increasing.
    Equal neighbours count as one value ("256-64-32, then 32-64-256" names the middle size twice),
    so every step between different values must go the shape's way.
    """
    starts = [i for i in range(len(values)) if i == 0 or values[i] != values[i - 1]]
    ends = [*(i - 1 for i in starts[1:]), len(values) - 1]
    span = _strict_run([values[i] for i in starts], shape, min_length)
    return None if span is None else (starts[span[0]], ends[span[1]])


def _strict_run(values: list[float], shape: str, min_length: int) -> tuple[int, int] | None:
    """`_shaped_run` on values with no equal neighbours: every step strictly the shape's way."""
    if shape == "up_down":  # rises to a high point, then falls: down_up of the negated values
        return _strict_run([-v for v in values], "down_up", min_length)
    n = len(values)
    falling = [1] * n  # length of the strictly falling run that ends at i
    for i in range(1, n):
        if values[i] < values[i - 1]:
            falling[i] = falling[i - 1] + 1
    rising = [1] * n  # length of the strictly rising run that starts at i
    for i in range(n - 2, -1, -1):
        if values[i + 1] > values[i]:
            rising[i] = rising[i + 1] + 1
    for i in range(n):
        if shape == "down_up" and falling[i] >= 2 and rising[i] >= 2 and falling[i] + rising[i] - 1 >= min_length:
            return i - falling[i] + 1, i + rising[i] - 1
        if shape == "decreasing" and falling[i] >= min_length:
            return i - falling[i] + 1, i
        if shape == "increasing" and rising[i] >= min_length:
            return i, i + rising[i] - 1
    return None


def _opposite_prefixes(a: str, b: str) -> bool:
    return any((a.startswith(p) and b.startswith(q)) or (a.startswith(q) and b.startswith(p))
               for p, q in OPPOSITE_PREFIXES)


def _similar(a: str, b: str) -> bool:
    """A typo-level difference between two folded words."""
    if a[0] != b[0] or abs(len(a) - len(b)) > 2 or _opposite_prefixes(a, b):
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (matcher.real_quick_ratio() >= FUZZY_RATIO and matcher.quick_ratio() >= FUZZY_RATIO
            and matcher.ratio() >= FUZZY_RATIO)


def _similar_stem(stem: str, word: str) -> bool:
    """Whether a word begins with a typo-level variant of a stem (one edit; two from nine letters).

    The candidate must end with the stem's last letter, so a word that merely shares a shorter
    prefix ("regular" for "regulari*", "regularly") is not taken for a typo; and the word must be
    at least as long as the stem, so a shorter common word is not one either ("entre", between,
    for "entree*", input). Five-letter stems match only as written ("ralentit" is not "ramen*").
    """
    if len(word) < len(stem) or word[0] != stem[0] or _opposite_prefixes(stem, word):
        return False
    limit = 1 if len(stem) < 9 else 2
    for n in (len(stem) - 1, len(stem), len(stem) + 1):
        candidate = word[:n]
        if len(candidate) == n and candidate[-1] == stem[-1] and _edit_distance(stem, candidate, limit) <= limit:
            return True
    return False


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _overlaps(hit: _Hit, chosen: Iterable[tuple[_Hit, int]]) -> bool:
    return any(not (hit.end < h.start or hit.start > h.end) for h, _ in chosen)


def _in_order(slot: int, hit: _Hit, chosen: dict[int, tuple[_Hit, int]]) -> bool:
    for other, (h, _) in chosen.items():
        if other < slot and h.start > hit.start:
            return False
        if other > slot and h.start < hit.start:
            return False
    return True
