"""The workbench's Django settings on a fresh SQLite file: what every benchmark starts from."""
import json
import os
import tempfile

import django


def setup(prefix):
    """Point the workbench at a new SQLite file, configure Django and create the tables."""
    folder = tempfile.mkdtemp(prefix=prefix)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalized_path.workbench.settings")
    os.environ.setdefault("WORKBENCH_DATABASES", json.dumps(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(folder, "bench.db")}}))
    django.setup()
    # As the LMS runs in production: no DEBUG (Django would log every query), and a shared cache
    # that is memcached or Redis, not SQL (cache calls such as locks stay out of the query counts).
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.management import call_command  # pylint: disable=import-outside-toplevel
    call_command("migrate", run_syncdb=True, verbosity=0)
    # The LMS finds a learner's row by StudentModule's unique index on (student, block, course). The
    # workbench's table has one index per column only, and SQLite picks the one on ``scope``, which
    # nearly every row shares: each state query would scan every learner's row, and the benchmark
    # would slow down as its learners accumulate. The same row key, indexed as the LMS indexes it:
    from django.db import connection  # pylint: disable=import-outside-toplevel
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX pp_state_row ON workbench_xblockstate (scope_id, user_id, scope)")
