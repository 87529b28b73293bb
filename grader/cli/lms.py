"""Commands for submissions in and grades out: submit, receipt, roster, export, gradescope-bundle."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from grader import config
from grader.cli import app
from grader.export import roster
from grader.export.formats import FORMAT_NAMES

if TYPE_CHECKING:
    from grader.export.common import ExportResult

receipt_app = typer.Typer(help="Check submission receipts against the inbox.", no_args_is_help=True)
roster_app = typer.Typer(help="Import the course roster from an LMS export.", no_args_is_help=True)
app.add_typer(receipt_app, name="receipt")
app.add_typer(roster_app, name="roster")

SET_OPTION = typer.Option(None, "--set", "-s", help="Problem-set folder or id (default: from the files' "
                                                   "problem_set, or the gradebook's only set).")
SUBMIT_SET_OPTION = typer.Option(None, "--set", "-s", help="Problem-set folder (default: from the file's "
                                                          "problem_set line).")
ROSTER_OPTION = typer.Option(None, "--roster", help="Roster JSON (default: from grader.toml, else roster.json).")


@app.command()
def submit(
    file: Path = typer.Argument(..., help="Your answer file (YAML, TOML or JSON)."),
    to: Path | None = typer.Option(None, "--to", help="The course inbox (default: `inbox` in grader.toml)."),
    set_path: Path | None = SUBMIT_SET_OPTION,
    practice: bool | None = typer.Option(None, "--practice/--no-practice",
                                            help="Also show check's feedback (default: from grader.toml)."),
    save_receipt: Path | None = typer.Option(
        None, "--save-receipt",
        help="Where to keep your copy of the receipt, a file or a folder (default: beside the answer file)."),
) -> None:
    """Submit an answer file: it is checked, stored unchanged in the inbox, and you keep a receipt."""
    from grader import inbox
    from grader.report.feedback import report_text

    course = config.load_config()
    destination = to or course.inbox
    done = inbox.submit(file, destination, set_path=set_path)
    counts = done.receipt.parts
    typer.echo(f"Submitted {done.receipt.student}'s answers to {done.receipt.problem_set}.")
    typer.echo(f"  received  {done.receipt.received_at}\n  sha256    {done.receipt.sha256}")
    typer.echo(f"  parts     {counts['answered']} of {counts['total']} answered "
               f"({counts['invalid']} invalid), {counts['missing']} missing")
    typer.echo(f"  stored    {done.stored}\n  receipt   {done.receipt_path}")
    for warning in done.report.warnings:
        typer.echo(f"warning: {warning}")
    try:
        copy: Path | None = inbox.keep_copy(done.receipt, file, save_receipt)
    except inbox.InboxError as err:
        copy = None
        typer.echo(f"warning: your submission is stored, but {err} Keep a copy of {done.receipt_path} "
                   "as your proof, or submit again with --save-receipt FOLDER.", err=True)
    if copy is not None:
        typer.echo(f"  your copy {copy}")
    if practice if practice is not None else course.practice:
        typer.echo("\n" + report_text(done.report))
    if copy is None:
        typer.echo(f"Check it later with: grader receipt verify {shlex.quote(str(done.receipt_path))}")
    else:
        inbox_root = Path(destination).resolve()  # type: ignore[arg-type]
        typer.echo(f"Check it later with: grader receipt verify {shlex.quote(str(copy))} "
                   f"--inbox {shlex.quote(str(inbox_root))}")


@receipt_app.command("verify")
def receipt_verify(
    receipt_file: Path = typer.Argument(..., help="A receipt written by `grader submit` (.receipt.json)."),
    inbox_dir: Path | None = typer.Option(None, "--inbox", help="The inbox (default: grader.toml, else "
                                             "the folder the receipt is in)."),
) -> None:
    """Check that the inbox holds the submission a receipt describes, unchanged (SHA-256)."""
    from grader import inbox

    result = inbox.verify_receipt(receipt_file, inbox_dir or config.load_config().inbox)
    for problem in result.problems:
        typer.echo(f"MISMATCH: {problem}", err=True)
    if not result.ok:
        raise typer.Exit(1)
    typer.echo(f"OK: {result.file} is {result.receipt.student}'s submission to {result.receipt.problem_set} "
               f"of {result.receipt.received_at}, SHA-256 {result.receipt.sha256}, {result.receipt.size} bytes.")


@roster_app.command("import")
def roster_import(
    file: Path = typer.Argument(..., help="Canvas / Moodle / Blackboard / Brightspace / Gradescope export, "
                                "or a CSV whose first column is `student`."),
    roster_path: Path | None = ROSTER_OPTION,
    key: str | None = typer.Option(None, "--key", help="The column that holds the grader's student ids: "
                                      + ", ".join(roster.ID_FIELDS) + ", or student in a plain CSV (default: "
                                      + ", ".join(f"{f} {k}" for f, k in roster.DEFAULT_KEYS.items()) + ")."),
    fmt: str | None = typer.Option(None, "--format", help="Force the format: " + ", ".join(roster.FORMAT_NAMES)),
    replace: bool = typer.Option(False, "--replace", help="Replace the saved roster instead of merging into it."),
    submissions: Path | None = typer.Option(None, "--submissions", help="Compare with the answer files "
                                               "(or inbox) in this folder."),
) -> None:
    """Read an LMS roster, map student ids to LMS ids, save it, and report who is missing."""
    from grader import inbox

    target = roster_path or config.load_config().roster
    read = roster.import_roster(file, target, key=key, fmt=fmt, replace=replace)
    typer.echo(f"{roster.FORMAT_NAMES[read.format]}: {read.rows} student row(s), keyed by {read.key}; "
               f"the roster in {target} now has {len(read.roster.entries)} student(s).")
    for label, lines in (("skipped", read.skipped), ("no key", read.unkeyed), ("duplicate", read.duplicates)):
        for line in lines:
            typer.echo(f"{label}: {line}", err=True)
    if submissions is not None:
        check = roster.compare(read.roster, inbox.submitted_students(submissions))
        typer.echo(f"In the roster without a submission ({len(check.without_submission)}): "
                   + (", ".join(check.without_submission) or "none"))
        typer.echo(f"Submissions without a roster entry ({len(check.without_roster)}): "
                   + (", ".join(check.without_roster) or "none"))


@app.command("export")
def export_(
    fmt: str = typer.Option(..., "--format", "-f", help="One of: " + ", ".join(FORMAT_NAMES) + "."),
    output: Path | None = typer.Option(None, "-o", "--output", help="File to write (a folder for "
                                          "gradescope; - for stdout). Default: <set>-<format>.<ext>."),
    per_part: bool = typer.Option(False, "--per-part", help="One column per part instead of the total."),
    db: Path | None = typer.Option(None, "--db", help="The gradebook to export (default: from grader.toml, "
                                   "else gradebook.sqlite)."),
    from_dir: Path | None = typer.Option(None, "--from", help="Grade this folder of answer files (or inbox) "
                                            "instead of reading the gradebook."),
    set_path: Path | None = SET_OPTION,
    roster_path: Path | None = ROSTER_OPTION,
    title: str | None = typer.Option(None, "--title", help="LMS column / grade item name (default: set title)."),
    assignment_id: str | None = typer.Option(None, "--assignment-id", help="Canvas assignment id, Blackboard "
                                                "column id or Moodle grade item ID number."),
    student_is: str | None = typer.Option(None, "--student-is", help="For students not in the roster: the "
                                             "grader ids are this LMS id (e.g. sis_login_id, username)."),
    moodle_key: str | None = typer.Option(None, "--moodle-key", help="Moodle identity: email, idnumber, username."),
    visibility: str | None = typer.Option(None, "--visibility", help="Gradescope results visibility."),
    missing_as_zero: bool | None = typer.Option(None, "--missing-as-zero", help="Write 0 for a student "
                                                   "without a submission (LMS formats leave them out otherwise)."),
    feedback: bool = typer.Option(False, "--feedback", help="Add each student's feedback summary (moodle, "
                                  "moodle-xml, lti)."),
    platform: str | None = typer.Option(None, "--platform", help="lti: follow canvas's or moodle's rules."),
    regrade: bool = typer.Option(False, "--regrade", help="lti on Canvas: the scores replace posted ones "
                                 "(no new submission)."),
    pending: str = typer.Option("hold", "--pending", help="lti on Moodle, students with parts to review: "
                                "hold (leave out) or provisional (post the partial total)."),
    allow_empty: bool = typer.Option(False, "--allow-empty", help="Write the file even if it carries nobody."),
) -> None:
    """Write grades in an LMS's import format (see docs/lms.md); never a blank grade, formulas neutralised."""
    from grader import export
    from grader.export.common import ExportOptions
    from grader.score_source import load_table

    course = config.load_config()
    source = load_table(db=db or course.db, from_dir=from_dir, set_path=set_path)
    options = ExportOptions.from_config(course.export, title=title, assignment_id=assignment_id,
                                        student_is=student_is, moodle_key=moodle_key, visibility=visibility,
                                        missing_as_zero=missing_as_zero, feedback=feedback, platform=platform,
                                        regrade=regrade, pending=pending)
    try:
        result = export.export(source.table, fmt, output, per_part=per_part, allow_empty=allow_empty,
                               roster=roster.load_roster(roster_path or course.roster), options=options)
    except export.ExportEmpty as empty:
        _show_export(empty.result, source.problems, to_stdout=str(output) == "-", summary=False)
        raise
    _show_export(result, source.problems, to_stdout=str(output) == "-")


@app.command("gradescope-bundle")
def gradescope_bundle(
    problem_set: Path = typer.Argument(..., help="Problem-set folder, e.g. problems/mlp_cnn."),
    output: Path = typer.Option(Path("autograder.zip"), "-o", "--output", metavar="FILE", help="The zip to write."),
    visibility: str = typer.Option("visible", "--visibility", help="Results visibility: visible, hidden, "
                                   "after_due_date or after_published."),
) -> None:
    """Build the Gradescope autograder zip (setup.sh + run_autograder) that runs this grader."""
    from grader.export import gradescope_bundle as gradescope

    bundle = gradescope.build_bundle(problem_set, output, visibility=visibility)
    typer.echo(f"Wrote {bundle.path} ({bundle.files} files, {bundle.size // 1024} KiB) for {bundle.problem_set}. "
               "Upload it as the assignment's autograder (Configure Autograder > Zip file upload).")


def _show_export(result: ExportResult, problems: list[str], *, to_stdout: bool, summary: bool = True) -> None:
    for problem in problems:
        typer.echo(f"not graded: {problem}", err=True)
    for line in result.skipped:
        typer.echo(f"skipped: {line}", err=True)
    for line in result.notes:
        typer.echo(f"note: {line}", err=True)
    if not summary:
        return
    where = ", ".join(str(f) for f in result.files[:1]) + (f" and {len(result.files) - 1} more"
                                                          if len(result.files) > 1 else "")
    message = f"Exported {result.written} student(s) as {result.format}" + ("" if to_stdout else f" to {where}")
    typer.echo(message + ".", err=to_stdout)



