"""Reading YAML safely: the safe loader, bounded size, no aliases, and line numbers for errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from grader.limits import LIMITS

MAX_YAML_BYTES = LIMITS.max_yaml_bytes
# libyaml's safe loader when PyYAML was built with it (the same safe constructors, in C).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """A YAML document that cannot be read; `line` and `column` are 1-based when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def where(self) -> str:
        if self.line is None:
            return ""
        return f"line {self.line}" + (f", column {self.column}" if self.column else "")


def load_yaml(text: str, *, allow_aliases: bool = False) -> tuple[Any, yaml.Node | None]:
    """Parse text with the safe loader; return the data and the node tree for line lookups."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise YamlError(f"the file is larger than {MAX_YAML_BYTES // 1000} kB")
    try:
        # An alias needs an anchor ("&name"): without one, there is no alias to look for (an
        # alias to nothing fails below, as any undefined alias does).
        if not allow_aliases and "&" in text:
            for event in yaml.parse(text, Loader=SAFE_LOADER):
                if isinstance(event, yaml.AliasEvent):
                    mark = event.start_mark
                    raise YamlError("YAML aliases (*name) are not allowed here", mark.line + 1, mark.column + 1)
        # One composition gives both the node tree (for line numbers) and the data.
        loader = SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if "escape" in problem and mark is not None:
            problem = _escape_advice(text, mark.line, mark.column)
        elif problem.startswith("found undefined alias") and not allow_aliases:
            problem = "YAML aliases (*name) are not allowed here"
        raise YamlError(problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as err:
        raise YamlError(str(err)) from None
    except RecursionError:
        raise YamlError("the document is nested too deeply") from None
    return data, node


def _escape_advice(text: str, line: int, column: int) -> str:
    """The message for a double-quoted string with a backslash YAML does not know (`"\\max"`)."""
    lines = text.splitlines()
    row = lines[line] if line < len(lines) else ""
    start = row.rfind("\\", 0, column + 1)
    word = re.match(r"\\[A-Za-z]+", row[start:]) if start >= 0 else None
    command = word.group(0) if word else "\\max"
    return (
        f'"{command[:2]}" in double quotes is not a YAML escape: write LaTeX in single quotes, '
        f"'{command}', or leave the quotes out"
    )


def line_of(node: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node reachable along path (keys and list indices)."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == step or _same(k.value, step)), None)
            if match is None:
                key = next((k for k, _ in node.value if k.value == step), None)
                return key.start_mark.line + 1 if key is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Top-level key -> 1-based line, for messages about a mapping's entries."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 1 for k, _ in node.value}


def _same(key: Any, step: str | int) -> bool:
    return str(key) == str(step)
