"""What every real-LMS test module calls first."""
import pytest

REASON = "edx-platform is not importable here: run `make test-lms LMS=<edx-platform checkout>` (see README)"


def platform_or_skip():
    """Skip the calling module, saying why, unless edx-platform's LMS test harness is importable."""
    pytest.importorskip("xmodule.modulestore.tests.django_utils", reason=REASON)
    pytest.importorskip("lms.djangoapps.courseware", reason=REASON)
