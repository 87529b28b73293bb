"""Text cells a spreadsheet must not run: the one list of formula triggers, for every CSV written.

A cell starting with one of these is a formula (or may become one) in Excel, LibreOffice or
Google Sheets; tab and CR/LF too, as OWASP advises. Full-width forms are folded to their ASCII
twins by some spreadsheets, so they count as well. Such a cell gets a leading apostrophe, which
spreadsheets show as text and do not evaluate.
"""

from __future__ import annotations

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def neutralise(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would read it as a formula."""
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` on a cell read back (a cell that did not need it is left as it is)."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value
