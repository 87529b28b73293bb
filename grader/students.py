"""Student ids as folder names: one rule, used by the inbox, the reports and the exports."""

from __future__ import annotations

import hashlib
import re
import unicodedata

STUDENT_DIR_MAX = 64
HASH_SUFFIX_CHARS = 10
# Device names Windows refuses as file names, with or without an extension.
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
    | {f"COM{c}" for c in "¹²³"} | {f"LPT{c}" for c in "¹²³"}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_HASHED = re.compile(rf"-[0-9a-f]{{{HASH_SUFFIX_CHARS}}}$")


def sanitise_student_id(student: str) -> str:
    """A folder name for a student id: safe on every OS, and distinct for distinct ids.

    Keeps `[a-z0-9._-]` after NFKC normalisation and case folding (so `alice` and `ALICE` cannot
    collide on a case-insensitive file system); no leading dot or dash, no `..`, no trailing dot,
    no Windows device name, at most 64 characters. When any of that changed the id (or the id
    already ends like a hash suffix), `-<sha256 prefix of the original>` is appended, so two
    different ids never share a folder. The receipt keeps the original id.
    """
    safe = _UNSAFE.sub("_", unicodedata.normalize("NFKC", student).casefold())
    safe = re.sub(r"\.{2,}", "_", safe)[:STUDENT_DIR_MAX]
    if safe[:1] in (".", "-"):
        safe = "_" + safe[1:]
    if safe.endswith("."):
        safe = safe[:-1] + "_"
    if safe.split(".")[0].upper() in WINDOWS_RESERVED:
        safe = "_" + safe
    safe = safe or "_"
    if safe != student or _HASHED.search(safe):
        digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()
        safe = f"{safe}-{digest[:HASH_SUFFIX_CHARS]}"
    return safe
