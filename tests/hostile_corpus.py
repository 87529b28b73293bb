"""Hostile answer files: a fixed corpus and a generator of random whole documents.

The fuzz test (test_fuzz_answer_files.py) draws documents with a random source hypothesis
controls; `benchmarks/bench_hostile.py` draws them with a seeded `random.Random` and times the
slowest. A document mixes valid answers, hostile strings, huge numbers, deep nesting and odd
unicode, in YAML, JSON or TOML.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "submissions_example" / "alice_correct.yaml"
FORMATS = ("yaml", "json", "toml")
_DEEP = "@@DEEP{}@@"
_DIGITS = "@@DIGITS{}@@"
DEPTHS = (2, 50, 1000, 5000, 50_000)
DIGIT_COUNTS = (20, 4000, 4301, 5000, 20_000)

HOSTILE_STRINGS = (
    "", " ", "\t\n", "(" * 5000, "(" * 200 + "x" + ")" * 200, "9^9^9^9", "x" * 5000, "x^" * 2000 + "x",
    "1e999999", "10**10**10", "__import__('os').system('true')", "lambda: 0", "exp(exp(exp(exp(x))))",
    "\\frac{" * 300, "\\begin{cases}" * 50, "\\input{/etc/passwd}", "$$$$", "|" * 999, "sum(x, j=1..10**9)",
    "Matrix([[1]*50]*50)", "[" * 100 + "]" * 100, "1/0", "0/0", "oo", "nan", "-inf", "sigma(" * 61,
    "‮x‭", "x\u0301\u0301\u0301", "𝑥 + 𝟙", "ﬁ", "\u200b\u200b", "\x00", "\x1b[31mred", "\ufeff1",
    "١٢٣", "２８ｘ２８ｘ１", "28x28x1" * 700, "W_{" * 100, "a" * 20_001, "tanh" * 1000 + "(x)",
    "e^" * 500 + "x", "Piecewise((x, x > 0), (0, True))" * 20, "d/dx", "≥≤≠" * 100,
)
ODD_CHARACTERS = "\x00\x07\x1b\u0301\u200b\u200d\u202e\u2028\ufeff\ufffd€𝑥😀ﬀ\u00a0"


def example_answers() -> dict[str, object]:
    """The valid answers of the bundled correct example, keyed by part id."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in ("student", "problem_set")}


def _odd_text(rng: random.Random) -> str:
    return "".join(rng.choice(ODD_CHARACTERS + "abcx+-*/^()[]{}\\_|=<>., 0123456789") for _ in range(rng.randint(1, 40)))


def _value(rng: random.Random, valid: list[object], depth: int = 0) -> object:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(valid)
    if roll < 0.62:
        return rng.choice(HOSTILE_STRINGS)
    if roll < 0.72:
        return _odd_text(rng)
    if roll < 0.75:
        return rng.choice([_DIGITS.format(rng.choice(DIGIT_COUNTS)), 1e308, -1e-308, 0, True, -(2**62)])
    if roll < 0.78:
        return _DEEP.format(rng.choice(DEPTHS))
    if roll < 0.9 and depth < 3:
        return [_value(rng, valid, depth + 1) for _ in range(rng.randint(0, 4))]
    if depth < 3:
        return {_key(rng, []): _value(rng, valid, depth + 1) for _ in range(rng.randint(0, 3))}
    return None


def _key(rng: random.Random, part_ids: list[str]) -> str:
    roll = rng.random()
    if roll < 0.6 and part_ids:
        return rng.choice(part_ids)
    if roll < 0.8 and part_ids:
        return rng.choice(part_ids).upper() + rng.choice(["", "x", " "])
    return _odd_text(rng)


def hostile_document(rng: random.Random, fmt: str | None = None) -> tuple[str, str]:
    """(format, text) of one random answer file."""
    valid_answers = example_answers()
    part_ids = sorted(valid_answers)
    valid = list(valid_answers.values())
    fmt = fmt or rng.choice(FORMATS)
    data: dict[str, object] = {}
    if rng.random() < 0.95:
        data["student"] = rng.choice(["alice"] * 20 + ["ALICE", "Zoë", "../x", "CON", _odd_text(rng), "s" * 300,
                                                        12345, "", " ", "\x00", "\ud800", None, ["a"]])
    if rng.random() < 0.95:
        data["problem_set"] = rng.choice(["mlp_cnn"] * 20 + ["other", "", "../../etc", "\ud800", 7])
    for _ in range(rng.randint(0, 12)):
        data[_key(rng, part_ids)] = _value(rng, valid)
    if rng.random() < 0.05:
        for i in range(rng.choice([100, 5000])):
            data[f"unknown{i}"] = i
    return fmt, render(data, fmt)


def render(data: dict[str, object], fmt: str) -> str:
    """The document as text; `@@DEEP<n>@@` strings become n nested empty lists and `@@DIGITS<n>@@`
    an integer of n digits (neither could be written by the serialisers)."""
    if fmt == "toml":
        text = "".join(f"{_toml(str(key))} = {_toml(value)}\n" for key, value in data.items())
    else:  # JSON is YAML too; the YAML files also get YAML's own syntax half of the time
        text = json.dumps(data)
        if fmt == "yaml" and len(text) < 200_000:
            try:
                text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            except (yaml.YAMLError, RecursionError, UnicodeEncodeError):
                pass
    for marker, replacement in [*((_DEEP.format(n), "[" * n + "]" * n) for n in DEPTHS),
                                *((_DIGITS.format(n), "9" * n) for n in DIGIT_COUNTS)]:
        for quoted in (json.dumps(marker), repr(marker), marker):
            text = text.replace(quoted, replacement)
    return text


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, int) or value == value else "nan"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items() if v is not None) + "}"
    if value is None:
        return '""'
    return json.dumps(str(value), ensure_ascii=False)  # TOML reads JSON's escapes, but not split pairs


def fixed_corpus() -> dict[str, tuple[str, str]]:
    """Named hostile files, each a reproduction or a known trap: name -> (format, text)."""
    head = {"student": "eve", "problem_set": "mlp_cnn"}
    many_unknown = {**head, **{f"zz{i}": 1 for i in range(70_000)}}
    return {
        "70000_unknown_keys": ("json", json.dumps(many_unknown)),
        "5000_digit_integer_yaml": ("yaml", f"student: eve\nproblem_set: mlp_cnn\np1.1a: {'9' * 5000}\n"),
        "5000_digit_integer_json": ("json", json.dumps(head)[:-1] + f', "p1.1a": {"9" * 5000}}}'),
        "5000_digit_integer_toml": ("toml", f'student = "eve"\nproblem_set = "mlp_cnn"\n"p1.1a" = {"9" * 5000}\n'),
        "lone_surrogate_student": ("json", '{"student": "\\ud800", "problem_set": "mlp_cnn", "p1.1a": "1"}'),
        "nested_50000_deep": ("json", json.dumps(head)[:-1] + ', "p1.1a": ' + "[" * 50_000 + "]" * 50_000 + "}"),
        "every_formula_part_5000_parentheses": (
            "yaml", render({**head, **{pid: "(" * 2500 + "x" + ")" * 2500 for pid in example_answers()}}, "yaml")),
        "every_part_hostile": ("yaml", render({**head, **{pid: HOSTILE_STRINGS[i % len(HOSTILE_STRINGS)]
                                                         for i, pid in enumerate(example_answers())}}, "yaml")),
        "every_part_power_towers": ("yaml", render({**head, **{pid: "x^" * 2000 + "x" for pid in example_answers()}},
                                                   "yaml")),
    }
