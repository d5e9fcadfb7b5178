"""Shared fixtures of the Python module's tests (docs/testing.md).

Run with Debian's interpreter, with the build's package first on the path:

    PYTHONPATH=build/python RUBRIC_BINARY=build/rubric /usr/bin/python3 -m pytest tests/python

ctest runs them so (test `python`).
"""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "guidelines" / "vertebral-fracture-grade1"
SEED_RULES = SEED / "vertebral-fracture-grade1.rubric"
AS_OF = "2026-06-15"


@pytest.fixture(scope="session")
def seed():
    import rubric

    return rubric.Guideline.load(SEED_RULES)


@pytest.fixture(scope="session")
def rubric_binary():
    binary = os.environ.get("RUBRIC_BINARY", str(ROOT / "build" / "rubric"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no rubric binary at {binary}; set RUBRIC_BINARY")
    return binary


def run_batch(binary, rules, data: bytes, *options):
    """What `rubric batch` writes for `data` on its standard input."""
    done = subprocess.run([binary, "batch", str(rules), "-", *options], input=data,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.stdout
