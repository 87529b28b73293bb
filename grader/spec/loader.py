"""Loading a problem set from disk with errors that name the file, the line and the field."""

from __future__ import annotations

import difflib
import hashlib
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from grader.errors import SpecInvalid
from grader.kinds import KNOWN_KIND_NAMES
from grader.notation import Notation, using_notation
from grader.sets import find_set_file
from grader.solvers import SOLVERS, get_solver
from grader.solvers.registry import SetSolvers, load_set_solvers
from grader.spec.models import (
    PARAM_REF,
    SCHEMA_VERSION,
    WRITTEN_SOLVER,
    Part,
    Problem,
    ProblemSet,
    ProblemSetFile,
    SolverCall,
)
from grader.spec.yamlsafe import YamlError, line_of, load_yaml


def load_problem_set(path: str | Path) -> ProblemSet:
    """Read and check a problem set; raise SpecInvalid listing every error found."""
    set_file = find_set_file(path)
    errors: list[str] = []
    digest = hashlib.sha256()
    nodes: dict[Path, Any] = {}
    meta = _load_model(set_file, ProblemSetFile, errors, digest, nodes)
    problems: list[Problem] = []
    table: SetSolvers | None = None
    notation = None
    if meta is not None:
        names = meta.probability
        notation = Notation(names.observed, names.latent, names.model, names.approximation)
        if meta.solvers:
            table = load_set_solvers(set_file.parent, meta.solvers)
            digest.update(b"solvers\0" + table.digest.encode() + b"\0")
        for name in meta.problems:
            problem_file = set_file.parent / name
            if not problem_file.is_file():
                errors.append(f"{set_file}: problem file {name!r} listed in 'problems' does not exist")
                continue
            problem = _load_model(problem_file, Problem, errors, digest, nodes)
            if problem is not None:
                problem._solvers = table
                problem._notation = notation
                with using_notation(notation):  # written answers read with the set's letters
                    errors.extend(_check_problem(problem, problem_file, table, nodes.get(problem_file)))
                problems.append(problem)
        errors.extend(_check_unique_ids(problems, set_file))
        _digest_referenced_files(problems, set_file.parent, digest)
        if table is not None and table.errors:
            errors[:0] = [_with_users(error, problems, table) for error in table.errors]
    if errors:
        raise SpecInvalid("The problem set has errors:\n  " + "\n  ".join(errors))
    assert meta is not None
    return ProblemSet(
        meta=meta, problems=problems, root=str(set_file.parent), digest=digest.hexdigest(), solvers=table
    )


def _with_users(error: str, problems: list[Problem], table: SetSolvers) -> str:
    """A solver-file error, with the parts whose solvers could not be found because of it."""
    users = [
        part.id
        for problem in problems
        for part in problem.parts
        for call in (part.solver, *(m.solver for m in part.misconceptions))
        if call is not None and call.name not in table
    ]
    users = list(dict.fromkeys(users))
    if users:
        return error + f" (parts left without their solver: {', '.join(users)})"
    named = re.search(r"solver '([^']+)' is defined twice", error)
    if named:  # both definitions loaded: name the parts that use the name
        using = list(dict.fromkeys(
            part.id
            for problem in problems
            for part in problem.parts
            for call in (part.solver, *(m.solver for m in part.misconceptions))
            if call is not None and call.name == named.group(1)
        ))
        return error + (f" (used by {', '.join(using)})" if using else "")
    return error


def _load_model(file: Path, model: type[BaseModel], errors: list[str], digest: Any, nodes: dict[Path, Any]) -> Any:
    text = file.read_text(encoding="utf-8")
    digest.update(file.name.encode() + b"\0" + text.encode() + b"\0")
    try:
        data, node = load_yaml(text, allow_aliases=True)
    except YamlError as err:
        errors.append(f"{file}:{err.line or '?'}: {err.message}")
        return None
    nodes[file] = node
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
    return current if isinstance(current, type) else None


def _check_problem(problem: Problem, file: Path, table: SetSolvers | None = None, node: Any = None) -> list[str]:
    """Cross-field checks pydantic cannot see: kinds, solver names, parameter references,
    and that every written answer reads with its part's kind."""
    errors = []
    known = table if table is not None else SOLVERS
    for index, part in enumerate(problem.parts):
        where = f"{file}: part {part.id}"
        if part.kind not in KNOWN_KIND_NAMES:
            near = difflib.get_close_matches(part.kind, KNOWN_KIND_NAMES, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            errors.append(f"{where}: unknown kind {part.kind!r}{hint}")
        errors.extend(_check_written(problem, part, index, file, node))
        calls: list[tuple[str, SolverCall | None, list[str | int]]] = [("solver", part.solver, ["parts", index, "solver"])]
        for k, mistake in enumerate(part.misconceptions):
            calls.append((f"misconception {mistake.id}", mistake.solver, ["parts", index, "misconceptions", k, "solver"]))
        for label, call, path in calls:
            if call is None:
                continue
            if call.name not in known and not (table is not None and table.errors):
                near = difflib.get_close_matches(call.name, list(known), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                errors.append(f"{where}: {label}: no solver named {call.name!r}{hint}")
            elif call.name in known:
                func = get_solver(call.name, table)
                for arg in _unknown_arguments(func, call):
                    taken = _named_parameters(func)
                    near = difflib.get_close_matches(arg, taken, n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else f" (it takes {', '.join(taken) or 'none'})"
                    line = line_of(node, [*path, "args", arg])
                    errors.append(f"{file}:{line}: part {part.id}: {label}: solver {call.name!r} "
                                  f"has no argument {arg!r}{hint}")
            for arg, value in call.args.items():
                ref = PARAM_REF.match(value) if isinstance(value, str) else None
                if ref and ref.group(1) not in problem.parameters:
                    errors.append(f"{where}: {label}: argument {arg} refers to unknown parameter ${ref.group(1)}")
        if part.misconceptions and part.solver is None:
            errors.append(f"{where}: misconceptions need the part to have a solver")
    return errors


def _named_parameters(func: Callable[..., Any]) -> list[str]:
    """The arguments a solver takes by name."""
    return [name for name, p in inspect.signature(func).parameters.items()
            if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]


def _unknown_arguments(func: Callable[..., Any], call: SolverCall) -> list[str]:
    """The arguments a part writes for its solver that the solver does not take (none when it
    takes any keyword). Arguments a misconception inherits from its part are not its own, so a
    misconception solver may ignore them."""
    parameters = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    return [arg for arg in call.args if arg not in _named_parameters(func)]


def _check_written(problem: Problem, part: Part, index: int, file: Path, node: Any) -> list[str]:
    """Read each written answer of a part for the default parameters; report what fails with
    the file and line of its `answer:`."""
    from grader.kinds.written import written_answer

    if part.kind not in KNOWN_KIND_NAMES:
        return []
    defaults = {name: param.default for name, param in problem.parameters.items()}
    items: list[tuple[str, list[Any], Any]] = []
    if part.solver is not None and part.solver.name == WRITTEN_SOLVER:
        items.append(("answer", ["parts", index, "answer"], part.solver))
    for k, mistake in enumerate(part.misconceptions):
        if mistake.solver.name == WRITTEN_SOLVER:
            items.append((f"misconception {mistake.id}: answer", ["parts", index, "misconceptions", k, "answer"],
                          mistake.solver))
    errors = []
    for label, path, call in items:
        args: dict[str, Any] = {k: (defaults.get(v[1:]) if isinstance(v, str) and PARAM_REF.match(v) else v)
                for k, v in call.args.items()}
        try:
            written_answer(**args)
        except Exception as err:  # noqa: BLE001 - any failure is the author's to see, with its line
            message = str(err).strip().replace("\n", "\n      ")
            errors.append(f"{file}:{line_of(node, path)}: part {part.id}: {label}: {message}")
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
