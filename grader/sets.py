"""Where problem sets are found: a folder given on the command line, or a set id looked up.

A set is a folder holding `set.yaml`; its id is the folder's name. An id (`mlp_cnn`, the
`problem_set` line of an answer file, or `--set mlp_cnn`) is looked up in this order, and the
first folder `<place>/<id>/set.yaml` wins:

1. `--set PATH`: a folder given on the command line is used as is, and nothing is searched;
2. `GRADER_PROBLEMS`: folders of sets, separated like PATH (`:` on Unix, `;` on Windows);
3. the course's `grader.toml` (in the working folder or a parent, or $GRADER_CONFIG): its
   `problems` setting, by default the `problems/` folder beside it;
4. the sets bundled with the grader (`problems/` of the repository, installed with the package).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from grader.config import CONFIG_NAME, find_config, load_config
from grader.errors import ProblemSetNotFound

PROBLEMS_ENV = "GRADER_PROBLEMS"
SET_FILE = "set.yaml"
# A wheel carries the repository's problems/ here (see setup.py); a source checkout has it
# beside the package instead.
PACKAGED = Path(__file__).resolve().parent / "bundled_problems"
CHECKOUT = Path(__file__).resolve().parents[1] / "problems"


@dataclass(frozen=True)
class Place:
    """One place an id is looked up in: `folders` hold sets; `note` says why there are none."""

    label: str
    folders: tuple[Path, ...] = ()
    note: str = ""

    def describe(self) -> str:
        if not self.folders:
            return f"{self.label}: {self.note}"
        return f"{self.label}: " + ", ".join(str(folder) for folder in self.folders)


def bundled_folder() -> Path | None:
    """The folder of the sets that ship with the grader, installed or in a source checkout."""
    if PACKAGED.is_dir():
        return PACKAGED
    if CHECKOUT.is_dir() and (CHECKOUT.parent / "pyproject.toml").is_file():
        return CHECKOUT
    return None


def search_places() -> list[Place]:
    """The places after `--set`, in lookup order; a folder already listed is not listed again."""
    env = [Path(p).expanduser() for p in os.environ.get(PROBLEMS_ENV, "").split(os.pathsep) if p.strip()]
    places = [Place(PROBLEMS_ENV, tuple(env), "not set")]
    config = find_config()
    if config is None:
        places.append(Place(CONFIG_NAME, note=f"none in {Path.cwd()} or a parent folder"))
    else:
        problems = load_config(config).problems or config.resolve().parent / "problems"
        places.append(Place(f"{CONFIG_NAME} ({config})", (problems,)))
    bundled = bundled_folder()
    places.append(Place("bundled sets", (bundled,) if bundled else (), "none installed"))
    seen: set[Path] = set()
    unique = []
    for place in places:
        kept = []
        for folder in place.folders:
            if _key(folder) not in seen:
                seen.add(_key(folder))
                kept.append(folder)
        if place.folders and not kept:
            unique.append(Place(place.label, note="the same folder as above"))
        else:
            unique.append(Place(place.label, tuple(kept), place.note))
    return unique


def locate(set_id: str, given: str | None = None) -> Path:
    """The folder of set `set_id`, from the places in order; ProblemSetNotFound names them all.

    `given` is what the user typed as `--set` when it was not a folder (it is then read as an id).
    """
    places = search_places()
    for place in places:
        for folder in place.folders:
            if (folder / set_id / SET_FILE).is_file():
                return folder / set_id
    first = (f"{given}: no such folder in {Path.cwd()}, so it was read as a set id"
             if given is not None else "--set PATH: not given")
    lines = [first, *(place.describe() for place in places)]
    known = sorted({s.parent.name for p in places for f in p.folders if f.is_dir() for s in f.glob(f"*/{SET_FILE}")})
    near = difflib.get_close_matches(set_id, known, n=1)
    hint = f" Did you mean {near[0]!r}?" if near else (f" Known sets: {', '.join(known)}." if known else "")
    raise ProblemSetNotFound(
        f"Problem set {set_id!r} was not found.{hint} Looked in, in order:\n"
        + "\n".join(f"  {number}. {line}" for number, line in enumerate(lines, 1))
        + f"\nPass --set PATH to the set's folder, or add the folder that holds it to {PROBLEMS_ENV}."
    )


def set_folder(ref: str | Path) -> Path:
    """What `--set` or a SET argument names: an existing path as is, else a set id looked up."""
    path = Path(ref)
    if path.exists() or not is_set_id(str(ref)):
        return path
    return locate(str(ref), given=str(ref))


def find_set_file(ref: str | Path) -> Path:
    """The `set.yaml` of a problem-set folder (or the file itself); a bare id is looked up."""
    path = set_folder(ref)
    if path.is_dir():
        path = path / SET_FILE
    if not path.is_file():
        raise ProblemSetNotFound(
            f"No problem set at {path}: give a folder that contains {SET_FILE}, e.g. problems/mlp_cnn."
        )
    return path


def is_set_id(text: str) -> bool:
    """A bare folder name (`mlp_cnn`), as opposed to a path (`problems/mlp_cnn`, `./x`)."""
    return bool(text) and text not in {".", ".."} and not any(sep in text for sep in ("/", "\\", os.sep))


def _key(folder: Path) -> Path:
    try:
        return folder.resolve()
    except OSError:
        return folder
