"""Import an opt-in extra for a test: skip (saying which `pip install`) where it is missing, fail under scripts/extras."""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

REQUIRED = os.environ.get("TEAMTUI_REQUIRE_EXTRAS") == "1"  # scripts/extras sets it: a missing extra is a failure


def module(name: str, extra: str) -> ModuleType:
    """The module `name`, which the `extra` extra installs."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        why = f"{name} is missing ({error}): pip install -e '.[{extra}]'"
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why)


def program(name: str, install: str) -> str:
    """The path of the program `name` (e.g. Debian's chromium), which `install` provides."""
    path = shutil.which(name)
    if path is None:
        why = f"{name} is not on PATH: {install}"
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why)
    return path
