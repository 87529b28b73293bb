"""The registry of export formats and `export`, which writes one.

Each format module has `write(table, out, *, per_part, roster, options) -> ExportResult`;
`export` opens the output (atomically: a half-written file never replaces a good one) and calls
it. Formats that write one file per submission (Gradescope) get a folder instead of a stream.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.export import (
    blackboard,
    brightspace,
    canvas,
    gradescope,
    lti,
    moodle,
    moodle_xml,
    plain,
)
from grader.export.common import DEFAULT_OPTIONS, ExportEmpty, ExportOptions, ExportRefused, ExportResult
from grader.export.roster import Roster
from grader.scores import ScoreTable


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its writer, file suffix and whether it writes a folder."""

    name: str
    description: str
    suffix: str
    write: Callable[..., ExportResult]
    folder: bool = False


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("canvas", "Canvas gradebook import CSV", ".csv", canvas.write),
        ExportFormat("moodle", "Moodle CSV grade import", ".csv", moodle.write),
        ExportFormat("moodle-xml", "Moodle XML grade import", ".xml", moodle_xml.write),
        ExportFormat("blackboard", "Blackboard Grade Center upload (CSV)", ".csv", blackboard.write),
        ExportFormat("brightspace", "Brightspace (D2L) grade import CSV", ".csv", brightspace.write),
        ExportFormat("gradescope", "Gradescope results.json per submission (a folder)", "", gradescope.write,
                     folder=True),
        ExportFormat("lti", "IMS LTI 1.3 AGS Score objects (JSON array)", ".json", lti.write),
        ExportFormat("csv", "plain CSV, one column per part", ".csv", plain.write_csv),
        ExportFormat("json", "plain JSON, every part's score, status and feedback", ".json", plain.write_json),
    )
}


def get_format(name: str) -> ExportFormat:
    """A format by name, or UsageError listing them."""
    if name not in FORMATS:
        raise UsageError(f"Unknown export format {name!r}; choose one of {', '.join(FORMATS)}.")
    return FORMATS[name]


def default_output(table: ScoreTable, fmt: str) -> Path:
    """`<set>-<format><suffix>` in the working directory."""
    return Path(f"{table.problem_set}-{fmt}{get_format(fmt).suffix}")


def export(table: ScoreTable, fmt: str, out: str | Path | None = None, *, per_part: bool = False,
           roster: Roster | None = None, options: ExportOptions = DEFAULT_OPTIONS,
           allow_empty: bool = False) -> ExportResult:
    """Write `table` in format `fmt` to `out` (a file, a folder for Gradescope, or `-` for stdout).

    An export that would carry nobody raises ExportEmpty (and leaves any existing file alone)
    unless `allow_empty`: it nearly always means the roster is missing.
    """
    spec = get_format(fmt)
    if fmt != "lti" and (options.platform is not None or options.regrade):
        raise UsageError("--platform and --regrade apply to --format lti only.")
    target = Path(out) if out is not None else default_output(table, fmt)
    kwargs: dict[str, Any] = {"per_part": per_part, "roster": roster, "options": options}
    if spec.folder:
        if str(out) == "-":
            raise UsageError(f"The {fmt} export writes one file per submission; give -o FOLDER.")
        existed = target.exists()
        result = spec.write(table, target, **kwargs)
        if result.written == 0 and not allow_empty and not existed:
            target.rmdir()  # nothing was written into the folder this call created
        _refuse_empty(result, allow_empty)
        return result
    if str(out) == "-":
        buffer = io.StringIO()
        result = spec.write(table, buffer, **kwargs)
        _refuse_empty(result, allow_empty)
        sys.stdout.write(buffer.getvalue())
        return result
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        encoding = "utf-8-sig" if options.bom and spec.suffix == ".csv" else "utf-8"
        with os.fdopen(fd, "w", encoding=encoding, newline="") as stream:
            result = spec.write(table, stream, **kwargs)
        _refuse_empty(result, allow_empty)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 is for the temp file, not the export
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    result.files.append(target)
    return result


def _refuse_empty(result: ExportResult, allow_empty: bool) -> None:
    if result.written == 0 and not allow_empty:
        raise ExportEmpty(result)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["FORMATS", "ExportEmpty", "ExportFormat", "ExportOptions", "ExportRefused", "ExportResult", "export",
           "get_format"]
