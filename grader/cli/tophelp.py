"""`grader --help` drawn without rich: the same panels, at a fraction of the start-up cost.

The top-level help is the page a student sees most, so it must come up as fast as `--version`.
typer draws help pages with rich, whose import costs more than the rest of the command line
together; this module draws the one top-level page in the same layout (usage, description, an
options panel and one panel per audience) with the standard library. Commands' own help pages
are still drawn by typer.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import Any

MAX_WIDTH = 100
NAME_GAP = 2
_BOXES = {True: ("╭", "─", "╮", "│", "╰", "╯"), False: ("+", "-", "+", "|", "+", "+")}


def terminal_width(ctx: Any) -> int:
    """The page width: the caller's (a test's `terminal_width`), else the terminal's, at most 100."""
    width = getattr(ctx, "terminal_width", None) or shutil.get_terminal_size().columns
    return max(40, min(int(width), MAX_WIDTH))


def _can_draw_boxes() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "╭─╮│╰╯".encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def panel(title: str, rows: list[tuple[str, str]], width: int, boxes: bool, names: int) -> list[str]:
    """A titled box of two columns (name, padded to `names`; help, wrapped under itself)."""
    top_left, line, top_right, side, bottom_left, bottom_right = _BOXES[boxes]
    inner = width - 4
    lines = [f"{top_left}{line} {title} ".ljust(width - 1, line) + top_right]
    for name, text in rows:
        wrapped = textwrap.wrap(text, max(10, inner - names)) or [""]
        for index, chunk in enumerate(wrapped):
            left = name if index == 0 else ""
            lines.append(f"{side} " + f"{left:<{names}}{chunk}".ljust(inner) + f" {side}")
    lines.append(bottom_left + line * (width - 2) + bottom_right)
    return lines


def top_help(group: Any, ctx: Any, panels: dict[str, tuple[str, ...]]) -> str:
    """The page: usage, the group's help, its options, then its commands panel by panel."""
    width = terminal_width(ctx)
    boxes = _can_draw_boxes()
    pieces = " ".join(group.collect_usage_pieces(ctx))
    lines = ["", f" Usage: {ctx.command_path} {pieces}", ""]
    lines += [f" {row}" for row in textwrap.wrap(" ".join((group.help or "").split()), width - 2)]
    lines.append("")
    options = [(opts, " ".join(text.split()))
               for param in group.get_params(ctx) if (record := param.get_help_record(ctx)) for opts, text in [record]]
    commands = {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
    sections = [("Options", options)]
    for title, members in panels.items():
        sections.append((title, [(name, _short_help(commands[name])) for name in members if name in commands]))
    listed = {name for members in panels.values() for name in members}
    sections.append(("Commands", [(name, _short_help(c)) for name, c in commands.items() if name not in listed]))
    names = max(len(name) for _, rows in sections for name, _ in rows) + NAME_GAP
    for title, rows in sections:
        if rows:
            lines += panel(title, rows, width, boxes, names)
    return "\n".join(lines) + "\n"


def _short_help(command: Any) -> str:
    """A command's first paragraph, on one line (the whole of it: the panel wraps it)."""
    text = command.short_help or (command.help or "").split("\n\n")[0]
    return " ".join(text.split())
