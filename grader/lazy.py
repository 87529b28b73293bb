"""Package attributes imported on first use, so that importing a package stays cheap.

A package lists where each public name lives; `import grader.spec.yamlsafe` (or any light
sub-module) then no longer pays for the package's heavy ones, while `from grader.spec import
load_problem_set` still works as before. The package also imports the names under
`if TYPE_CHECKING:`, so type checkers see them as usual.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_attributes(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module-level `__getattr__` for `package`: `name` is imported from the module
    `homes[name]` the first time it is asked for, and kept as an attribute of the package."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
