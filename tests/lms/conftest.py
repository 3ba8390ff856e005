"""
The real-LMS tier: tests written against edx-platform's own test harness (ModuleStoreTestCase, the
platform's factories, the Django test client on the LMS's URLs). They run only inside an Open edX
LMS (``make test-lms LMS=<edx-platform checkout>``, or pytest in a Tutor LMS container: README);
elsewhere each module skips itself with the reason (``platform_or_skip``), and the main suite never
collects this folder (tests/conftest.py).
"""
