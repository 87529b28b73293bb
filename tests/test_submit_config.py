"""The course config file (grader.toml) that submit, roster and export read."""

from __future__ import annotations

import re

import pytest

from grader.config import CONFIG_ENV, DEFAULTS, ConfigInvalid, load_config
from grader.export.common import ExportOptions


def write(tmp_path, text: str):
    path = tmp_path / "grader.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_are_relative_to_the_file_and_ids_may_be_numbers(tmp_path):
    config = load_config(write(tmp_path, 'inbox = "in"\nroster = "r.json"\npractice = true\n'
                                          '[export]\nassignment_id = 10103\nmoodle_key = "idnumber"\n'))
    assert config.inbox == (tmp_path / "in").resolve() and config.roster == (tmp_path / "r.json").resolve()
    assert config.practice is True and config.db == DEFAULTS.db
    assert config.export.assignment_id == "10103" and config.export.moodle_key == "idnumber"


def test_a_misspelt_setting_says_did_you_mean(tmp_path):
    with pytest.raises(ConfigInvalid, match="did you mean 'inbox'"):
        load_config(write(tmp_path, 'inbx = "in"\n'))


def test_a_wrong_type_is_refused(tmp_path):
    with pytest.raises(ConfigInvalid, match="practice must be a bool"):
        load_config(write(tmp_path, 'practice = "yes"\n'))


def test_bad_toml_names_the_file(tmp_path):
    with pytest.raises(ConfigInvalid, match=re.escape("grader.toml")):
        load_config(write(tmp_path, "inbox = \n"))


def test_found_from_the_environment_or_a_parent_folder(tmp_path, monkeypatch):
    write(tmp_path, 'inbox = "in"\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path / "sub")
    assert load_config().inbox == (tmp_path / "in").resolve()
    other = tmp_path / "other.toml"
    other.write_text('inbox = "elsewhere"\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(other))
    assert load_config().inbox == (tmp_path / "elsewhere").resolve()


def test_no_config_gives_the_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert load_config() == DEFAULTS


def test_command_line_options_override_the_config(tmp_path):
    config = load_config(write(tmp_path, '[export]\ntitle = "Lab 3"\nvisibility = "hidden"\n'))
    options = ExportOptions.from_config(config.export, title="Lab 4", visibility=None)
    assert options.title == "Lab 4" and options.visibility == "hidden"
