"""
The workbench as a WSGI application for a multi-process server, e.g.
``gunicorn --preload --workers 4 personalized_path.workbench.wsgi``.

xblock-sdk loads its scenarios on the first request of each process, rewriting their rows; with
several workers starting at once they would rewrite them under each other's requests. Loaded
here, once, before the server forks its workers, every worker starts with the same scenarios.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalized_path.workbench.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402  pylint: disable=wrong-import-position
from django.db import connections  # noqa: E402  pylint: disable=wrong-import-position

application = get_wsgi_application()

from workbench.scenarios import get_scenarios  # noqa: E402  pylint: disable=wrong-import-position,wrong-import-order

get_scenarios()
connections.close_all()  # each worker opens its own connection after the fork
