"""Writing the class report (HTML or JSON) and the per-student feedback documents (Markdown, HTML).

Everything goes through Jinja2 templates in `grader/templates/`; HTML templates autoescape, so
student text can never become markup. Pages are self-contained (inline CSS and SVG, no scripts,
nothing fetched from the network) and XHTML-compatible, so an XML parser can check them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from grader import __version__
from grader.errors import GraderError, UsageError
from grader.kinds import Status, get_kind
from grader.report.feedback import STATUS_LABEL, format_points
from grader.report.mathtext import answer_text, readable
from grader.report.readings import read_answer
from grader.report.stats import ClassStats, class_stats, shown_answer
from grader.spec import ProblemSet
from grader.store.gradebook import OVERRIDDEN, Gradebook, SetInfo, SetRef, StudentResult
from grader.students import sanitise_student_id

SVG_WIDTH, SVG_HEIGHT, SVG_MARGIN = 640, 220, 32
_MARKDOWN_SPECIAL = re.compile(r"([\\`<>\[\]])")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment: autoescape for .html, plain text for .md."""
    env = Environment(
        loader=PackageLoader("grader", "templates"),
        autoescape=select_autoescape(disabled_extensions=("md",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(points=format_points, status=status_label, md=markdown_text, fence=fence,
                       pct=_percent, num=_number, filename=lambda path: Path(str(path)).name,
                       shortpath=_short_path)
    return env


def status_label(status: str) -> str:
    """A status as the reports word it."""
    if status == OVERRIDDEN:
        return "scored by your instructor"
    try:
        return STATUS_LABEL[Status(status)]
    except ValueError:
        return status.replace("_", " ")


def markdown_text(text: str) -> str:
    """Plain text made literal in Markdown: no raw HTML, links or code spans from student text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def fence(text: str) -> str:
    """A fenced code block longer than any run of backticks inside, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}\n{text}\n{ticks}"


# ----- class report -------------------------------------------------------------------------------


def class_report_html(stats: ClassStats, readings: dict[tuple[str, str], Markup] | None = None) -> str:
    """The class report as one self-contained HTML page; `readings` gives the MathML of a
    common wrong answer by (part id, answer as shown)."""
    return environment().get_template("class_report.html").render(
        stats=stats, bars=histogram_bars(stats), version=__version__, readings=readings or {},
        kinds={part.id: kind_label(part.kind) for part in stats.parts},
        read_answers={part.id: [a for (p, a) in (readings or {}) if p == part.id] for part in stats.parts},
        svg={"width": SVG_WIDTH, "height": SVG_HEIGHT, "margin": SVG_MARGIN},
    )


def wrong_answer_readings(
    gradebook: Gradebook, stats: ClassStats, problem_set: ProblemSet | None
) -> dict[tuple[str, str], Markup]:
    """How the grader read each common wrong answer, as MathML, keyed like the report shows them."""
    if problem_set is None:
        return {}
    wanted = {(part.id, wrong.answer) for part in stats.parts for wrong in part.wrong_answers}
    readings: dict[tuple[str, str], Markup] = {}
    for student in gradebook.students(problem_set):
        for part in student.counted.parts if student.counted is not None else ():
            key = (part.id, shown_answer(part.answer))
            if key in wanted and key not in readings:
                reading = read_answer(problem_set, part.id, part.answer)
                if reading is not None:
                    # Markup: grader.reading builds the MathML from a parsed value, escaping every text node.
                    readings[key] = Markup(reading.mathml)
                wanted.discard(key)
        if not wanted:
            break
    return readings


def class_report_json(stats: ClassStats) -> str:
    """The class report's data as JSON."""
    return json.dumps(stats.to_dict(), indent=2, ensure_ascii=False) + "\n"


def write_class_report(
    gradebook: Gradebook, problem_set: SetRef, out: str | Path, *, as_json: bool = False
) -> ClassStats:
    """Compute the class statistics and write them to `out` as HTML (or JSON)."""
    stats = class_stats(gradebook, problem_set)
    if as_json:
        _write(Path(out), class_report_json(stats))
        return stats
    info = gradebook.set_info(problem_set)
    found = problem_set_for(info, problem_set)
    _write(Path(out), class_report_html(stats, wrong_answer_readings(gradebook, stats, found)))
    return stats


@dataclass(frozen=True)
class Bar:
    """One histogram bar, in SVG coordinates."""

    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


def histogram_bars(stats: ClassStats) -> list[Bar]:
    """Geometry of the score histogram for the template."""
    if not stats.histogram:
        return []
    tallest = max(b.count for b in stats.histogram) or 1
    inner_w = SVG_WIDTH - 2 * SVG_MARGIN
    inner_h = SVG_HEIGHT - 2 * SVG_MARGIN
    width = inner_w / len(stats.histogram)
    bars = []
    for i, b in enumerate(stats.histogram):
        height = inner_h * b.count / tallest
        bars.append(Bar(
            x=round(SVG_MARGIN + i * width + 1, 2), y=round(SVG_MARGIN + inner_h - height, 2),
            width=round(width - 2, 2), height=round(height, 2), count=b.count,
            label=f"{format_points(round(b.low, 2))}–{format_points(round(b.high, 2))}",
        ))
    return bars


# ----- feedback documents -------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A feedback message: its sentence, and the lines under it kept as they are (a formula with a
    caret under the character where reading stopped)."""

    text: str
    block: str = ""

    @classmethod
    def of(cls, message: str) -> Message:
        first, _, rest = str(message).partition("\n")
        return cls(first, rest.rstrip())


@dataclass(frozen=True)
class FeedbackPart:
    """One part as a student's feedback shows it."""

    id: str
    kind: str
    status: str
    score: float | None
    max_score: float
    answer: str
    reads_as: str | None
    feedback: tuple[Message, ...]
    comment: str
    reading_mathml: Markup | None = None


def feedback_parts(student: StudentResult, problem_set: ProblemSet | None = None) -> list[FeedbackPart]:
    """The counted submission's parts, with the instructor's decisions applied; with the problem set,
    each answer also shows how the grader read it (text and MathML)."""
    if student.counted is None:
        return []
    parts = []
    for p in student.counted.parts:
        reading = read_answer(problem_set, p.id, p.answer) if problem_set is not None else None
        parts.append(FeedbackPart(
            id=p.id, kind=kind_label(p.kind), status=p.effective_status, score=p.effective_score,
            max_score=p.max_score, answer=answer_text(p.answer, p.kind),
            reads_as=reading.text if reading is not None else readable(p.answer),
            feedback=tuple(Message.of(m) for m in p.feedback),
            comment=p.override.comment if p.override else "",
            # Markup: grader.reading builds the MathML from a parsed value, escaping every text node.
            reading_mathml=Markup(reading.mathml) if reading is not None else None,
        ))
    return parts


def kind_label(name: str) -> str:
    """A kind as people call it ("vector of formulas"), not its spec name."""
    kind = get_kind(name)
    return kind.human_name() if kind is not None else name.replace("_", " ")


def problem_set_for(info: SetInfo, ref: Any = None) -> ProblemSet | None:
    """The problem set a gradebook snapshot was graded with, to read answers again for display:
    the one given, else the set found by id in the places `grader sets` lists, when its content
    is the same. None when neither is at hand: answers are then shown as typed."""
    if isinstance(ref, ProblemSet):
        return ref if ref.digest == info.digest else None
    from grader.sets import locate
    from grader.spec import load_problem_set

    try:
        found = load_problem_set(locate(info.id))
    except GraderError:
        return None
    return found if found.digest == info.digest else None


def feedback_documents(
    info: SetInfo, student: StudentResult, problem_set: ProblemSet | None = None
) -> tuple[str, str]:
    """One student's feedback as (Markdown, HTML); without a problem set it is looked up by id."""
    if problem_set is None and student.counted is not None:
        problem_set = problem_set_for(info)
    context = {"info": info, "student": student, "counted": student.counted,
               "parts": feedback_parts(student, problem_set), "version": __version__}
    env = environment()
    return env.get_template("feedback.md").render(**context), env.get_template("feedback.html").render(**context)


def write_feedback(gradebook: Gradebook, problem_set: SetRef, out_dir: str | Path) -> list[Path]:
    """Write `<student>.md` and `<student>.html` for every student into out_dir; the paths written."""
    info = gradebook.set_info(problem_set)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file; give a folder for the feedback documents.")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    found = problem_set_for(info, problem_set)
    for student in gradebook.students(info):
        markdown, html = feedback_documents(info, student, found)
        name = sanitise_student_id(student.student)
        for suffix, text in ((".md", markdown), (".html", html)):
            path = out_dir / f"{name}{suffix}"
            _write(path, text)
            written.append(path)
    return written


def _write(path: Path, text: str) -> None:
    if path.parent and not path.parent.is_dir():
        raise UsageError(f"The folder {path.parent} does not exist; create it or choose another --out.")
    path.write_text(text, encoding="utf-8")


def _short_path(path: str) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if isinstance(value, float) and not float(value).is_integer() else f"{value:g}"
