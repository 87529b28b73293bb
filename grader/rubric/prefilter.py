"""The strings a regular expression cannot match without, so that a rubric's patterns are compiled
only for the answers that could match them.

Python compiles a regular expression in Python code, about a quarter of a millisecond each, and the
patterns (`re:`) are most of the cost of loading a rubric that has hundreds. Most of them cannot
match a given answer: a pattern about vanishing gradients cannot match a text without "vanish" or
"gradient" in it. `required_strings` reads that from the pattern's syntax tree as a tuple of groups,
each holding strings one of which every match contains:

    required_strings(r"\\b(?:vanish|disappear)\\w*\\s+grad")  ->  (("disappear", "vanish"), ("grad",))

`may_match` tests a text against them with plain substring searches.

The groups of a rubric folder's patterns are kept in a small store, so a process need not parse the
patterns to learn them: `prepared/patterns.json` beside the rubrics (written by `grader
rubric-index`, shipped with the set) and a copy in the cache folder for any other folder. A pattern
found in a store was compiled without error when the store was written, by the same minor version
of Python (the file names it; another version's file is not read), so it is compiled only when an
answer holds one string of each of its groups. A pattern found in neither is compiled when the
rubric loads, as before, so a mistake in it is reported then.

Sound by construction, never a guess: only literal characters read with case are kept; a part that
may be absent (a repeat of at least zero, an optional group), a negative lookaround, a class, a
back-reference and a conditional require nothing; an alternation requires one of its branches'
strings, and nothing at all when one branch requires nothing. A positive lookaround requires what
its body requires: the strings are looked for in the whole answer, and the text a lookaround reads
is in it, beside the match. Tests check every shipped pattern against the sample answers, and
random patterns against random texts.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from grader.cachedir import cache_folder, path_name, python_version, write_atomically

Needs = tuple[tuple[str, ...], ...]  # every group: one of its strings is in any text the pattern matches

STORE_FORMAT = 3  # 2: positive lookarounds require what their body requires; 3: edges of words
PREPARED_FOLDER = "prepared"  # beside a set's rubrics: what `grader rubric-index` prepares for them
STORE_NAME = "patterns.json"  # in a rubric folder's PREPARED_FOLDER
CACHE_FOLDER = "patterns"  # in the cache folder
MIN_LENGTH = 2  # a one-character string is in almost every answer: not worth testing
MAX_STORED = 20_000  # a cached store that grows past this starts again from one rubric's patterns

# The standard library's own parser of regular expressions (`re` has no public syntax tree). Should
# a Python change it beyond reading, every pattern simply requires nothing (see `required_strings`).
_parser: Any = importlib.import_module("re._parser")
_IGNORING_CASE = 2 | 4  # re.IGNORECASE | re.LOCALE: literals that may match other characters
_ASCII = 256  # re.ASCII
_ASCII_GROUP = re.compile(r"\(\?[aiLmsux-]*a")  # an inline flag group that turns re.ASCII on
_ENDS = ("AT_BEGINNING", "AT_BEGINNING_STRING", "AT_END", "AT_END_STRING")
_WORD = re.compile(r"\w")
_NON_WORD = re.compile(r"\W")


def required_strings(source: str) -> Needs:
    """The groups of strings one of each of which every match of `source` contains, as they are
    found in `searchable(text)`; () when nothing can be said (including a pattern this Python's
    parser rejects or reads otherwise)."""
    try:
        tree = _parser.parse(source, 0)
        if tree.state.flags & _IGNORING_CASE:
            return ()
        # Under re.ASCII a letter such as "é" is not a word character for \b: edges are not read.
        edges = not (tree.state.flags & _ASCII or _ASCII_GROUP.search(source))
        groups = _needs(list(tree), 0, None, None, edges)
    except Exception:  # noqa: BLE001 - nothing read means nothing required: always sound
        return ()
    return tuple(sorted(set(groups)))


def searchable(text: str) -> str:
    """The text as required strings are looked for in it: every character that is not a word
    character (`\\W`) read as a space, and a space at each end. A string that a pattern requires
    next to such a character, or at an end of the text, carries that space."""
    return f" {_NON_WORD.sub(' ', text)} "


# What sits beside a run of literal characters: EDGE, a character that is not a word character (or
# an end of the text) for certain; BOUNDARY, `\b`, which is such an edge beside a word character.
EDGE, BOUNDARY = "edge", "boundary"


def _edge(item: tuple[Any, Any] | None) -> str | None:
    """Whether an item of a parsed pattern matches or asserts a non-word character or a text end."""
    if item is None:
        return None
    op, arg = str(item[0]), item[1]
    if op == "AT":
        return BOUNDARY if str(arg) == "AT_BOUNDARY" else EDGE if str(arg) in _ENDS else None
    if op == "LITERAL":
        return EDGE if not _WORD.match(chr(arg)) else None
    if op == "IN":
        return EDGE if arg and all(_non_word_member(member) for member in arg) else None
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        least, _, inner = arg
        inner = list(inner)
        return EDGE if least >= 1 and len(inner) == 1 and _edge(inner[0]) == EDGE else None
    return None


def _non_word_member(member: tuple[Any, Any]) -> bool:
    op, arg = str(member[0]), member[1]
    if op == "LITERAL":
        return not _WORD.match(chr(arg))
    return op == "CATEGORY" and str(arg) in ("CATEGORY_SPACE", "CATEGORY_NOT_WORD")


def _needs(items: list[tuple[Any, Any]], depth: int, before: str | None, after: str | None,
           edges: bool) -> list[tuple[str, ...]]:
    """The groups a sequence of parsed items requires (strings sorted in each group); `before` and
    `after` say what surrounds the sequence (an EDGE, a BOUNDARY or nothing known)."""
    if depth > 50:
        return []
    groups: list[tuple[str, ...]] = []
    run: list[str] = []
    run_before: str | None = None

    def beside(index: int) -> str | None:
        if not edges:
            return None
        if index < 0:
            return before
        if index >= len(items):
            return after
        return _edge(items[index])

    def end_run(following: str | None) -> None:
        if len(run) >= MIN_LENGTH:
            text = "".join(run)
            left = run_before == EDGE or (run_before == BOUNDARY and bool(_WORD.match(text[0])))
            right = following == EDGE or (following == BOUNDARY and bool(_WORD.match(text[-1])))
            groups.append((f"{' ' if left else ''}{_NON_WORD.sub(' ', text)}{' ' if right else ''}",))
        run.clear()

    for index, (op, arg) in enumerate(items):
        name = str(op)
        if name == "LITERAL":
            if not run:
                run_before = beside(index - 1)
            run.append(chr(arg))
            continue
        end_run(beside(index))
        # A group matched once has this item's surroundings; a repeated one, none known.
        around = (beside(index - 1), beside(index + 1))
        if name == "SUBPATTERN":
            _, added, _, inner = arg
            if not added & _IGNORING_CASE:
                groups += _needs(list(inner), depth + 1, *around, edges)
        elif name == "ATOMIC_GROUP":
            groups += _needs(list(arg), depth + 1, *around, edges)
        elif name == "ASSERT":  # (?=...) or (?<=...): the text holds what the body needs, beside the match
            groups += _needs(list(arg[1]), depth + 1, None, None, edges)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            least, _, inner = arg
            if least >= 1:
                groups += _needs(list(inner), depth + 1, None, None, edges)
        elif name == "BRANCH":
            union: set[str] = set()
            for branch in arg[1]:
                found = _needs(list(branch), depth + 1, *around, edges)
                if not found:
                    break  # this branch requires nothing, so the alternation requires nothing
                tightest: tuple[str, ...] = min(found, key=_looseness)
                union.update(tightest)
            else:
                groups.append(tuple(sorted(union)))
    end_run(beside(len(items)))
    return groups


def _looseness(group: tuple[str, ...]) -> tuple[int, int]:
    """How easily a text satisfies a group: more strings, and shorter ones, are easier."""
    return len(group), -min(len(s) for s in group)


def may_match(needs: Needs, searched: str) -> bool:
    """Whether `searched`, a text made `searchable`, holds one string of each group: if not, the
    pattern cannot match the text."""
    for group in needs:  # loops, not generators: this runs for every pattern on every answer
        for string in group:
            if string in searched:
                break
        else:
            return False
    return True


# -- stores --------------------------------------------------------------------------------------

def store_text(patterns: Mapping[str, Needs]) -> str:
    """A store's file: the format, the Python that parsed the patterns, and each pattern's groups."""
    lines = [f"{json.dumps(source, ensure_ascii=False)}: {json.dumps([list(g) for g in needs], ensure_ascii=False)}"
             for source, needs in sorted(patterns.items())]
    return (f'{{"format": {STORE_FORMAT}, "python": "{python_version()}", "patterns": {{\n'
            + ",\n".join(lines) + "\n}}\n")


def read_store(path: Path) -> dict[str, Needs]:
    """The patterns of a store file; {} when it is missing, damaged, or of another format or Python."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return _read_store(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)  # a folder's rubrics share its store: read it once while it is unchanged
def _read_store(path: str, mtime_ns: int, size: int) -> dict[str, Needs]:
    try:
        body = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(body, dict) or body.get("format") != STORE_FORMAT or body.get("python") != python_version():
        return {}
    patterns = body.get("patterns")
    if not isinstance(patterns, dict):
        return {}
    found: dict[str, Needs] = {}
    for source, groups in patterns.items():
        if not (isinstance(groups, list) and all(
                isinstance(g, list) and g and all(isinstance(s, str) and s for s in g) for g in groups)):
            return {}  # one damaged entry: the file is not trusted at all
        found[source] = tuple(tuple(g) for g in groups)
    return found


def prepared_store_path(folder: Path) -> Path:
    return folder / PREPARED_FOLDER / STORE_NAME


def cached_store_path(folder: Path) -> Path | None:
    """The cache folder's store for a rubric folder (None when caching is off)."""
    cache = cache_folder(CACHE_FOLDER)
    if cache is None:
        return None
    return cache / f"{path_name(folder)}-py{python_version()}.json"


def known_patterns(folder: Path) -> dict[str, Needs]:
    """The patterns whose groups the folder's stores know: the shipped one, then the cached one."""
    cached = cached_store_path(folder)
    found = read_store(cached) if cached is not None else {}
    return {**found, **read_store(prepared_store_path(folder))}


def remember(folder: Path, sources: Iterable[str]) -> None:
    """Add patterns that compiled (their groups read now) to the cache folder's store of the folder;
    a store that cannot be written is simply not kept."""
    new = {source: required_strings(source) for source in sources}
    path = cached_store_path(folder) if new else None
    if path is None:
        return
    stored = read_store(path)
    if len(stored) + len(new) > MAX_STORED:
        stored = {}
    write_atomically(path, store_text({**stored, **new}).encode("utf-8"))
