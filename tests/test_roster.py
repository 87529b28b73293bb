"""Rosters: every sample in tests/data/lms read as a roster where it is one."""

from __future__ import annotations

import json

import pytest

from grader import inbox
from grader.errors import UsageError
from grader.export import moodle_xml
from grader.export.roster import (
    Roster,
    RosterEntry,
    RosterUnreadable,
    compare,
    import_roster,
    load_roster,
    parse_roster,
    read_roster,
)
from tests.conftest import EXAMPLES, LMS_SAMPLES, ROOT, run_cli

SAMPLES = LMS_SAMPLES

# Every sample file and what it is. A new sample without an entry here fails the first test.
SAMPLE_ROLES = {
    "canvas_gradebook_export.csv": "roster",
    "canvas_gradebook_export_semicolon_bom.csv": "roster",
    "canvas_gradebook_import_minimal.csv": "roster",
    "moodle_grades_export.csv": "roster",
    "moodle_grades_export_colon.csv": "roster",
    "blackboard_grade_center_download.csv": "roster",
    "brightspace_grades_export.csv": "roster",
    "gradescope_scores_export.csv": "roster",
    "moodle_grades_import.xml": "grades (read by grader.export.moodle_xml.read)",
    "gradescope_results.json": "results schema (tests/test_export_formats.py)",
    "lti_ags_score.json": "score schema (tests/test_export_formats.py)",
    "README.md": "documentation",
}

# sample -> (format, key, {student: (selected ids, name, section)}, skipped, unkeyed)
EXPECTED = {
    "canvas_gradebook_export.csv": ("canvas", "sis_login_id", {
        "student1@uni.example": ({"canvas_id": "1001", "sis_user_id": "S0001"}, "Student1, Test", "DL Tutorial 01"),
        "student2@uni.example": ({"canvas_id": "1002", "sis_user_id": "S0002"}, "Student2, Test", "DL Tutorial 01"),
        "student3@uni.example": ({"canvas_id": "1003"}, "Student3, Test", "DL Tutorial 02"),
        "student4@uni.example": ({"canvas_id": "1004"}, "Student4, Test", "DL Tutorial 01 and DL Tutorial 02"),
        # exported by Canvas as ="=Student5, Test" (its formula guard): the name comes back
        "student5@uni.example": ({"canvas_id": "1005"}, "=Student5, Test", "DL Tutorial 02"),
    }, ["Points Possible", "Test Student"], []),
    "canvas_gradebook_export_semicolon_bom.csv": ("canvas", "sis_login_id", {
        "student1@uni.example": ({"canvas_id": "1001"}, "Student1, Test", "DL Tutorial 01"),
        "student2@uni.example": ({"canvas_id": "1002"}, "Student2, Test", "DL Tutorial 01"),
        "student3@uni.example": ({"canvas_id": "1003"}, "Student3, Test", "DL Tutorial 02"),
        "student4@uni.example": ({"canvas_id": "1004"}, "Student4, Test", "DL Tutorial 01 and DL Tutorial 02"),
    }, ["Manual Posting", "Points Possible"], []),
    "canvas_gradebook_import_minimal.csv": ("canvas", "sis_login_id", {
        "student1@uni.example": ({"canvas_id": "1001"}, "Student1, Test", ""),
        "student2@uni.example": ({"sis_user_id": "S0002"}, "Student2, Test", ""),
        "student3@uni.example": ({}, "Student3, Test", ""),  # matched by SIS Login ID only
    }, ["Points Possible"], ["Student9, Unknown"]),
    "moodle_grades_export.csv": ("moodle", "email", {
        "student1@uni.example": ({"idnumber": "S0001"}, "Test Student1", ""),
        "Student2@Uni.Example": ({"idnumber": "S0002"}, "Test Student2", ""),  # case kept for Moodle
        "student3@uni.example": ({}, "Test Student3", ""),  # no ID number
        "student4@uni.example": ({"idnumber": "S0004"}, "Test O'Student4", ""),
    }, [], []),
    # Moodle's export with the colon separator its export form offers (headers quoted: they hold colons)
    "moodle_grades_export_colon.csv": ("moodle", "email", {
        "student1@uni.example": ({"idnumber": "S0001"}, "Test Student1", ""),
        "Student2@Uni.Example": ({"idnumber": "S0002"}, "Test Student2", ""),
    }, [], []),
    "blackboard_grade_center_download.csv": ("blackboard", "username", {
        "student1": ({"student_number": "S0001"}, "Test Student1", ""),
        "student2": ({"student_number": "S0002"}, "Test Student2", ""),
        "student3": ({"student_number": "00421"}, "Test Student3", ""),  # leading zeros kept
        "student4": ({"student_number": "S0004"}, "Test Student4", ""),
    }, [], []),
    "brightspace_grades_export.csv": ("brightspace", "username", {
        "student1": ({"org_defined_id": "S0001", "email": "student1@uni.example"}, "Test Student1", ""),
        "student2": ({"org_defined_id": "S0002"}, "Test Student2", ""),
        "student3": ({"org_defined_id": "00421"}, "Test Student3", ""),  # '#' stripped, zeros kept
    }, [], []),
    "gradescope_scores_export.csv": ("gradescope", "sid", {
        "S0001": ({"email": "student1@uni.example"}, "Test Student1", "DL Tutorial 01"),
        "S0002": ({"email": "student2@uni.example"}, "Test Student2", "DL Tutorial 01"),
        "S0003": ({"email": "student3@uni.example"}, "Test Student3", "DL Tutorial 02"),  # Missing
        "S0004": ({"email": "student4@uni.example"}, "Test Student4", "DL Tutorial 02"),
    }, [], []),
}

COLUMNS = {
    "canvas_gradebook_export.csv": ("canvas", {"Lab 1: Tensors": "10101", "Lab 2: Autograd": "10102",
                                               "Lab 3: Backprop": "10103"}),
    "canvas_gradebook_import_minimal.csv": ("canvas", {"Lab 3: Backprop": "10103"}),  # Lab 4 has no id
    # Moodle grade items by their own name (what --title gives) and by their display name
    "moodle_grades_export.csv": ("moodle", {
        "Lab 1 Tensors": "Assignment: Lab 1 Tensors", "Assignment: Lab 1 Tensors": "Assignment: Lab 1 Tensors",
        "Lab 3 Backprop": "Assignment: Lab 3 Backprop", "Assignment: Lab 3 Backprop": "Assignment: Lab 3 Backprop",
        "Week 2 quiz": "Quiz: Week 2 quiz", "Quiz: Week 2 quiz": "Quiz: Week 2 quiz"}),  # not Course total
    "blackboard_grade_center_download.csv": ("blackboard", {"Lab 1: Tensors": "120032",
                                                            "Lab 2: Autograd": "120033",
                                                            "Lab 3: Backprop": "120034"}),
}


def test_every_sample_has_a_role():
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(SAMPLE_ROLES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_reads_as_a_roster(name):
    fmt, key, students, skipped, unkeyed = EXPECTED[name]
    read = read_roster(SAMPLES / name)
    assert (read.format, read.key) == (fmt, key)
    assert sorted(read.roster.entries) == sorted(students)
    for student, (ids, display, section) in students.items():
        entry = read.roster.entries[student]
        assert entry.student == student and ids.items() <= entry.ids.items(), (student, entry.ids)
        assert entry.name == display and entry.section == section
    assert len(read.skipped) == len(skipped) and all(w in s for w, s in zip(skipped, read.skipped, strict=True))
    assert len(read.unkeyed) == len(unkeyed) and all(w in s for w, s in zip(unkeyed, read.unkeyed, strict=True))
    assert not read.duplicates


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_lms_column_ids_are_kept(name):
    lms, columns = COLUMNS[name]
    assert read_roster(SAMPLES / name).roster.columns[lms] == columns


EXAMPLE_ROSTERS = ROOT / "examples" / "rosters"
# example roster -> (format, --key): every one names the six students of submissions_example/.
EXAMPLE_KEYS = {
    "canvas_gradebook.csv": ("canvas", None),
    "moodle_grades.csv": ("moodle", "username"),  # the site exports usernames
    "blackboard_grade_center.csv": ("blackboard", None),
    "brightspace_grades.csv": ("brightspace", None),
    "gradescope_scores.csv": ("gradescope", None),
    "lti_users.csv": ("plain", None),
}


def test_every_example_roster_is_known():
    assert sorted(p.name for p in EXAMPLE_ROSTERS.iterdir()) == sorted(EXAMPLE_KEYS)


@pytest.mark.parametrize("name", sorted(EXAMPLE_KEYS))
def test_each_example_roster_names_the_bundled_students(name):
    fmt, key = EXAMPLE_KEYS[name]
    read = read_roster(EXAMPLE_ROSTERS / name, key=key)
    submitted = sorted(inbox.submitted_students(EXAMPLES))
    assert read.format == fmt and not read.unkeyed and not read.duplicates
    assert sorted(read.roster.entries) == submitted == ["alice", "bob", "chloe", "david", "emma", "farid",
                                                        "gina", "hugo", "ines"]  # the other sets' examples
    assert compare(read.roster, submitted).without_roster == []


def test_canvas_totals_columns_are_not_assignments():
    columns = read_roster(SAMPLES / "canvas_gradebook_export.csv").roster.columns["canvas"]
    assert not any("Score" in title or "Points" in title for title in columns)


def test_the_semicolon_bom_variant_gives_the_same_students_as_the_comma_file():
    comma = read_roster(SAMPLES / "canvas_gradebook_export.csv").roster.entries
    semicolon = read_roster(SAMPLES / "canvas_gradebook_export_semicolon_bom.csv").roster.entries
    assert {s: e.ids for s, e in semicolon.items()} == {s: comma[s].ids for s in semicolon}


def test_another_key_column():
    read = read_roster(SAMPLES / "moodle_grades_export.csv", key="idnumber")
    assert sorted(read.roster.entries) == ["S0001", "S0002", "S0004"]
    assert len(read.unkeyed) == 1 and "Student3" in read.unkeyed[0]


def test_moodle_xml_sample_is_grades_not_a_roster():
    with pytest.raises(RosterUnreadable):
        read_roster(SAMPLES / "moodle_grades_import.xml")
    assert len(moodle_xml.read(SAMPLES / "moodle_grades_import.xml")) == 3


@pytest.mark.parametrize("name", ["gradescope_results.json", "lti_ags_score.json"])
def test_json_samples_are_not_rosters(name):
    json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    with pytest.raises(RosterUnreadable):
        read_roster(SAMPLES / name)


# ----------------------------------------------------------------------------- plain CSV and edge cases

PLAIN_VARIANTS = {
    "comma": b"student,Email,LTI user id,name\nann,ann@u.example,lti-1,\"Lee, Ann\"\n",
    "semicolon_crlf_bom": "\ufeffstudent;email;lti_user_id;name\r\nann;ann@u.example;lti-1;Lee, Ann\r\n".encode(),
    "tab": b"student\temail\tlti_user_id\tname\nann\tann@u.example\tlti-1\tLee, Ann\n",
    "utf16": "student,email,lti_user_id,name\nann,ann@u.example,lti-1,\"Lee, Ann\"\n".encode("utf-16"),
}


@pytest.mark.parametrize("variant", sorted(PLAIN_VARIANTS))
def test_plain_csv_variants(variant):
    read = parse_roster(PLAIN_VARIANTS[variant])
    assert read.format == "plain"
    entry = read.roster.entries["ann"]
    assert entry.ids == {"email": "ann@u.example", "lti_user_id": "lti-1"} and entry.name == "Lee, Ann"


def test_duplicates_and_missing_keys_are_reported():
    read = parse_roster(b"student,email\nann,a@x\nann,b@x\n,c@x\n")
    assert list(read.roster.entries) == ["ann"] and read.roster.entries["ann"].ids["email"] == "a@x"
    assert len(read.duplicates) == 1 and len(read.unkeyed) == 1


def test_unknown_header_says_how_to_fix():
    with pytest.raises(RosterUnreadable, match="student"):
        parse_roster(b"who,mail\nann,a@x\n")


def test_unknown_key_is_a_usage_error():
    with pytest.raises(UsageError, match="sis_login_id"):
        parse_roster(b"student,email\nann,a@x\n", key="shoe_size")


def test_lookup_is_case_insensitive_when_unambiguous():
    roster = Roster({"Student2@Uni.Example": RosterEntry("Student2@Uni.Example")})
    assert roster.get("student2@uni.example") is not None
    roster.entries["STUDENT2@uni.example"] = RosterEntry("STUDENT2@uni.example")
    assert roster.get("student2@uni.example") is None


def test_save_load_and_merge(tmp_path):
    path = tmp_path / "roster.json"
    import_roster(SAMPLES / "canvas_gradebook_export.csv", path)
    merged = import_roster(SAMPLES / "moodle_grades_export.csv", path).roster
    assert load_roster(path).to_dict() == merged.to_dict()
    entry = merged.entries["student1@uni.example"]
    assert entry.ids["canvas_id"] == "1001" and entry.ids["idnumber"] == "S0001"  # both LMSs' ids
    assert merged.columns["canvas"]["Lab 3: Backprop"] == "10103"
    replaced = import_roster(SAMPLES / "blackboard_grade_center_download.csv", path, replace=True).roster
    assert sorted(replaced.entries) == ["student1", "student2", "student3", "student4"]


def test_a_missing_roster_file_is_an_empty_roster(tmp_path):
    assert load_roster(tmp_path / "none.json").entries == {}
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RosterUnreadable):
        load_roster(tmp_path / "bad.json")


def test_compare_reports_both_sides():
    roster = Roster({s: RosterEntry(s) for s in ("alice", "bob", "kim")})
    check = compare(roster, ["alice", "Bob", "zoe"])
    assert check.without_submission == ["kim"] and check.without_roster == ["zoe"]


def test_cli_roster_import_reports_missing_students(tmp_path):
    roster_file = tmp_path / "class.csv"
    roster_file.write_text("student,email\nalice,a@x\nbob,b@x\nkim,k@x\n", encoding="utf-8")
    done = run_cli("roster", "import", str(roster_file), "--roster", str(tmp_path / "roster.json"),
                   "--submissions", str(EXAMPLES))
    assert done.returncode == 0, done.stderr
    assert "plain CSV (student,...): 3 student row(s), keyed by student" in done.stdout
    assert "In the roster without a submission (1): kim" in done.stdout
    assert "Submissions without a roster entry (7): chloe, david, emma, farid, gina, hugo, ines" in done.stdout
    saved = json.loads((tmp_path / "roster.json").read_text(encoding="utf-8"))
    assert [s["student"] for s in saved["students"]] == ["alice", "bob", "kim"]


def test_cli_roster_import_of_a_canvas_export(tmp_path):
    done = run_cli("roster", "import", str(SAMPLES / "canvas_gradebook_export.csv"), "--roster",
                   str(tmp_path / "roster.json"))
    assert done.returncode == 0, done.stderr
    assert "Canvas gradebook export: 5 student row(s), keyed by sis_login_id" in done.stdout
    assert "skipped: line 8: the Canvas Test Student" in done.stderr


def test_cli_roster_import_of_a_file_that_is_not_a_roster(tmp_path):
    done = run_cli("roster", "import", str(SAMPLES / "lti_ags_score.json"), "--roster", str(tmp_path / "r.json"))
    assert done.returncode == 2 and done.stderr.startswith("Error: ")
    assert not (tmp_path / "r.json").exists()


def test_a_moodle_roster_with_a_surname_column_names_the_student_in_full(tmp_path):
    # Some Moodle sites export the last name as "Surname": it is the last name and part of the name.
    text = (EXAMPLE_ROSTERS / "moodle_grades.csv").read_text(encoding="utf-8").replace("Last name", "Surname", 1)
    (tmp_path / "moodle.csv").write_text(text, encoding="utf-8")
    entry = read_roster(tmp_path / "moodle.csv", key="username").roster.entries["alice"]
    assert (entry.last_name, entry.name) == ("Martin", "Alice Martin")
