"""Build hook: the problem sets under problems/ ship inside the package as grader/bundled_problems.

Everything else is declared in pyproject.toml. problems/ stays at the top of the repository; a
wheel (`pip install .`) copies every set in it, whatever files it holds (specs, rubrics, a
set's own solvers.py), so that `grader check` finds the bundled sets from any folder. An
editable install (`pip install -e .`) reads them where they are and copies nothing.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "problems"
TARGET = Path("grader", "bundled_problems")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildWithProblemSets(build_py):
    """build_py, then the problem sets copied into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / TARGET
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(SOURCE, target, ignore=SKIPPED)


setup(cmdclass={"build_py": BuildWithProblemSets})
