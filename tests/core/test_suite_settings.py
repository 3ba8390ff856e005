"""
The suite's own rules: it cannot fail on timing (property tests have no deadline and no "too slow"
health check), each test file sits in its tier's folder, and no file imports a test file (what tests
share is in harness.py and builders.py).
"""
import ast
import glob
import os
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies

from tests.harness import ROOT

TESTS = os.path.join(ROOT, "tests")
TIERS = {"core", "blocks", "lms_standin", "http", "browser", "packaging", "lms"}  # tests/README.md


def test_the_loaded_hypothesis_profile_has_no_deadline_and_draws_the_same_examples():
    assert settings().deadline is None
    assert HealthCheck.too_slow in settings().suppress_health_check
    assert settings().derandomize or os.environ.get("HYPOTHESIS_PROFILE") == "explore"


def test_no_test_sets_a_deadline_of_its_own():
    """A deadline in a test's own @settings would override the profile; the profile is the one place."""
    found = [f"{os.path.relpath(path, TESTS)}:{number}"
             for path in sorted(glob.glob(os.path.join(TESTS, "**", "*.py"), recursive=True))
             for number, line in enumerate(open(path, encoding="utf-8"), start=1)  # pylint: disable=consider-using-with
             if re.search(r"@settings\(.*deadline", line) or re.search(r"register_profile\(.*deadline=\d", line)]
    assert not found, found


@settings(max_examples=2)
@given(strategies.integers())
def test_a_slow_example_does_not_fail(number):
    """Slower than hypothesis's default 200 ms deadline, as any test may be on a busy machine."""
    time.sleep(0.25)
    assert isinstance(number, int)


def suite_test_files():
    return sorted(glob.glob(os.path.join(TESTS, "**", "test_*.py"), recursive=True))


def imported_test_modules(source):
    """The test modules (``test_*``) that Python ``source`` imports, by any form of import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""] + [f"{node.module or ''}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [module for module in modules if module.rsplit(".", 1)[-1].startswith("test_")]
    return found


def test_every_test_file_is_in_its_tiers_folder():
    misplaced = [os.path.relpath(path, TESTS) for path in suite_test_files()
                 if os.path.relpath(path, TESTS).split(os.sep)[0] not in TIERS]
    assert not misplaced, misplaced


def test_no_file_of_the_suite_imports_a_test_file():
    found = {}
    for path in sorted(glob.glob(os.path.join(TESTS, "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            imported = imported_test_modules(handle.read())
        if imported:
            found[os.path.relpath(path, TESTS)] = imported
    assert not found, f"shared code belongs in tests/harness.py or tests/builders.py: {found}"


@pytest.mark.parametrize("source", ["from tests.blocks.test_mastery_gate import gate_xml",
                                    "import tests.core.test_mastery", "from tests.blocks import test_no500",
                                    "from .test_stored_values import GARBLED",
                                    "def f():\n    from tests.test_x import y"])
def test_the_import_check_finds_each_form_of_import(source):
    assert imported_test_modules(source)


def test_the_import_check_passes_shared_modules():
    assert not imported_test_modules("from tests.builders import board_xml\nimport tests.harness\nimport pytest")
