"""Text normalisation for rubric matching: case, accents, punctuation, plurals, negation words.

An answer becomes a `Document`: its characters folded (lower case, accents and ligatures
removed) with a map back to the original, and a list of `Token`s. Each token keeps its span in
the original text (so feedback can quote the student's own words), its sentence and clause,
its role (a content word, a stopword or a negation word) and a plural-folded form.

Words are also *stemmed* (Snowball, English and French) so that "reduces", "reduced" and
"reducing", or "désactive" and "désactivés", compare equal; a token keeps both stems and the
language of its sentence (told by its function words) says which one counts. A number is one
token ("0.25", "1,5"), so it never matches a part of another number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import snowballstemmer

# Characters NFKD does not decompose, or that students paste from documents.
CHAR_MAP = {
    "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l",
    "×": "x", "’": "'", "‘": "'", "`": "'", "ʼ": "'", "´": "'",
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "«": '"', "»": '"', "“": '"', "”": '"',
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
    # Greek letters read as their names, as students also type them ("μ + σ ε" is "mu + sigma eps");
    # a capital sigma stays itself, a sum.
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "η": "eta",
    "θ": "theta", "λ": "lambda", "μ": "mu", "µ": "mu", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma",
    "τ": "tau", "φ": "phi", "ϕ": "phi", "ψ": "psi", "ω": "omega", "Σ": "Σ",
}

def word_set(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and edit)."""
    return frozenset(text.split())


# A number with its decimals is one word ("0.25", "1,5"); "1x1" and "w1" stay words as before.
WORD = re.compile(r"\d+(?:[.,]\d+)+(?![a-z0-9])|[a-z0-9]+")  # a word of folded text, or one number
_FOREIGN_WORD = re.compile(r"[^\W\d_a-z]+")  # letters outside a-z after folding: another script

EN_STOP = word_set("""
a an the of to in on at by for with from as into onto about
and or so than then that which who whom whose what how why this these those there here
it its itself they them their theirs we us our you your he she his her i me my
is are was were be been being am have has had having do does did doing
can could will would shall should may might must just very too quite rather
some any such one ones
ur coz cuz bc
""")  # the last line: "your", "because" as typed in a hurry

FR_STOP = word_set("""
le la les l un une des du de d au aux a et ou est sont etait etaient sera seront etre ete
ce cet cette ces se s sa son ses leur leurs il elle ils elles on nous vous je j me m te t
mon ma mes ton ta tes notre nos votre vos qui que qu quoi dont y en par pour sur dans avec
comme c ca cela ceci celui celle ceux celles lui eux alors donc car puis tres bien ainsi
afin ont avoir fait faire va vont peut peuvent doit doivent
pr ds qd pcq psk pck
""")  # the last line: "pour", "dans", "quand", "parce que" as typed in a hurry

# Words that start a new clause: negation does not reach across them.
CLAUSE_WORDS = word_set(
    "but however whereas although though yet mais cependant pourtant tandis alors toutefois neanmoins"
)
# These also start a clause, one that gives a reason rather than a contrast: "..., otherwise it
# does not work" / "sinon ça ne marche pas" does not deny what came before.
REASON_CLAUSE_WORDS = word_set("otherwise sinon")

NEGATORS = word_set("""
not no never none neither nor cannot without nothing hardly non
doesnt isnt arent wasnt werent didnt cant couldnt wont wouldnt shouldnt hasnt havent hadnt
ne n pas jamais aucun aucune ni sans rien nullement
""")  # "dont" is left out: in French it is not a negation ("dont la sortie ...")
# "not only", "pas seulement": not a negation of what follows.
# "no doubt that", "il ne fait aucun doute que": the doubt is denied, not what follows.
# "not sure whether X", "not certain that X": a hedge, which still puts X forward.
_NOT_NEGATING_AFTER = word_set("only just merely seulement uniquement doubt doute sure certain")
_FR_NEGATION_PARTNERS = word_set("pas jamais rien aucun aucune plus ni guere nullement")
# "don't forget to keep it", "n'oubliez pas de le garder", "sans oublier", "n'hésitez pas à": the
# negation denies the forgetting or the hesitation, and so puts forward what follows.
_AFFIRMED_BY_DENIAL = ("forget", "forgot", "oubli", "hesit")
# Words a period shortens but does not end a sentence with: "e.g.", "approx. linear", "rand. zero
# some units", "env. 0,25", "prob. p". Only words that are not words of their own.
_ABBREVIATIONS = word_set("""
eg ie etc cf vs resp approx fig ex al rand prob proba avg std dim eq eqs def esp incl env param params
nb sth smth wrt fct fn func
""")
# "chaque pas", "un pas", "le pas d'apprentissage": the noun "pas" (a step), not the negation.
_PAS_NOUN_AFTER = word_set("chaque un le ce du au les des quelques plusieurs petit petits grand grands premier dernier")

# Plural folding (English and French), applied the same way to answers and to rubric words.
IRREGULAR = {
    "matrices": "matrix", "indices": "index", "vertices": "vertex", "analyses": "analysis",
    "criteria": "criterion", "phenomena": "phenomenon",
    "relus": "relu", "prelus": "prelu", "elus": "elu", "selus": "selu", "gelus": "gelu", "grus": "gru",
}
KEEP_FINAL_S = word_set("""
bias alias atlas canvas gas lens whereas has was does is this thus us yes always perhaps
sometimes less loss process across pas plus moins sans dans apres tres mais sous vers alors lors
""")


class Role(Enum):
    """What a token is for matching: a word that carries meaning, a function word, or a negation."""

    CONTENT = "content"
    STOP = "stop"
    NEGATION = "negation"


@dataclass
class Token:
    """One word of an answer, with where it sits in the original and in the folded text."""

    text: str  # folded characters, e.g. "neurones"
    norm: str  # plural-folded, e.g. "neuron"
    start: int  # span in the original text
    end: int
    fstart: int  # span in the folded text
    fend: int
    sentence: int = 0
    clause: int = 0
    role: Role = Role.CONTENT
    masked: bool = False  # never earns or costs: copied from the question, or taken back by the student
    lang: str = ""  # "en" or "fr" when its sentence reads as one language, else "" (either)
    stems: tuple[str, str, str] = ("", "", "")  # English, French, French of the accented word


@dataclass
class Document:
    """A prepared answer: folded text with a map back to the original, and its tokens."""

    original: str
    folded: str
    index: list[int]  # folded position -> original position
    tokens: list[Token]
    foreign_words: int = 0

    @property
    def words(self) -> list[Token]:
        """Tokens made of letters (numbers excluded)."""
        return [t for t in self.tokens if any(c.isalpha() for c in t.text)]

    @property
    def content(self) -> list[Token]:
        return [t for t in self.tokens if t.role is Role.CONTENT]

    def original_span(self, fstart: int, fend: int) -> tuple[int, int]:
        """The original span of a folded span."""
        if not self.index:
            return 0, 0
        fstart = min(max(fstart, 0), len(self.index) - 1)
        last = min(max(fend - 1, fstart), len(self.index) - 1)
        return self.index[fstart], self.index[last] + 1

    def quote(self, start: int, end: int, limit: int = 90) -> str:
        """The student's own words between two original positions, tidied and clipped."""
        text = " ".join(self.original[start:end].split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fold_chars(text: str) -> tuple[str, list[int]]:
    """Lower-case, strip accents and ligatures; return the folded text and an index map."""
    if _folds_to_lower(text):  # most text: one character each
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        rep = _fold_char(ch)
        out.append(rep)
        index.extend([i] * len(rep))
    return "".join(out), index


def fold_text(text: str) -> str:
    """`fold_chars` without the index map, for text that is never quoted back."""
    if _folds_to_lower(text):
        return text.lower()
    return "".join(map(_fold_char, text))


def _folds_to_lower(text: str) -> bool:
    """Whether folding the text is lower-casing it: ASCII without a character the map changes."""
    return text.isascii() and _ASCII_MAPPED.isdisjoint(text)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    rep = CHAR_MAP.get(ch) or CHAR_MAP.get(ch.lower())
    if rep is not None:
        return rep
    if ch.isascii():
        return ch.lower()
    decomposed = unicodedata.normalize("NFKD", ch.lower())
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    # "≠" is not "=": its stroke is a negation, kept as "!=" (a stroke alone strikes nothing)
    return "!" + base if base and _NEGATING_OVERLAY in decomposed else base


_NEGATING_OVERLAY = "\u0338"  # the stroke through "≠", "≮", "∉"


# ASCII characters the map changes (beyond lower-casing): text without them folds to text.lower().
_ASCII_MAPPED = frozenset(c for c in map(chr, range(128)) if CHAR_MAP.get(c) or CHAR_MAP.get(c.lower()))


def fold_word(word: str) -> str:
    """Fold English and French plurals (and a final e / y) so singular and plural compare equal."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if is_number(word):
        return word.replace(",", ".")  # 0,5 and 0.5 are the same number
    base = word
    if len(word) > 3 and not word.isdigit() and word not in KEEP_FINAL_S:
        if word.endswith("eaux"):
            base = word[:-1]
        elif word.endswith("aux") and len(word) > 4:
            base = word[:-3] + "al"
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
            base = word[:-1]
    if len(base) > 3:
        if base.endswith("ie"):
            base = base[:-1]
        elif base.endswith("y"):
            base = base[:-1] + "i"
    if len(base) > 4 and base.endswith("e"):
        base = base[:-1]
    return base


_STEMMERS = {"en": snowballstemmer.stemmer("english"), "fr": snowballstemmer.stemmer("french")}


@lru_cache(maxsize=20_000)
def stems(word: str, written: str = "") -> tuple[str, str, str]:
    """The English and French Snowball stems of a folded word; a number is its own stem.

    French suffixes carry accents ("désactivés"), so the French stem is also taken from the word
    as written (lower case, accents kept) and then folded; both French stems count.
    """
    if not word.isalpha():
        return word, word, word
    french = _STEMMERS["fr"].stemWord(written.lower()) if written and written.lower() != word else ""
    folded = fold_chars(french)[0] if french else ""
    fr = _STEMMERS["fr"].stemWord(word)
    return _STEMMERS["en"].stemWord(word), fr, folded if folded.isalpha() else fr


@lru_cache(maxsize=20_000)
def english_stem(word: str) -> str:
    """The English Snowball stem of a folded word; a number is its own stem."""
    return _STEMMERS["en"].stemWord(word) if word.isalpha() else word


def is_number(word: str) -> bool:
    return bool(word) and word[0].isdigit() and all(c.isdigit() or c in ".," for c in word)


def prepare(text: str) -> Document:
    """Fold, tokenise and annotate an answer (or a rubric phrase, or a question)."""
    folded, index = fold_chars(text)
    folded, index, contracted = _join_contractions(folded, index)
    folded, index = _read_primes(folded, index)
    folded, index = _read_shorthand(folded, index)
    raw = [(m.group(), m.start(), m.end()) for m in WORD.finditer(folded)]
    tokens: list[Token] = []
    sentence = clause = 0
    previous_end = 0
    questions: set[int] = set()  # the sentences that end with "?"
    inverted: set[int] = set()  # subject pronouns put after their verb ("ne sature-t-elle pas")
    for word, fstart, fend in raw:
        gap = folded[previous_end:fstart]
        if tokens:
            if gap == "-" and joins_next(tokens[-1].text, word):
                _join(tokens[-1], word, text, index[fend - 1] + 1, fend)  # sur-apprentissage
                previous_end = fend
                continue
            if gap == "-" and word in _INVERTED_SUBJECTS:
                inverted.add(len(tokens))  # "sature-t-elle", "faut-il": a French question's verb
            boundary = _boundary(gap, tokens[-1].text, word)
            if boundary == "sentence":
                if "?" in gap:
                    questions.add(sentence)
                sentence += 1
                clause += 1
            elif boundary == "clause" or word in CLAUSE_WORDS or word in REASON_CLAUSE_WORDS:
                clause += 1
        ostart, oend = index[fstart], index[fend - 1] + 1
        role = Role.NEGATION if fend in contracted else word_role(word)  # "don't" is no French "dont"
        if word == "n" and _NOTATION_AFTER.match(folded, fend):
            role = Role.STOP  # "N(0, 1)", "n = 10": a name in notation, not the "n'" of a negation
        token = Token(word, fold_word(word), ostart, oend, fstart, fend, sentence, clause, role)
        token.stems = stems(word, text[ostart:oend])
        tokens.append(token)
        previous_end = fend
    if tokens and "?" in folded[previous_end:]:
        questions.add(sentence)
    asked: dict[int, list[int]] = {}  # each question's tokens
    for i, token in enumerate(tokens):
        if token.sentence in questions:
            asked.setdefault(token.sentence, []).append(i)
    _mark_languages(tokens)
    _read_english_dont(tokens)
    _set_aside_choices(tokens, asked, text)
    _resolve_negations(tokens)
    _resolve_double_denials(tokens)
    _resolve_rhetorical_questions(tokens, asked, inverted)
    _resolve_corrections(tokens, folded)
    _resolve_picks(tokens, questions)
    _resolve_labelled_picks(tokens, folded, text)
    foreign = len(_FOREIGN_WORD.findall(folded))
    return Document(text, folded, index, tokens, foreign)


def _join_contractions(folded: str, index: list[int]) -> tuple[str, list[int], frozenset[int]]:
    """English "n't" written as one word, as students also write it ("doesn't" reads "doesnt"), so
    that a `re:` pattern or a word list names one spelling for both; also the folded end of each
    such word, which is a negation whatever its letters ("don't" is no French "dont")."""
    if "n't" not in folded:
        return folded, index, frozenset()
    cuts = [m.start() for m in _CONTRACTION.finditer(folded)]
    dropped = set(cuts)
    keep = [i for i in range(len(folded)) if i not in dropped]
    ends = frozenset(cut - k + 1 for k, cut in enumerate(cuts))  # just after the "t", once joined
    return "".join(folded[i] for i in keep), [index[i] for i in keep], ends


_CONTRACTION = re.compile(r"(?<=[a-z]n)'(?=t\b)")


def _read_primes(folded: str, index: list[int]) -> tuple[str, list[int]]:
    """A prime after a name, before its argument or an equals sign, is a derivative: "tanh'(0) = 1"
    reads "tanh derivative (0) = 1", not "tanh(0) = 1"; "f'' = 0" reads "f derivative derivative".
    A word in quotes is no name ("the 'bottleneck' (middle layer)"). The word stands where the
    prime was (a quote shows the prime)."""
    if "'" not in folded:
        return folded, index
    spans = []
    for m in _PRIME.finditer(folded):
        name = _NAME_BEFORE.search(folded, 0, m.start())
        if name is None or folded[name.start() - 1 : name.start()] == "'":
            continue  # a word in quotes: "the 'bottleneck' (middle layer)"
        spans.append((m.start(), m.end(), _DERIVATIVE * (m.end() - m.start())))
    return _substitute(folded, index, spans)


def _read_shorthand(folded: str, index: list[int]) -> tuple[str, list[int]]:
    """Shorthand read as the word it stands for: "w/o" and "w/out" are "without" (a negation: "a
    CNN w/o the classifier"), not the letters "w" and "o"; "w.r.t." is "wrt", one word, and its
    periods end no clause ("the gradient w.r.t. mu is hard to get" is one statement)."""
    if "w/" not in folded and "w." not in folded:
        return folded, index
    spans = []
    for m in _SHORTHAND.finditer(folded):
        if "/" in m.group():
            spans.append((m.start(), m.end(), "without"))
            continue
        for dot in _DOT.finditer(folded, m.start(), m.end()):  # the letters keep their own places
            glued = dot.end() == m.end() and folded[m.end(): m.end() + 1].isalnum()
            spans.append((dot.start(), dot.end(), " " if glued else ""))
    return _substitute(folded, index, spans)


def _substitute(folded: str, index: list[int], spans: list[tuple[int, int, str]]) -> tuple[str, list[int]]:
    """The folded text with each (start, end, text) span, in order, replaced by its text; each
    character of a replacement maps to the original characters of the span, spread evenly."""
    out: list[str] = []
    mapped: list[int] = []
    done = 0
    for start, end, text in spans:
        out.append(folded[done:start])
        mapped.extend(index[done:start])
        out.append(text)
        mapped.extend(index[start + k * (end - start) // len(text)] for k in range(len(text)))
        done = end
    out.append(folded[done:])
    mapped.extend(index[done:])
    return "".join(out), mapped


_SHORTHAND = re.compile(r"(?<![a-z0-9])(?:w/o(?:ut)?(?![a-z0-9])|w\. ?r\. ?t(?:\.|(?![a-z0-9])))")
_DOT = re.compile(r"\. ?")
_PRIME = re.compile(r"(?<=[a-z0-9)])'{1,2}(?=\s*[(=])")
_NAME_BEFORE = re.compile(r"[a-z0-9()]+$")
_DERIVATIVE = " derivative "


# Function words that also serve as prefixes: "sur-apprentissage" is one word, "surapprentissage";
# "sous-échantillonnage" is "souséchantillonnage".
STOP_PREFIXES = word_set("sur sous")


def joins_next(first: str, second: str) -> bool:
    """Whether a hyphenated pair is read as one word: a function word used as a prefix
    ("sur-apprentissage", "sur-échantillonnage"), so that it matches the word written without the
    hyphen and is not lost among the function words. Other pairs ("non-zero", "co-adapt") stay apart."""
    return first in STOP_PREFIXES and second.isalpha()


def _join(token: Token, word: str, text: str, oend: int, fend: int) -> None:
    token.text += word
    token.norm = fold_word(token.text)
    token.end, token.fend = oend, fend
    token.role = word_role(token.text)
    token.stems = stems(token.text, text[token.start:oend].replace("-", ""))


def word_role(word: str) -> Role:
    """Whether a folded word carries meaning, is a function word, or a negation."""
    if word in NEGATORS:
        return Role.NEGATION
    if word in EN_STOP or word in FR_STOP or word in CLAUSE_WORDS or word in REASON_CLAUSE_WORDS:
        return Role.STOP
    if len(word) == 1 and word.isalpha():
        return Role.STOP
    return Role.CONTENT


def _boundary(gap: str, before: str, after: str) -> str | None:
    """Whether the characters between two words end a sentence or a clause."""
    if "\n" in gap or any(c in gap for c in "!?;"):
        return "sentence"
    if "." in gap:
        if gap == "." and before.isdigit() and after.isdigit():
            return None  # 0.5
        if (len(before) == 1 or before in _ABBREVIATIONS) and gap[0] == ".":
            return "clause"  # e.g. / i.e. / etc. (not "max(0, x). The sigmoid ...": a bracket closed first)
        return "sentence"
    if any(c in gap for c in ",:()[]{}") or " - " in gap:
        return "clause"
    if _LISTING.search(gap) and len(before) > 2 and before.isalpha() and after.isalpha() and after not in _ZERO_WORDS:
        return "clause"  # shorthand: "pas de saturation + calcul rapide", "no saturation -> fast training"
    return None


# Signs that join items of a shorthand list or a chain of consequences, between two words.
_LISTING = re.compile(r"\s[+&]\s|->|=>|[→⇒⟶]")
_ZERO_WORDS = frozenset({"zero", "zeros", "nul", "nulle", "nuls", "nulles", "rien", "nothing", "infinity", "infini"})


def _resolve_negations(tokens: list[Token]) -> None:
    """Undo negation words that do not negate: "not only", French "ne ... que" (= only), "or not"
    ("ou non", "ou pas") offered as an alternative, "don't forget to" and "n'hésitez pas à" (which
    put forward what follows), and the noun "pas" (a step: "à chaque pas", "le pas d'apprentissage")."""
    for i, token in enumerate(tokens):
        if token.role is not Role.NEGATION:
            continue
        before = tokens[i - 1] if i else None
        if (token.text == "pas" and before is not None and before.text in _PAS_NOUN_AFTER
                and before.clause == token.clause
                and not any(t.text in ("ne", "n") for t in tokens[max(i - 5, 0): i] if t.clause == token.clause)):
            token.role = Role.CONTENT
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.text == "pas" and following is not None and following.text == "mal" \
                and following.clause == token.clause:
            token.role = Role.STOP  # "ça réduit pas mal le surapprentissage": quite a lot
            continue
        if token.text in ("not", "non", "pas") and before is not None and before.text in ("or", "ou") \
                and before.clause == token.clause:
            token.role = Role.STOP  # "kept or not", "gardé ou non": an alternative, not a denial
            continue
        if any(other is not None and other.clause == token.clause and other.text.startswith(_AFFIRMED_BY_DENIAL)
               for other in (following, before if token.text in _FR_NEGATION_PARTNERS else None)):
            token.role = Role.STOP  # "don't forget to", "n'oubliez pas de": what follows is put forward
            continue
        if following is not None and following.text in _NOT_NEGATING_AFTER and following.clause == token.clause:
            token.role = Role.STOP
        elif token.text in ("ne", "n"):
            ahead = [t.text for t in tokens[i + 1 : i + 7] if t.clause == token.clause]
            partner = next((w for w in ahead if w in _FR_NEGATION_PARTNERS or w in ("que", "qu")), None)
            if partner in ("que", "qu"):
                token.role = Role.STOP  # "n'est utilisé qu'à l'entraînement": only at training


def _resolve_double_denials(tokens: list[Token]) -> None:
    """ "It's not that it doesn't help", "Ce n'est pas qu'il n'y a jamais de gradient nul": a denial
    of a denied clause asserts the clause. The two negations (with the "ne" of each) are no denial
    then; a "not that" whose clause is not negated still denies it ("it's not that ReLU is slow")."""
    for i, token in enumerate(tokens):
        if (token.role is not Role.NEGATION or token.text not in ("not", "pas", "non")
                or i + 1 >= len(tokens) or tokens[i + 1].text not in ("that", "que", "qu")
                or tokens[i + 1].clause != token.clause):
            continue
        inner = [j for j in range(i + 2, min(i + 2 + _DOUBLE_DENIAL_REACH, len(tokens)))
                 if tokens[j].clause == token.clause and tokens[j].role is Role.NEGATION]
        if not inner:
            continue
        outer = [j for j in range(max(i - 3, 0), i) if tokens[j].text in ("ne", "n")
                 and tokens[j].role is Role.NEGATION and tokens[j].clause == token.clause]
        for j in (*outer, i, *inner):
            tokens[j].role = Role.STOP


_DOUBLE_DENIAL_REACH = 6  # words after "not that" in which the inner negation is looked for


def _resolve_rhetorical_questions(tokens: list[Token], asked: dict[int, list[int]], inverted: set[int]) -> None:
    """A negative question that is no "why" or "how" asserts what it asks: "Isn't the issue that
    the mean is not zero?", "Est-ce que ce n'est pas un mélange des canaux ?", "Don't we need the
    trick?". The negation before its first content word (with the "pas" of a "ne" there: "est-ce
    qu'on ne prend pas ..."), and a closing tag ("..., non ?", "n'est-ce pas ?"), are no denial; a
    negation further in still is ("... that the mean is not zero").

    So is the negation around a verb put before its subject ("la sigmoïde ne sature-t-elle pas ?",
    "ne faut-il pas ...?") and the negation after the subject of a question that opens with its
    verb ("Does the sigmoid not saturate?", "Is the gradient not zero there?", "Est-ce que la
    sigmoïde ne sature pas ?")."""
    for positions in asked.values():
        members = [tokens[i] for i in positions]
        lead = 1 if members and members[0].text in _QUESTION_LEADS else 0
        opening = members[lead:]
        if not opening or opening[0].text in _WH_WORDS:
            continue
        first_content = next((n for n, t in enumerate(opening) if t.role is Role.CONTENT), len(opening))
        french = any(t.text in ("ne", "n") and t.role is Role.NEGATION for t in opening[:first_content])
        for n, token in enumerate(opening[: first_content + 2]):
            if token.role is Role.NEGATION and (n < first_content or (french and token.text in _FR_NEGATION_PARTNERS)):
                token.role = Role.STOP
        _clear_negation_after_subject(opening)
        for i in positions:
            if i in inverted and i + 1 not in inverted:  # the last of "-t-elle"
                _clear_inverted_negation(tokens, i)
        tag = [t for t in members if t.clause == members[-1].clause]
        if [t.text for t in tag] in (["non"], ["n", "est", "ce", "pas"], ["not"]):
            for token in tag:
                token.role = Role.STOP


def _clear_negation_after_subject(opening: list[Token]) -> None:
    """ "Does the sigmoid not saturate?", "Est-ce que la sigmoïde ne sature pas ?": a question that
    opens with its verb (or "est-ce que") and whose subject is followed by a negation."""
    words = [t.text for t in opening[:3]]
    if words and words[0] in _EN_QUESTION_VERBS:
        start = 1
    elif words in (["est", "ce", "que"], ["est", "ce", "qu"]):
        start = 3
    else:
        return
    window = opening[start : start + _SUBJECT_WORDS + 1]
    n = next((n for n, t in enumerate(window) if t.role is Role.NEGATION), None)
    if n is None or window[n].text not in ("not", "ne", "n"):
        return
    _deny_nothing(window[n], opening[start + n + 1 : start + n + 4])


def _clear_inverted_negation(tokens: list[Token], pronoun: int) -> None:
    """ "ne sature-t-elle pas": the "ne" before the verb and the "pas" after its subject deny nothing."""
    verb = pronoun - 1
    while verb > 0 and tokens[verb].text in _INVERTED_SUBJECTS:
        verb -= 1  # "sature-t-elle": past the "t"
    ne = verb - 1
    if ne >= 0 and tokens[ne].text in ("ne", "n"):
        _deny_nothing(tokens[ne], tokens[pronoun + 1 : pronoun + 2])


def _deny_nothing(negation: Token, following: list[Token]) -> None:
    """A negation of a question that asserts: it, and for a French "ne" the first "pas" (or
    "jamais", ...) of its clause among `following`, deny nothing."""
    negation.role = Role.STOP
    if negation.text in ("ne", "n"):
        partner = next((t for t in following
                        if t.text in _FR_NEGATION_PARTNERS and t.clause == negation.clause), None)
        if partner is not None:
            partner.role = Role.STOP


_QUESTION_LEADS = word_set("but so and well then mais donc et alors bon")
_INVERTED_SUBJECTS = word_set("il elle on ils elles ce t")
# English questions that open with their verb, and how many words their subject may take.
_EN_QUESTION_VERBS = word_set("do does did is are was were can could would should will has have")
_SUBJECT_WORDS = 4
_WH_WORDS = word_set("""
why how what when where which who whom whose pourquoi comment quand ou quel quelle quels quelles quoi qui combien
""")


def _resolve_corrections(tokens: list[Token], folded: str) -> None:
    """What the student struck out or took back counts neither way: words between "~~" marks
    (struck through, as Markdown writes it), and the claim just before a correction ("used at test
    time, no wait, only while training", "(scratch that)", "en fait non", "je me corrige"): the
    words before it in its clause, or else (when they are no more than "but", "mais") the clause
    before it. The correction's own words are
    no negation of what follows."""
    if "~~" in folded:
        marks = [m.start() for m in re.finditer("~~", folded)]
        for begin, end in zip(marks[::2], marks[1::2], strict=False):
            for token in tokens:
                if begin < token.fstart < end:
                    token.masked = True
    texts = [t.text for t in tokens]
    n = 0
    while n < len(tokens):
        size = _phrase_at(texts, n, _CORRECTIONS)
        if not size:
            n += 1
            continue
        marker = tokens[n]
        if n + size < len(tokens) and tokens[n + size - 1].clause == tokens[n + size].clause \
                and texts[n + size] not in _CORRECTION_FOLLOWERS:
            n += size  # "no wait time", "oups je ..." inside a claim: not a correction
            continue
        before = [t for t in tokens[:n] if t.clause == marker.clause]
        if n > len(before) and not any(t.role is Role.CONTENT for t in before):
            # nothing but "but", "mais" before it in its clause: "I thought X, but no wait, Y"
            before += [t for t in tokens[:n] if t.clause == tokens[n - len(before) - 1].clause]
        for token in before:
            token.masked = True
        for token in tokens[n : n + size]:
            token.role = Role.STOP
        n += size


def _phrase_at(texts: list[str], n: int, phrases: dict[str, tuple[tuple[str, ...], ...]]) -> int:
    """The length of the first of `phrases` (indexed by their first word) written at `n`, or 0."""
    for phrase in phrases.get(texts[n], ()):
        if tuple(texts[n : n + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _by_first_word(phrases: tuple[str, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(phrase.split())
        index.setdefault(words[0], []).append(words)
    return {first: tuple(found) for first, found in index.items()}


# Words that take back what was just written. "I mean" and "je veux dire" are left out: they
# mostly say the same thing again in other words.
_CORRECTIONS = _by_first_word((
    "no wait", "wait no", "scratch that", "strike that", "i take that back", "actually no", "no actually",
    "oops", "non attends", "attends non", "en fait non", "enfin non", "euh non", "je me corrige", "je rectifie",
    "oups", "non pardon", "pardon non", "je retire ce que j ai dit",
))
# A correction goes on with the right claim without a comma: "no wait only during training".
_CORRECTION_FOLLOWERS = word_set("only it its they the i we on c ce il elle la le les seulement")


def _set_aside_choices(tokens: list[Token], asked: dict[int, list[int]], text: str) -> None:
    """A question that offers a choice asserts neither side: "Identity or step function?",
    "Saturation ou régime linéaire ?". Its words count neither way; the answer that follows is
    read on its own. A negative question ("Isn't it X or Y?") still asserts, as any other does."""
    for positions in asked.values():
        members = [tokens[i] for i in positions]
        choice = any(t.text in _QUESTION_CHOICES and text[t.start : t.end].lower() != "où" for t in members[1:-1])
        if choice and not any(t.role is Role.NEGATION for t in members):
            for token in members:
                token.masked = True


_QUESTION_CHOICES = word_set("or ou vs versus")


def _resolve_picks(tokens: list[Token], questions: set[int]) -> None:
    """Options weighed, then one picked: "GAN ou U-Net ? → je mets GAN", "Soit le dropout, soit
    les connexions résiduelles → je prends les connexions résiduelles", "Either X or Y; I'd go with
    Y". The options count neither way (the pick says again what it keeps): the words before the pick
    in its sentence, or else the sentence before it, when they offer a choice ("or", "ou", "soit",
    "between") and are a question, open with the choice, or are short."""
    texts = [t.text for t in tokens]
    for n, here in enumerate(tokens):
        if not _phrase_at(texts, n, _PICKS):
            continue
        options = [t for t in tokens[:n] if t.sentence == here.sentence]
        if not options and n:
            options = [t for t in tokens[:n] if t.sentence == tokens[n - 1].sentence]
        if not options or not {t.text for t in options} & _CHOICE_WORDS:
            continue
        asked = options[-1].sentence in questions and options[-1].sentence != here.sentence
        opened = options[0].text in _CHOICE_OPENERS
        short = sum(t.role is Role.CONTENT for t in options) <= _SHORT_OPTIONS
        if asked or opened or short:
            for token in options:
                token.masked = True


def _resolve_labelled_picks(tokens: list[Token], folded: str, text: str) -> None:
    """Labelled options, then one picked by its label: "Option A: ... Option B: ... I go with A",
    "(a) ... (b) ... je retiens (b)"; or picked by its rank ("I'd say the second option", "the
    latter"), among labelled options or among readings of the question, sentences that open with
    "if" or "si" ("If small means close to zero: ... If it means very negative: ... I think the
    first one is meant"). The options not picked count neither way: each labelled one runs from its
    label to the next label, the last one to the pick; a reading is its sentence. Labels are
    letters or numbers that follow each other (a, b, c; 1, 2), written after "option", "choix",
    "hypothesis" and the like or in parentheses ("(a)", "b)"); a letter alone is no label, so "a"
    the article never is one, nor is the "a" of "I go with a deeper network" a pick (a picked letter
    is a capital, or ends its clause)."""
    texts = [t.text for t in tokens]
    labels: list[tuple[int, str]] = []  # (index of the label's token, label)
    for n, token in enumerate(tokens):
        if _is_label(tokens, n, folded):
            labels.append((n, token.text))
        length = _phrase_at(texts, n, _PICKS) or _phrase_at(texts, n, _LABEL_PICKS)
        if not length:
            continue
        after = n + length
        while after < len(tokens) and texts[after] in _LABEL_FILLERS:
            after += 1
        if after >= len(tokens):
            continue
        offered = _consecutive(labels)
        rank = _rank(tokens, after, folded)
        if rank is None and len(offered) >= 2 and texts[after] in (named := [label for _, label in offered]):
            said = tokens[after]
            if text[said.start:said.end].isupper() or said.text.isdigit() or _ends_clause(said, folded):
                rank = named.index(texts[after]) + 1
        if rank is None:
            continue
        if len(offered) >= 2:
            ends = [first for first, _ in offered[1:]] + [n]
            spans = [(first - 1 if first and texts[first - 1] in _LABEL_WORDS else first, end)
                     for (first, _), end in zip(offered, ends, strict=True)]
        else:
            spans = _readings(tokens, n)
        if len(spans) < 2:
            continue
        picked = len(spans) - 1 if rank == 0 else rank - 1
        if picked >= len(spans):
            continue
        for k, (first, end) in enumerate(spans):
            if k != picked:
                for masked in tokens[first:end]:
                    masked.masked = True
        labels = []


def _rank(tokens: list[Token], n: int, folded: str) -> int | None:
    """The rank an ordinal at `n` picks (0 for the last: "the latter", "la dernière"), when it names
    an option ("the first one", "la deuxième option", "the second reading") or ends its clause."""
    rank = _ORDINALS.get(tokens[n].text)
    if rank is None:
        return None
    if tokens[n].text in ("former", "latter"):
        return rank
    follows = tokens[n + 1].text if n + 1 < len(tokens) else ""
    return rank if follows in _OPTION_NOUNS or _ends_clause(tokens[n], folded) else None


def _ends_clause(token: Token, folded: str) -> bool:
    """Whether the token is the last word of its clause: the text ends, or a mark follows it."""
    return folded[token.fend:token.fend + 1] in ("", ")", ",", ".", ";", ":", "!")


def _readings(tokens: list[Token], pick: int) -> list[tuple[int, int]]:
    """The sentences before the pick at `pick` that each open with "if" or "si", as token spans; the
    pick's own sentence is the last of them, up to the pick, when it opens so too (a sentence that
    ends with a number, "... is ~0. I think ...", runs on to the next)."""
    starts: dict[int, int] = {}
    for i, token in enumerate(tokens):
        starts.setdefault(token.sentence, i)
    here = tokens[pick].sentence
    spans: list[tuple[int, int]] = []
    if tokens[starts[here]].text in _READING_OPENERS and starts[here] < pick:
        spans.append((starts[here], pick))
    sentence = here - 1
    while sentence in starts and tokens[starts[sentence]].text in _READING_OPENERS:
        spans.insert(0, (starts[sentence], starts[sentence + 1]))
        sentence -= 1
    return spans


def _is_label(tokens: list[Token], n: int, folded: str) -> bool:
    token = tokens[n]
    if not _LABEL.fullmatch(token.text):
        return False
    if n and tokens[n - 1].text in _LABEL_WORDS:
        return True
    return folded[token.fend:token.fend + 1] == ")" and (token.fstart == 0 or folded[token.fstart - 1] in " (\n:")


def _consecutive(labels: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The last run of labels that follow each other (a, b, c or 1, 2, 3), the first of its kind."""
    run: list[tuple[int, str]] = []
    for n, label in labels:
        if run and ord(label) == ord(run[-1][1]) + 1:
            run.append((n, label))
        elif label in ("a", "1", "i"):
            run = [(n, label)]
    return run


_LABEL = re.compile(r"[a-e1-5]")
_LABEL_WORDS = word_set("option options choix choice proposition hypothese hypothesis cas case answer reponse")
_LABEL_FILLERS = word_set("option choix proposition hypothese hypothesis answer reponse the la le l is est c it s that que qu")
_LABEL_PICKS = _by_first_word((
    "je retiens", "i keep", "je garde", "i ll keep", "i d keep", "answer", "reponse", "i d say", "i would say",
    "i say", "je dirais", "je dis", "correct one", "la bonne", "i think", "je pense", "i guess",
))
# Ranks: 0 is the last.
_ORDINALS = {"first": 1, "premier": 1, "premiere": 1, "former": 1, "second": 2, "seconde": 2, "deuxieme": 2,
             "third": 3, "troisieme": 3, "latter": 0, "last": 0, "derniere": 0, "dernier": 0}
_OPTION_NOUNS = word_set("one option reading interpretation lecture cas case hypothesis hypothese choice choix "
                         "proposition sens meaning")
_READING_OPENERS = word_set("if si")

# "I'd go with" reads "i d go with"; "j'opte pour" reads "j opte".
_PICKS = _by_first_word((
    "i pick", "i d pick", "i ll pick", "i choose", "i d choose", "i ll choose", "i go with", "i d go with",
    "i ll go with", "i would go with", "i ll take", "i d take", "i take", "my pick", "my answer", "final answer",
    "je mets", "je prends", "je choisis", "je choisirais", "j opte", "je vote", "je pars sur", "ma reponse",
    "je dirais plutot", "reponse finale",
))
_CHOICE_WORDS = word_set("or ou soit either between entre vs versus")
_CHOICE_OPENERS = word_set("soit either entre between whether")
_SHORT_OPTIONS = 8  # content words of a list of options said in passing


def _sentence_language(words: list[str]) -> str:
    """ "en" or "fr" when the function words of a sentence clearly say so, else ""."""
    en = sum(1 for w in words if w in LANGUAGE_WORDS["en"] and w not in LANGUAGE_WORDS["fr"])
    fr = sum(1 for w in words if w in LANGUAGE_WORDS["fr"] and w not in LANGUAGE_WORDS["en"])
    if en > fr and en >= 1 and fr * 3 <= en:
        return "en"
    if fr > en and fr >= 1 and en * 3 <= fr:
        return "fr"
    return ""


_NOTATION_AFTER = re.compile(r"\s*[(\[=_]")


def _read_english_dont(tokens: list[Token]) -> None:
    """ "dont" typed without its apostrophe in an English clause is "don't" ("height and width dont
    change"); in French it is the relative pronoun ("le réseau dont la sortie ...")."""
    for token in tokens:
        if token.text == "dont" and token.lang == "en" and token.role is Role.STOP:
            token.role = Role.NEGATION


def _mark_languages(tokens: list[Token]) -> None:
    """Give every token the language of its clause, else of its sentence, else of the answer.

    A mixed answer ("Dropout drops neurons; c'est une régularisation") is read clause by clause.
    """
    answer = _sentence_language([t.text for t in tokens])
    sentences: dict[int, list[Token]] = {}
    clauses: dict[int, list[Token]] = {}
    for t in tokens:
        sentences.setdefault(t.sentence, []).append(t)
        clauses.setdefault(t.clause, []).append(t)
    sentence_lang = {k: _sentence_language([t.text for t in v]) for k, v in sentences.items()}
    for clause in clauses.values():
        lang = _sentence_language([t.text for t in clause]) or sentence_lang[clause[0].sentence] or answer
        for t in clause:
            t.lang = lang


# Stopword profiles to tell English and French from other languages.
LANGUAGE_WORDS = {
    "en": word_set("the and of is are to it that this with for which be by we an not from at can its"),
    "fr": word_set("le la les des est et un une du que qui pour dans sur par au aux ce cette sont avec pas ne il"),
    "de": word_set("der die das und ist nicht ein eine mit den dem zu auf fur sich auch werden wird sind bei oder wenn durch dass einer eines im um wahrend zur vom"),
    "es": word_set("el los las es y del por con para se lo como pero sus muy esta son entre cuando tambien al una mas durante"),
    "it": word_set("il lo gli della di che e non per con sono nel alla anche come piu questo essere degli delle dei una viene"),
    "pt": word_set("o os as um uma do da dos das em para com nao que se por mais como ao sao esta durante"),
}
LANGUAGE_NAMES = {"de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese"}


def language_profile(doc: Document) -> dict[str, int]:
    """How many tokens of the answer are typical function words of each language.

    Other languages count only words that are not also English or French function words, so a
    French "des" or "que" never votes for German or Spanish.
    """
    own = LANGUAGE_WORDS["en"] | LANGUAGE_WORDS["fr"] | EN_STOP | FR_STOP
    counts = {}
    for lang, words in LANGUAGE_WORDS.items():
        distinct = words if lang in ("en", "fr") else words - own
        counts[lang] = sum(1 for t in doc.tokens if t.text in distinct)
    return counts
