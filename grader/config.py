"""The course config file (`grader.toml`): where the inbox, roster and gradebook live.

A TOML file (data, never executed), found from $GRADER_CONFIG or the nearest `grader.toml` in
the working directory or above. Relative paths in it are relative to the file. Every default of
the submit / roster / export commands lives here, in `DEFAULTS` and `ExportDefaults`.

    inbox = "/srv/ml-course/inbox"     # where `grader submit` stores submissions
    roster = "roster.json"             # written by `grader roster import`, read by exports
    db = "gradebook.sqlite"            # the gradebook exports read
    problems = "problems"              # where set ids are looked up (see grader/sets.py)
    practice = true                    # `grader submit` also shows check's feedback

    [export]
    title = "Lab 3: Backprop"          # the LMS column / grade item name (default: the set's title)
    assignment_id = "10103"            # Canvas assignment id, Blackboard column id, Moodle item idnumber
    student_is = "sis_login_id"        # grader ids are this LMS id when the roster lacks a student
    moodle_key = "email"               # Moodle CSV identity column: email, idnumber or username
    visibility = "visible"             # Gradescope results visibility
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.errors import GraderError

CONFIG_ENV = "GRADER_CONFIG"
CONFIG_NAME = "grader.toml"


class ConfigInvalid(GraderError):
    """The course config file cannot be read or has unknown or mistyped settings."""

    exit_code = 2


@dataclass(frozen=True)
class ExportDefaults:
    """Per-course export settings; command-line options override them."""

    title: str | None = None
    assignment_id: str | None = None
    student_is: str | None = None
    moodle_key: str = "email"
    visibility: str = "visible"
    missing_as_zero: bool = False


@dataclass(frozen=True)
class CourseConfig:
    """Settings of one course; `path` is the file they came from (None: built-in defaults)."""

    inbox: Path | None = None
    roster: Path = Path("roster.json")
    db: Path = Path("gradebook.sqlite")
    problems: Path | None = None
    practice: bool = False
    export: ExportDefaults = field(default_factory=ExportDefaults)
    path: Path | None = None


DEFAULTS = CourseConfig()
_PATHS = ("inbox", "roster", "db", "problems")


def find_config(start: Path | None = None) -> Path | None:
    """$GRADER_CONFIG, else the nearest grader.toml from `start` (the working directory) up."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    return None


def load_config(path: str | Path | None = None) -> CourseConfig:
    """The course config from `path` or the one `find_config` finds; defaults when there is none."""
    found = Path(path) if path is not None else find_config()
    if found is None:
        return DEFAULTS
    try:
        data = tomllib.loads(found.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigInvalid(f"No config file at {found}; create it or unset {CONFIG_ENV}.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigInvalid(f"{found}: {err}; fix the file (it is TOML).") from None
    export = data.pop("export", {})
    course = _checked(data, CourseConfig, found, exclude=("export", "path"))
    for name in _PATHS:
        if name in course:
            course[name] = (found.parent / str(course[name])).resolve()
    return CourseConfig(
        **course,
        export=ExportDefaults(**_checked(export, ExportDefaults, found, section="export")),
        path=found,
    )


def _checked(data: Any, model: type, file: Path, *, section: str = "",
             exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    where = f"{file} [{section}]" if section else str(file)
    if not isinstance(data, dict):
        raise ConfigInvalid(f"{where}: expected a table of settings.")
    known = {f.name: f for f in fields(model) if f.name not in exclude}
    checked: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ConfigInvalid(f"{where}: unknown setting {key!r}{hint}; known: {', '.join(known)}.")
        wanted = bool if known[key].type == "bool" else str
        if wanted is str and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # ids written as TOML numbers: assignment_id = 10103
        if not isinstance(value, wanted) or (wanted is str and isinstance(value, bool)):
            raise ConfigInvalid(f"{where}: {key} must be a {wanted.__name__}, not {value!r}.")
        checked[key] = value
    return checked
