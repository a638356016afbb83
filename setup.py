"""Packs the course files into the wheel: book.yml, the chapters, RISE's rise.css and docs/ go to
rnnlab/_course/.

pyproject.toml holds everything else. The tooling (rnnlab.tooling.outline) reads the course from
a source checkout when it runs in one, else from rnnlab/_course/, which has the same layout, so an
installed wheel needs no clone (`rnnlab start`, `rnnlab student`, `rnnlab book`).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
COURSE_FILES = (
    "book.yml",
    "notebooks/[0-9]*.ipynb",
    "notebooks/rise.css",
    "docs/*",
)  # as MANIFEST.in lists them


class BuildWithCourse(build_py):
    """build_py, then a copy of the course files into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout itself
        target = Path(self.build_lib) / "rnnlab" / "_course"
        shutil.rmtree(target, ignore_errors=True)  # no stale chapter from an earlier build
        for pattern in COURSE_FILES:
            found = sorted(HERE.glob(pattern))
            if not found:
                raise FileNotFoundError(f"no course file matches {pattern} in {HERE}")
            for source in found:
                copy = target / source.relative_to(HERE)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy)


setup(cmdclass={"build_py": BuildWithCourse})
