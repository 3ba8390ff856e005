"""Fixtures shared by the tiers (the browser tier's own: tests/browser/conftest.py), built on tests/harness.py."""
import os

import pytest
from hypothesis import HealthCheck, settings

from tests.harness import BlockEnv
from tests.lms_standin.course import StandardCourse

# The real-LMS tier runs only inside an Open edX LMS (make test-lms): never collected here.
collect_ignore = ["lms"]

# Property tests never fail on time: no deadline and no "too slow" health check (a busy 2-core machine
# takes seconds for what takes milliseconds alone). "ci" (the default) draws the same examples on every
# run, so a failure is reproduced by running again; HYPOTHESIS_PROFILE=explore draws new ones each run.
settings.register_profile("ci", deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: an in-process request may have activated another."""
    from django.utils import translation  # pylint: disable=import-outside-toplevel
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def skills_as_plain_slugs(request):
    """
    Blocks see no taxonomies (as without the platform's tagging app) unless a test is marked
    ``tagging``: those use the tagging app's real tables in the test database.
    """
    if not request.node.get_closest_marker("tagging"):
        request.getfixturevalue("settings").PERSONALIZED_PATH_SKILL_TAGS = ""


@pytest.fixture
def env():
    return BlockEnv()


@pytest.fixture
def lms_course(settings):
    """
    The LMS tier's standard multi-unit course (tests/lms_standin/course.py) on the LMS stand-in, whose
    model of the LMS's load check answers what a learner may be shown (the plugin's glue needs the LMS).
    """
    settings.PERSONALIZED_PATH_SHOWN_CHECK = "tests.lms_standin.standin.learner_may_see"
    return StandardCourse()
