"""Loading a problem set from disk with errors that name the file, the line and the field."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from grader.errors import ProblemSetNotFound, SpecInvalid
from grader.kinds import KNOWN_KIND_NAMES
from grader.solvers import SOLVERS
from grader.spec.models import PARAM_REF, SCHEMA_VERSION, Problem, ProblemSet, ProblemSetFile
from grader.spec.yamlsafe import YamlError, line_of, load_yaml

SET_FILE = "set.yaml"


def find_set_file(path: str | Path) -> Path:
    """The `set.yaml` of a problem-set folder (or the file itself); a bare id is looked up."""
    from grader.sets import set_folder

    path = set_folder(path)
    if path.is_dir():
        path = path / SET_FILE
    if not path.is_file():
        raise ProblemSetNotFound(
            f"No problem set at {path}: give a folder that contains {SET_FILE}, e.g. problems/mlp_cnn."
        )
    return path


def load_problem_set(path: str | Path) -> ProblemSet:
    """Read and check a problem set; raise SpecInvalid listing every error found."""
    set_file = find_set_file(path)
    errors: list[str] = []
    digest = hashlib.sha256()
    meta = _load_model(set_file, ProblemSetFile, errors, digest)
    problems: list[Problem] = []
    if meta is not None:
        for name in meta.problems:
            problem_file = set_file.parent / name
            if not problem_file.is_file():
                errors.append(f"{set_file}: problem file {name!r} listed in 'problems' does not exist")
                continue
            problem = _load_model(problem_file, Problem, errors, digest)
            if problem is not None:
                errors.extend(_check_problem(problem, problem_file))
                problems.append(problem)
        errors.extend(_check_unique_ids(problems, set_file))
        _digest_referenced_files(problems, set_file.parent, digest)
    if errors:
        raise SpecInvalid("The problem set has errors:\n  " + "\n  ".join(errors))
    assert meta is not None
    return ProblemSet(meta=meta, problems=problems, root=str(set_file.parent), digest=digest.hexdigest())


def _load_model(file: Path, model: type[BaseModel], errors: list[str], digest: Any) -> Any:
    text = file.read_text(encoding="utf-8")
    digest.update(file.name.encode() + b"\0" + text.encode() + b"\0")
    try:
        data, node = load_yaml(text, allow_aliases=True)
    except YamlError as err:
        errors.append(f"{file}:{err.line or '?'}: {err.message}")
        return None
    if not isinstance(data, dict):
        errors.append(f"{file}:1: expected a mapping of fields, found {type(data).__name__}")
        return None
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        errors.append(
            f"{file}:{line_of(node, ['schema_version'])}: schema_version is {version!r}; "
            f"this grader reads schema_version {SCHEMA_VERSION}"
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        for item in err.errors():
            loc = [p for p in item["loc"] if not isinstance(p, str) or not p.startswith("function-")]
            field = ".".join(str(p) for p in loc) or "(top level)"
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                known = list(getattr(_model_at(model, loc[:-1]), "model_fields", {}))
                near = difflib.get_close_matches(str(loc[-1]), known, n=1)
                message = "unknown field" + (f" (did you mean {near[0]!r}?)" if near else "")
            errors.append(f"{file}:{line_of(node, loc)}: {field}: {message}")
        return None


def _model_at(model: type, loc: list[Any]) -> type | None:
    """The pydantic model at a location, to suggest field names (best effort)."""
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            continue
        field = getattr(current, "model_fields", {}).get(step)
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", ()) or ()
        candidates = [annotation, *args]
        current = next((c for c in candidates if hasattr(c, "model_fields")), None)
        if current is None:
            return None
    return current


def _check_problem(problem: Problem, file: Path) -> list[str]:
    """Cross-field checks pydantic cannot see: kinds, solver names, parameter references."""
    errors = []
    for part in problem.parts:
        where = f"{file}: part {part.id}"
        if part.kind not in KNOWN_KIND_NAMES:
            near = difflib.get_close_matches(part.kind, KNOWN_KIND_NAMES, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            errors.append(f"{where}: unknown kind {part.kind!r}{hint}")
        calls = [("solver", part.solver)] + [(f"misconception {m.id}", m.solver) for m in part.misconceptions]
        for label, call in calls:
            if call is None:
                continue
            if call.name not in SOLVERS:
                near = difflib.get_close_matches(call.name, SOLVERS, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                errors.append(f"{where}: {label}: no solver named {call.name!r}{hint}")
            for arg, value in call.args.items():
                ref = PARAM_REF.match(value) if isinstance(value, str) else None
                if ref and ref.group(1) not in problem.parameters:
                    errors.append(f"{where}: {label}: argument {arg} refers to unknown parameter ${ref.group(1)}")
        if part.misconceptions and part.solver is None:
            errors.append(f"{where}: misconceptions need the part to have a solver")
    return errors


def _digest_referenced_files(problems: list[Problem], root: Path, digest: Any) -> None:
    """Files a part's options point at (rubrics) are part of the spec: editing one must regrade."""
    for problem in problems:
        for part in problem.parts:
            path = part.options.get("rubric")
            if isinstance(path, str) and (root / path).is_file():
                digest.update(b"file\0" + path.encode() + b"\0" + (root / path).read_bytes() + b"\0")


def _check_unique_ids(problems: list[Problem], set_file: Path) -> list[str]:
    seen: dict[str, str] = {}
    errors = []
    for problem in problems:
        for part in problem.parts:
            for name in [part.id, *part.aliases]:
                if name in seen:
                    errors.append(f"{set_file}: part id {name!r} is used by both {seen[name]} and {problem.id}")
                seen[name] = problem.id
    return errors
