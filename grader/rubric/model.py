"""The rubric of a free-text part: versioned data read into pydantic, then compiled for matching.

Schema (YAML, `schema_version: 1`)::

    schema_version: 1
    part: q1.explain           # the part id (checked against the part when both are known)
    points: 3                  # the most the rubric awards; equals the part's points
    review_threshold: 0.6      # confidence below this sends the part to review (0..1)
    always_review: false       # true: every answer goes to review, with its provisional score
    min_words: 6               # fewer content words: "very short"
    max_words: 250             # more content words: "very long"
    keyword_list_share: 1      # share of its points a bare list of terms keeps (0.75: naming
                               # the ideas earns three quarters of explaining them)
    prompt: ...                # optional; the question, to recognise copied prompts when the
                               # engine does not pass it in the part's options
    synonyms:                  # named groups of alternatives, used in phrases as @name
      unit: [neuron*, unit*, node*, neurone*, "feature map*"]
    groups:                    # optional caps shared by several concepts
      why: {max: 1}
    concepts:
      - id: random_deactivation
        points: 1
        group: why             # optional
        requires: [other_id]   # optional: counts in full only beside these concepts ("a|b":
                               # either), and
        alone: 0.5             # earns this share of its points without them (0 by default)
        label: dropout randomly deactivates units during training   # shown when found
        hint: think about what dropout does to the units at each training step   # when missing
        any:                   # expressions; any one of them is enough
          - random* @unit zero|drop|dropped|deactivat*
          - re: "p\\s*=\\s*0?\\.5"
          - {phrase: "scale* test", window: 4, scope: clause, ordered: true}
    misconceptions:
      - id: applied_at_test_time
        penalty: 1             # 0: it costs nothing and only tells the student (still a review reason)
        contradicts: test_time # optional: a concept it cannot coexist with
        feedback: Dropout is only used during training; ...
        any: [...]
    model_answers: [...]       # answers that must score full marks with confidence
    examples: [examples/q1.explain.yaml]   # files of graded answers (paths or globs, relative
                               # to the rubric file's folder): a second opinion that sends an
                               # answer to review when they disagree with the rubric's score

An expression may also be `{phrase: ..., lang: fr}` (or `lang: en`): it is then looked for only
in clauses written in that language, so a French word that looks like an English one ("plus",
"pour") cannot trip an English pattern. `{sizes: down_up}` is a structural alternative: a run of
numbers in one sentence that decreases then increases (layer sizes such as 784-64-784); also
`up_down` (784-2048-784, a code wider than the input), `decreasing` and `increasing`, with
`min_length` numbers (3 by default).
`{formula: "z = mu + sigma*epsilon"}` is an equation judged by meaning: found where the answer
writes an equation for the same left side with an equal right side; `wrong: true` (misconceptions
only) finds a different right side instead; `aliases` and `domains` as in grader.rubric.formula.

Phrase syntax: words separated by spaces; `a|b|c` alternatives for one word; `stem*` a word stem
(prefix), which never cuts a number (`1*` does not match 10); `@name` a synonym group (whose
items may be several words, which must then be consecutive); a negation word (not, no, pas,
sans, ...) matches any negation word. Words match after folding case, accents and plurals
("sur-apprentissage" is one word, as in answers), or when their Snowball stems agree in the
language of the clause ("reduces" = "reduced" = "reducing"); numbers match whole; the words of a
phrase may come in any order within a window of `len(words) + 3` meaningful words (`window` to
change it; a several-word synonym counts as one word against it) in one sentence (`scope: clause` to
stay within a clause; `ordered: true` to keep the written order; `unless: "sign signe"` voids a
match whose clauses also hold one of these words, so "the output has the same sign as the input"
is not "the output is the same as the input"; `unless_scope: sentence` looks for them in the whole
sentence, so "Unlike a 3x3 filter, which mixes neighbouring pixels, ..." voids its own clauses; a
negation word in `unless` stands for every negation, so a phrase whose word must be a negation
cannot also list one there: the loader refuses it).
A match counts as negated when a negation word governs it in its clause ("does not reduce",
"not because it reduces"), when it stands after a refuting frame ("it is not true that ...",
"on pense à tort que ...") or when a later clause denies, refutes or waves it away ("..., but
this plays no role", "..., which is false", "mais ce n'est pas le cas", "but in fact it doesn't",
"c'est un mythe", "ce qui ne change rien", "Not really."); "there is no doubt that X" affirms X.
A phrase with a word that stands for a negation (a slot at least half of whose alternatives are
negations, "not|no|plus need*"), or a match through a negation alternative of a synonym group
("output nothing"), or a `re:` match that holds a negation word, states that negation: a
negation word before it does not undo it, only a frame or a later denial does. A misconception
matched in what "instead of", "rather than", "au lieu de", "plutôt que", "unlike" or
"contrairement à" sets aside is not stated ("an image instead of a single label", "contrairement à
un classifieur qui sort une seule classe, ..."); a concept there still counts. A negative question
that is no "why" asserts what it asks ("Isn't it because the sigmoid saturates?", "Est-ce que ce
n'est pas un mélange des canaux ?", "..., non ?").
Function words (the, of, le, de, ...) and single letters are ignored, so a word written with
symbols reads as what is left of it ("x>0" is "0"; `grader rubric-test` lists them): write a
`re:` pattern for those. `re:` patterns run on the folded text (lower case, no accents,
punctuation kept, an English "n't" joined to its word: "doesn't" reads "doesnt"; a prime before
an argument or "=" written out: "tanh'(0)" reads "tanh derivative (0)"; "w/o" reads "without");
a match that begins or ends inside a number is ignored. Mind the French forms: `nulle?` matches
"null" and "nulle" but not "nul"; write `nul(?:le)?s?`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from grader.rubric.examples import ExampleSet
from grader.rubric.prefilter import Needs, may_match
from grader.rubric.text import NEGATORS, Role, fold_text, fold_word, joins_next, prepare, stems, word_role

RUBRIC_SCHEMA_VERSION = 1
DEFAULT_SLACK = 3
MAX_REGEX_CHARS = 1000  # a pattern, in either form; a longer one is better split into alternatives
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a valid id (lower-case letters, digits and '_')")
    return value


# Concept and misconception ids: lower-case words joined by '_'.
RubricId = Annotated[str, AfterValidator(_check_id)]


def _check_alternatives(value: str) -> str:
    """Ids joined by '|' ("sparse|structure"): any one of them will do."""
    for item in value.split("|"):
        _check_id(item)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhraseSpec(_Strict):
    """A phrase with its own matching window."""

    phrase: str = Field(min_length=1)
    window: int | None = Field(default=None, ge=1, le=40)
    scope: Literal["sentence", "clause"] = "sentence"
    ordered: bool = False
    lang: Literal["en", "fr"] | None = None
    unless: str | None = Field(default=None, min_length=1)
    unless_scope: Literal["clause", "sentence"] = "clause"


class RegexSpec(_Strict):
    """A short regular expression over the folded answer."""

    re: str = Field(min_length=1, max_length=MAX_REGEX_CHARS)
    lang: Literal["en", "fr"] | None = None

    @field_validator("re")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from None
        return value


class SizesSpec(_Strict):
    """A structural alternative: a run of numbers in one sentence with a given shape."""

    sizes: Literal["down_up", "up_down", "decreasing", "increasing"]
    min_length: int = Field(default=3, ge=2, le=20)


class FormulaSpec(_Strict):
    """An equation judged by meaning: found where the answer writes the same left side equal to the
    same right side (or, with `wrong`, to a different one); see grader.rubric.formula."""

    formula: str = Field(min_length=3, max_length=200)
    wrong: bool = False
    aliases: dict[str, str] = Field(default_factory=dict)  # another spelling -> the formula's name
    domains: dict[str, str] = Field(default_factory=dict)  # name -> domain ("positive", "(0,1)")
    lang: Literal["en", "fr"] | None = None


ExpressionSpec = str | PhraseSpec | RegexSpec | SizesSpec | FormulaSpec


class ConceptSpec(_Strict):
    """An idea the answer should contain, its points and how students express it."""

    id: RubricId
    points: float = Field(gt=0)
    label: str = Field(min_length=1)
    hint: str = Field(min_length=1)
    group: str | None = None
    # Counts in full only in an answer that also holds these concepts; without them it earns
    # `alone` (a share of its points, 0 by default): "few free parameters" is worth its points
    # beside the structure that explains it, not as a bare claim.
    # An item "a|b" is met by either concept.
    requires: list[Annotated[str, AfterValidator(_check_alternatives)]] = Field(default_factory=list)
    alone: float | None = Field(default=None, ge=0.0, le=1.0)
    any: list[ExpressionSpec] = Field(min_length=1)


class MisconceptionSpec(_Strict):
    """A wrong idea that costs points, with feedback of its own."""

    id: RubricId
    penalty: float = Field(ge=0)
    feedback: str = Field(min_length=1)
    contradicts: str | None = None
    # When found, the part earns at most this share of its points, whatever else the answer says
    # right: a claim that undoes the answer ("keep dropout on at test time") costs more in a long,
    # otherwise complete answer than a fixed penalty can.
    cap: float | None = Field(default=None, ge=0.0, le=1.0)
    any: list[ExpressionSpec] = Field(min_length=1)


class GroupSpec(_Strict):
    """A cap on the points several concepts earn together."""

    max: float = Field(gt=0)


class RubricSpec(_Strict):
    """A rubric file, as written by the instructor."""

    schema_version: Literal[1]
    part: str | None = None
    points: float = Field(gt=0)
    review_threshold: float = Field(default=0.6, ge=0.0, le=1.0)
    always_review: bool = False
    min_words: int = Field(default=6, ge=0, le=200)
    max_words: int = Field(default=250, ge=1, le=2000)
    keyword_list_share: float = Field(default=1.0, gt=0.0, le=1.0)
    prompt: str = ""
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    groups: dict[str, GroupSpec] = Field(default_factory=dict)
    concepts: list[ConceptSpec] = Field(min_length=1)
    misconceptions: list[MisconceptionSpec] = Field(default_factory=list)
    model_answers: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> RubricSpec:
        ids = [c.id for c in self.concepts] + [m.id for m in self.misconceptions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"concept and misconception ids repeat: {', '.join(dupes)}")
        concept_ids = {c.id for c in self.concepts}
        for concept in self.concepts:
            if concept.group is not None and concept.group not in self.groups:
                raise ValueError(f"concept {concept.id}: group {concept.group!r} is not declared under 'groups'")
            for needed in (n for item in concept.requires for n in item.split("|")):
                if needed == concept.id or needed not in concept_ids:
                    what = "itself" if needed == concept.id else f"unknown concept {needed!r}"
                    raise ValueError(f"concept {concept.id}: requires {what}; name other concepts of this rubric")
            if concept.alone is not None and not concept.requires:
                raise ValueError(f"concept {concept.id}: 'alone' is the share it keeps without the concepts "
                                 "it requires, so it needs 'requires'")
            wrong = [e.formula for e in concept.any if isinstance(e, FormulaSpec) and e.wrong]
            if wrong:
                raise ValueError(f"concept {concept.id}: the formula {wrong[0]!r} has 'wrong: true', which finds "
                                 "a wrong formula; it belongs under misconceptions")
        for mistake in self.misconceptions:
            if mistake.contradicts is not None and mistake.contradicts not in concept_ids:
                raise ValueError(f"misconception {mistake.id}: contradicts unknown concept {mistake.contradicts!r}")
        if self.min_words >= self.max_words:
            raise ValueError("min_words must be smaller than max_words")
        reachable = _reachable_points(self)
        if reachable + 1e-9 < self.points:
            raise ValueError(
                f"the concepts can earn at most {reachable:g} points, less than the rubric's {self.points:g}"
            )
        for expression in _all_expressions(self):
            text = expression if isinstance(expression, str) else getattr(expression, "phrase", None)
            text = f"{text or ''} {getattr(expression, 'unless', None) or ''}"
            for name in re.findall(r"@([A-Za-z_][A-Za-z0-9_]*)", text):
                if name not in self.synonyms:
                    raise ValueError(f"phrase {text!r} uses @{name}, which is not declared under 'synonyms'")
        return self


def _reachable_points(spec: RubricSpec) -> float:
    free = sum(c.points for c in spec.concepts if c.group is None)
    grouped = sum(
        min(group.max, sum(c.points for c in spec.concepts if c.group == name))
        for name, group in spec.groups.items()
    )
    return free + grouped


def _all_expressions(spec: RubricSpec) -> list[ExpressionSpec]:
    return [e for c in spec.concepts for e in c.any] + [e for m in spec.misconceptions for e in m.any]


# ----------------------------------------------------------------------------------------------
# Compiled forms


@dataclass(frozen=True)
class WordPattern:
    """One word of a phrase: exact (after plural folding), a stem (prefix) or any negation word."""

    text: str
    prefix: bool = False
    negation: bool = False
    stems: tuple[str, str, str] = ("", "", "")  # English and French stems of an exact word

    # Words, phrases and patterns are the keys of a matcher's caches: hashed once, not per lookup.
    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.text, self.prefix, self.negation, self.stems)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]


Alternative = tuple[WordPattern, ...]  # consecutive words
Slot = tuple[Alternative, ...]  # one of these


@dataclass(frozen=True)
class Phrase:
    """Slots that must all be found within a window, in any order unless `ordered`."""

    source: str
    slots: tuple[Slot, ...]
    window: int | None
    scope: str
    ordered: bool
    lang: str | None = None
    unless: Slot = ()  # words that, in a clause of the match, void it
    unless_scope: str = "clause"  # or "sentence": anywhere in the match's sentence

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.source, self.slots, self.window, self.scope, self.ordered,
                                                self.lang, self.unless, self.unless_scope)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    @property
    def negation_slot(self) -> bool:
        """Whether a word of the phrase stands for a negation: a slot at least half of whose
        alternatives are negations ("not|no|pas|plus|jamais need*"). A synonym group with a
        negation among many other words ("zero|drop|switch* off|nothing") is not one."""
        return any(2 * sum(any(w.negation for w in alt) for alt in slot) >= len(slot)
                   for slot in self.slots)


@dataclass(frozen=True)
class Pattern:
    """A regular expression over the folded text, compiled when first needed; `needs` are strings
    one of each group of which any text it matches holds (see grader.rubric.prefilter)."""

    source: str
    lang: str | None = None
    needs: Needs = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.source, self.lang, self.needs)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    @classmethod
    def compiled(cls, source: str, regex: re.Pattern[str], lang: str | None = None) -> Pattern:
        """A pattern compiled now (to check it), which nothing lets the matcher skip."""
        pattern = cls(source, lang)
        pattern.__dict__["regex"] = regex
        return pattern

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.source)

    def may_match(self, searched: str) -> bool:
        """False when `searched` (an answer's folded text made `prefilter.searchable`) lacks a string
        the pattern requires, so that the pattern cannot match the answer."""
        return may_match(self.needs, searched)


@dataclass(frozen=True)
class Sizes:
    """A run of numbers of a given shape (down_up, up_down, decreasing, increasing) in one sentence."""

    source: str
    shape: str
    min_length: int
    lang: str | None = None


@dataclass(frozen=True)
class Formula:
    """A compiled `formula:` expression: the reference's two sides (sympy objects, built by the safe
    parser from the rubric's text) and how an answer's names are read (grader.rubric.formula)."""

    source: str
    lhs: Any
    rhs: Any
    names: tuple[str, ...]  # the names an answer's equation may use
    aliases: tuple[tuple[str, str], ...] = ()  # another spelling -> the formula's name
    domains: tuple[tuple[str, str], ...] = ()
    wrong: bool = False  # found when the answer's right side differs, not when it agrees
    lang: str | None = None


Expression = Phrase | Pattern | Sizes | Formula


@dataclass(frozen=True)
class Concept:
    id: str
    points: float
    label: str
    hint: str
    group: str | None
    expressions: tuple[Expression, ...]
    requires: tuple[tuple[str, ...], ...] = ()  # it counts in full beside one concept of each
    alone: float = 0.0  # the share of its points it keeps without them


@dataclass(frozen=True)
class Misconception:
    id: str
    penalty: float
    feedback: str
    contradicts: str | None
    expressions: tuple[Expression, ...]
    cap: float | None = None  # the share of the part an answer that states it earns at most


@dataclass(frozen=True)
class Rubric:
    """A compiled rubric, ready to score answers."""

    spec: RubricSpec
    concepts: tuple[Concept, ...]
    misconceptions: tuple[Misconception, ...]
    source: str = "<inline>"
    examples: ExampleSet | None = None  # graded answers, read from the files `spec.examples` names

    @property
    def points(self) -> float:
        return self.spec.points

    @property
    def part(self) -> str | None:
        return self.spec.part

    def group_max(self, group: str | None) -> float | None:
        return self.spec.groups[group].max if group is not None else None


def compile_rubric(spec: RubricSpec, source: str = "<inline>",
                   known: Mapping[str, Needs] | None = None) -> Rubric:
    """Compile every expression once, so scoring an answer does no parsing. A pattern `known`
    gives the required strings of (one a store kept, so it compiled before) is compiled only
    when an answer could match it; any other is compiled now, so a mistake in it is reported."""
    synonyms = {name: tuple(_synonym(name, item) for item in items) for name, items in spec.synonyms.items()}
    known = known or {}
    concepts = tuple(
        Concept(c.id, c.points, c.label.strip(), c.hint.strip(), c.group,
                tuple(_compile(e, synonyms, f"concept {c.id}", known) for e in c.any),
                tuple(tuple(item.split("|")) for item in c.requires), c.alone or 0.0)
        for c in spec.concepts
    )
    mistakes = tuple(
        Misconception(m.id, m.penalty, m.feedback.strip(), m.contradicts,
                      tuple(_compile(e, synonyms, f"misconception {m.id}", known) for e in m.any), m.cap)
        for m in spec.misconceptions
    )
    return Rubric(spec, concepts, mistakes, source)


def pattern_sources(spec: RubricSpec) -> list[str]:
    """The regular expressions of a rubric, as written (without `re:`), in order, once each."""
    expressions = [e for c in spec.concepts for e in c.any] + [e for m in spec.misconceptions for e in m.any]
    found = [e.re if isinstance(e, RegexSpec) else e[3:].strip() for e in expressions
             if isinstance(e, RegexSpec) or (isinstance(e, str) and e.startswith("re:"))]
    return list(dict.fromkeys(found))


class ExpressionError(ValueError):
    """A phrase or pattern that cannot be compiled; the message names it."""


def _compile(expression: Any, synonyms: dict[str, tuple[Alternative, ...]], where: str,
             known: Mapping[str, Needs]) -> Expression:
    if isinstance(expression, SizesSpec):
        return Sizes(f"sizes: {expression.sizes}", expression.sizes, expression.min_length)
    if isinstance(expression, FormulaSpec):
        try:
            return formula_expression(expression)
        except ValueError as err:
            raise ExpressionError(f"{where}: {err}") from None
    if isinstance(expression, RegexSpec):
        if expression.re in known:
            return Pattern(expression.re, expression.lang, known[expression.re])
        return Pattern.compiled(expression.re, re.compile(expression.re), expression.lang)
    if isinstance(expression, str) and expression.startswith("re:"):
        source = expression[3:].strip()
        if len(source) > MAX_REGEX_CHARS:
            raise ExpressionError(f"{where}: a regular expression of {len(source)} characters (at most "
                                  f"{MAX_REGEX_CHARS}); split it into several alternatives")
        if source in known:
            return Pattern(source, None, known[source])
        try:
            return Pattern.compiled(source, re.compile(source))
        except re.error as err:
            raise ExpressionError(f"{where}: {expression!r} is not a valid regular expression: {err}") from None
    if isinstance(expression, str):
        expression = PhraseSpec(phrase=expression)
    assert isinstance(expression, PhraseSpec)
    if '"' in expression.phrase:
        raise ExpressionError(
            f"{where}: the phrase {expression.phrase!r} contains quotes; words are separated by spaces, so a "
            "several-word alternative goes in a synonym group (synonyms: {name: [\"peu couteux\"]}, then @name)"
        )
    slots = [slot for part in expression.phrase.split() if (slot := _slot(part, synonyms))]
    if not slots:
        raise ExpressionError(
            f"{where}: the phrase {expression.phrase!r} has only function words (the, of, le, de, ...), "
            "which are ignored; add a word that carries meaning"
        )
    unless = _slot(expression.unless.replace(" ", "|"), synonyms) if expression.unless else ()
    if expression.unless and not unless:
        raise ExpressionError(f"{where}: 'unless: {expression.unless}' has only function words, which are ignored")
    _check_negations(expression, slots, unless, where)
    return Phrase(expression.phrase, tuple(slots), expression.window, expression.scope, expression.ordered,
                  expression.lang, unless, expression.unless_scope)


def formula_expression(spec: FormulaSpec) -> Formula:
    """A `formula:` expression compiled; ValueError when the grader cannot use it."""
    from grader.rubric.formula import reference_sides  # sympy: only for rubrics that judge formulas

    lhs, rhs, names, aliases, domains = reference_sides(spec.formula, spec.aliases, spec.domains)
    return Formula(spec.formula, lhs, rhs, names, aliases, domains, spec.wrong, spec.lang)


def misread_words(spec: RubricSpec) -> list[tuple[str, str]]:
    """The words of the rubric's phrases, `unless` lists and synonyms written with symbols, each
    with what the matcher reads in it ("x>0" reads as "0": single letters and symbols vanish), and
    the alternatives made only of function words, which it does not read at all ("too" in
    "too|overly simple": matching skips "too" in answers, so that alternative never matches), and
    hyphenated words that lose a part ("k-means" reads as "mean", which "mean squared error" has),
    so that an author sees them; a `re:` pattern says such things exactly."""
    texts = [item for items in spec.synonyms.values() for item in items]
    expressions = [e for c in spec.concepts for e in c.any] + [e for m in spec.misconceptions for e in m.any]
    for expression in expressions:
        if isinstance(expression, PhraseSpec):
            texts += [expression.phrase, expression.unless or ""]
        elif isinstance(expression, str) and not expression.startswith("re:"):
            texts.append(expression)
    found: dict[str, str] = {}
    for text in texts:
        for item in (a for word in text.split() for a in word.split("|")):
            if item.startswith("@") or not item:
                continue
            words = _alternative(item)
            # a hyphenated word that loses a part: "k-means" reads "mean" ("sur-appren*" joins, loses nothing)
            pieces = [p for p in re.split(r"[^a-z0-9]+", fold_text(item.rstrip("*"))) if p]
            joined = "".join(w.text for w in words)
            hyphened_loss = "-" in item and joined not in ("".join(pieces), "".join(map(fold_word, pieces)))
            if _SYMBOL.search(item.rstrip("*")) or not words or hyphened_loss:
                found.setdefault(item, " ".join(w.text + ("*" if w.prefix else "") for w in words))
    return sorted(found.items())


# A character that is none of a word's: letters, digits, a hyphen, an apostrophe, a decimal mark.
_SYMBOL = re.compile(r"[^\w\-'’.,]")


def _check_negations(expression: PhraseSpec, slots: list[Slot], unless: Slot, where: str) -> None:
    """A negation word of `unless` stands for every negation: one in the phrase itself would void it."""
    # Only a slot whose every alternative holds a negation makes the whole phrase dead; a synonym
    # group with one negated alternative among many ("nothing" among "zero|drop|...") keeps working.
    own = [next(w.text for w in slot[0] if w.negation) for slot in slots
           if slot and all(any(w.negation for w in alt) for alt in slot)]
    voiding = [alt[0].text for alt in unless if len(alt) == 1 and alt[0].negation]  # "non-linear*" needs more
    if own and voiding:
        raise ExpressionError(
            f"{where}: the phrase {expression.phrase!r} has the negation {own[0]!r}, and 'unless' has "
            f"{voiding[0]!r}; a negation word in 'unless' stands for any negation, the phrase's own included, "
            "so the phrase could never match; take the negation words out of 'unless'"
        )


def _slot(part: str, synonyms: dict[str, tuple[Alternative, ...]]) -> Slot:
    """The alternatives of one word of a phrase (`a|b*|@group`)."""
    alternatives: list[Alternative] = []
    for item in (a for a in part.split("|") if a):
        if item.startswith("@"):
            alternatives += synonyms[item[1:]]
        elif alt := _alternative(item):
            alternatives.append(alt)
    return tuple(dict.fromkeys(alternatives))


@lru_cache(maxsize=16_384)  # rubrics repeat their words: half the alternatives are seen before
def _synonym(name: str, item: str) -> Alternative:
    words = _alternative(item)
    if not words:
        raise ExpressionError(f"synonym group {name}: {item!r} is made only of function words (the, of, le, "
                              "de, ...), which matching ignores; use a word that carries the meaning")
    return words


@lru_cache(maxsize=16_384)  # an alternative comes back in many phrases: a quarter are distinct
def _alternative(text: str) -> Alternative:
    """Words of one alternative, folded exactly as answers are; `*` marks a stem."""
    words: list[WordPattern] = []
    for raw in text.split():
        prefix = raw.endswith("*")
        core = raw.rstrip("*")
        folded = fold_text(core)
        if prefix:
            # A stem is matched against the folded word as written: no plural folding. In a
            # hyphenated stem (co-adapt*) the leading words are exact and only the last is a stem.
            pieces = [p for p in re.split(r"[^a-z0-9]+", folded) if p]
            while len(pieces) > 1 and "-" in folded and joins_next(pieces[0], pieces[1]):
                pieces[:2] = [pieces[0] + pieces[1]]  # "sur-appren*" reads as "surappren*", like answers
            words += [WordPattern(p, negation=True) if p in NEGATORS else WordPattern(fold_word(p))
                      for p in pieces[:-1]]
            if pieces:
                words.append(WordPattern(pieces[-1], prefix=True))
            continue
        words += _plain_words(core)
    return tuple(words)


@lru_cache(maxsize=8192)
def _plain_words(core: str) -> tuple[WordPattern, ...]:
    """The word patterns of an alternative's word written without `*`, read as answers are."""
    folded = fold_text(core)
    if folded.isalpha() and folded.isascii():  # one plain word: most of a rubric, read directly
        role = word_role(folded)
        if role is Role.NEGATION or folded in NEGATORS:
            return (WordPattern(folded, negation=True),)
        if role is Role.CONTENT:
            return (WordPattern(fold_word(folded), stems=stems(folded, core)),)
        return ()
    words = []
    for token in prepare(core).tokens:
        if token.role is Role.NEGATION or token.text in NEGATORS:
            words.append(WordPattern(token.text, negation=True))
        elif token.role is Role.CONTENT:
            words.append(WordPattern(fold_word(token.text), stems=token.stems))
    return tuple(words)
