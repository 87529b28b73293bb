"""What an author uses to check a problem set: question tests (`tests:` of a part).

A question test is an answer and the status (and optionally the score and a piece of feedback)
it must get. Each runs on the default variant; when variants are on, also on a few random
variants, where an answer may name parameters as `{NAME}` (filled in per variant). An answer
without placeholders is tied to the default numbers, so it runs on random variants only when
the part does not depend on a parameter that varies.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.answers import Submission
from grader.budget import QUESTION_TEST_VARIANTS
from grader.engine import ExpectedCache, grade_part, part_parameters
from grader.spec.models import Part, Problem, ProblemSet, QuestionTest
from grader.variants import Variant, default_variant, variant_for

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SCORE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class TestOutcome:
    """One question test on one variant: what was expected and what the grader gave."""

    part: str
    index: int  # 1-based position in the part's `tests:`
    variant: str
    answer: Any
    expected: str  # the expected status, with the score when the test gives one
    status: str
    score: float
    max_score: float
    feedback: tuple[str, ...]
    passed: bool
    reason: str = ""

    @property
    def got(self) -> str:
        return f"{self.status} {_points(self.score)}/{_points(self.max_score)}"

    def describe(self) -> str:
        """One line for `validate`: which test, and what it got instead."""
        shown = _short(self.answer)
        line = f"{self.part}: test {self.index} (answer {shown}, variant {self.variant}): {self.reason}"
        if self.feedback:
            line += f"; feedback: {_short(' '.join(self.feedback), 160)}"
        return line


def run_question_tests(
    problem_set: ProblemSet, *, variants: int = QUESTION_TEST_VARIANTS, part_id: str | None = None
) -> list[TestOutcome]:
    """Run every question test of the set (or of one part) and return each outcome."""
    checks = [default_variant(problem_set)]
    if problem_set.meta.variants.enabled:
        checks += [variant_for(problem_set, f"question-test-{i}", force=True) for i in range(variants)]
    cache = ExpectedCache()
    outcomes = []
    for problem, part in problem_set.parts():
        if part_id is not None and part_id not in (part.id, *part.aliases):
            continue
        varying = _varying(problem, part)
        for index, test in enumerate(part.tests, 1):
            for variant in checks:
                raw = test.answer
                if not variant.is_default and not _uses_placeholders(raw) and varying:
                    continue
                outcomes.append(_run(problem_set, problem, part, index, test, variant, cache))
    return outcomes


def _varying(problem: Problem, part: Part) -> bool:
    names = part_parameters(part)
    return any(problem.parameters[n].vary is not None for n in names if n in problem.parameters)


def _uses_placeholders(raw: Any) -> bool:
    if isinstance(raw, str):
        return bool(_PLACEHOLDER.search(raw))
    if isinstance(raw, list):
        return any(_uses_placeholders(item) for item in raw)
    return False


def fill(raw: Any, params: dict[str, Any]) -> Any:
    """A test answer with `{NAME}` replaced by the variant's parameter (text and lists of text)."""
    from grader.variants import render_prompt

    if isinstance(raw, str):
        return render_prompt(raw, params)
    if isinstance(raw, list):
        return [fill(item, params) for item in raw]
    return raw


def _run(
    problem_set: ProblemSet, problem: Problem, part: Part, index: int, test: QuestionTest,
    variant: Variant, cache: ExpectedCache,
) -> TestOutcome:
    raw = fill(test.answer, variant.params.get(problem.id, {}))
    submission = Submission(student=None, problem_set=problem_set.id, answers={part.id: raw})
    result = grade_part(problem, part, variant, raw, submission, cache, problem_set.root)
    reasons = []
    if result.status.value != test.status:
        reasons.append(f"expected {test.status}, got {result.status.value}")
    if test.score is not None and abs(result.score - test.score) > SCORE_TOLERANCE:
        reasons.append(f"expected {_points(test.score)} point(s), got {_points(result.score)}")
    if test.feedback_contains and not any(
        test.feedback_contains.lower() in line.lower() for line in result.feedback
    ):
        reasons.append(f"no feedback line contains {test.feedback_contains!r}")
    expected = test.status + (f" {_points(test.score)}/{_points(part.points)}" if test.score is not None else "")
    return TestOutcome(
        part=part.id, index=index, variant=variant.key, answer=raw, expected=expected,
        status=result.status.value, score=result.score, max_score=result.max_score,
        feedback=result.feedback, passed=not reasons, reason="; ".join(reasons),
    )


def _points(value: float) -> str:
    return f"{value:g}"


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- `grader new` and `grader sets` ---------------------------------------------------------------


@dataclass(frozen=True)
class SetSummary:
    """One problem set found on disk, for `grader sets`."""

    id: str
    title: str
    parts: int
    points: float
    path: str
    error: str = ""


def new_set(folder: str | Path, title: str) -> list[Path]:
    """Write a skeleton problem set into `folder` (new or empty); return the files written."""
    from grader.errors import UsageError
    from grader.skeleton import FILES

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} exists and is not empty; choose a new folder so nothing is overwritten.")
    set_id = re.sub(r"[^a-z0-9_]+", "_", folder.resolve().name.lower()).strip("_") or "problem_set"
    if not set_id[0].isalpha():
        set_id = "set_" + set_id
    seed = int(hashlib.sha256(set_id.encode()).hexdigest()[:8], 16) % 100_000_000
    title = " ".join(title.split()) or set_id
    written = []
    for name, text in FILES.items():
        if name == "set.yaml":
            text = text.replace("{id}", set_id).replace("{title}", json.dumps(title, ensure_ascii=False))
            text = text.replace("{seed}", str(seed))
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def search_roots() -> list[Path]:
    """The folders of sets in lookup order (GRADER_PROBLEMS, the course's grader.toml, the
    bundled sets): the same places, in the same order, as a set id is looked up in."""
    from grader.sets import search_places

    return [folder for place in search_places() for folder in place.folders if folder.is_dir()]


def find_sets(roots: list[Path] | None = None) -> list[SetSummary]:
    """Every problem set (a folder with set.yaml) directly under the search roots; one that
    does not load is listed with its first error."""
    from grader.errors import GraderError
    from grader.spec import load_problem_set

    found = []
    seen: set[Path] = set()
    for root in search_roots() if roots is None else roots:
        for set_file in sorted(root.glob("*/set.yaml")):
            folder = set_file.parent.resolve()
            if folder in seen:
                continue
            seen.add(folder)
            try:
                problem_set = load_problem_set(set_file.parent)
            except GraderError as err:
                first = str(err).splitlines()[1:2] or [str(err)]
                found.append(SetSummary(set_file.parent.name, "", 0, 0.0, str(set_file.parent), first[0].strip()))
                continue
            found.append(SetSummary(problem_set.id, problem_set.title, len(problem_set.parts()),
                                    problem_set.max_score, str(set_file.parent)))
    return found


# ----- tuning a text part's rubric ----------------------------------------------------------------


def part_rubric(set_path: str | Path, part_id: str) -> tuple[Any, str]:
    """The compiled rubric of a text part of a problem set, and the part's question."""
    from grader.errors import UsageError
    from grader.rubric import load_rubric, part_options
    from grader.spec import load_problem_set

    problem_set = load_problem_set(set_path)
    found = problem_set.find_part(part_id)
    if found is None:
        text_parts = [p.id for _, p in problem_set.parts() if p.kind == "text"]
        raise UsageError(f"No part {part_id!r} in {problem_set.id}; its text parts are: {', '.join(text_parts)}.")
    _, part = found
    if "rubric" not in part.options:
        raise UsageError(f"Part {part.id} ({part.kind}) has no rubric; rubric-test works on text parts.")
    options = part_options(part.options, problem_set.root, part.prompt)
    return load_rubric(options["rubric"]), options.get("prompt", "")


def run_part_samples(set_path: str | Path, part_id: str, samples_path: str | Path) -> Any:
    """`grader rubric-test`: score a samples file against a part's rubric."""
    from grader.rubric.samples import load_samples
    from grader.rubric.tune import run_samples

    rubric, prompt = part_rubric(set_path, part_id)
    return run_samples(rubric, load_samples(samples_path), prompt, part_id)


def write_example_indexes(set_path: str | Path) -> list[Path]:
    """`grader rubric-index`: write the index of each text rubric's graded examples beside the
    rubrics (`rubrics/prepared/<rubric>.json`), prepared for its part's question, so that a first
    check reads it instead of the example files. Returns the files written, in the set's order."""
    from grader.rubric import load_rubric
    from grader.rubric.examples import write_index
    from grader.rubric.loader import prepared_index_path

    written: list[Path] = []
    for options in _text_rubric_options(set_path):
        target = prepared_index_path(options["rubric"])
        if target in written:  # a rubric two parts share
            continue
        target.unlink(missing_ok=True)  # the files themselves are read, not an older index
        rubric = load_rubric(options["rubric"])
        if rubric.examples is None:
            continue
        rubric.examples.prepare_for(options["prompt"])  # weighed for the question, as grading does
        target.parent.mkdir(exist_ok=True)
        if not write_index(target, rubric.examples):
            raise OSError(f"could not write {target}")
        written.append(target)
    return written


def write_rubric_data(set_path: str | Path) -> list[Path]:
    """`grader rubric-index`: write each text rubric file's fields as JSON beside the rubrics
    (`rubrics/prepared/data/<rubric>.json`), which a first check reads instead of the YAML while
    the file is unchanged. Returns the files written, in the set's order."""
    from grader.rubric import load_rubric
    from grader.rubric.loader import data_key, prepared_data_path, read_rubric_fields, write_data

    written: list[Path] = []
    for options in _text_rubric_options(set_path):
        target = prepared_data_path(options["rubric"])
        if target in written:  # a rubric two parts share
            continue
        load_rubric(options["rubric"])  # only a rubric that loads is prepared
        text = Path(options["rubric"]).read_text(encoding="utf-8")
        target.unlink(missing_ok=True)
        if write_data(target, read_rubric_fields(options["rubric"], text), data_key(text)):
            written.append(target)
    return written


def write_pattern_stores(set_path: str | Path) -> list[Path]:
    """`grader rubric-index`: write, for each folder of the set's text rubrics, the strings each of
    their regular expressions requires (`rubrics/prepared/patterns.json`, see
    grader.rubric.prefilter), so that a first check compiles only the patterns an answer could
    match. Returns the files written, in the set's order."""
    from grader.cachedir import write_atomically
    from grader.rubric import load_rubric
    from grader.rubric.model import pattern_sources
    from grader.rubric.prefilter import prepared_store_path, required_strings, store_text

    sources: dict[Path, dict[str, None]] = {}
    for options in _text_rubric_options(set_path):
        rubric = load_rubric(options["rubric"])
        folder = Path(options["rubric"]).parent
        sources.setdefault(folder, {}).update(dict.fromkeys(pattern_sources(rubric.spec)))
    written = []
    for folder, found in sources.items():
        if not found:
            continue
        target = prepared_store_path(folder)
        target.parent.mkdir(exist_ok=True)
        if not write_atomically(target, store_text({s: required_strings(s) for s in found}).encode("utf-8")):
            raise OSError(f"could not write {target}")
        written.append(target)
    return written


def _text_rubric_options(set_path: str | Path) -> list[dict[str, Any]]:
    """The options of each text part of a set whose rubric is a file (its path made absolute and
    the question added as `prompt`), in the set's order."""
    from grader.rubric import part_options
    from grader.spec import load_problem_set

    problem_set = load_problem_set(set_path)
    found = []
    for _, part in problem_set.parts():
        options = part_options(part.options, problem_set.root, part.prompt)
        if part.kind == "text" and isinstance(options.get("rubric"), str):
            found.append(options)
    return found
