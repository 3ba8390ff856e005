"""The suite cannot fail on timing: property tests have no deadline and no "too slow" health check."""
import glob
import os
import re
import time

from hypothesis import HealthCheck, given, settings, strategies

from tests.harness import ROOT

TESTS = os.path.join(ROOT, "tests")


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
