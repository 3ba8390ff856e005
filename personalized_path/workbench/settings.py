"""
Workbench settings for personalized_path: ``DJANGO_SETTINGS_MODULE=personalized_path.workbench.settings``.

On top of xblock-sdk's settings: SQLite under ``var/`` (or ``WORKBENCH_DATABASES``), learner state
read once per row per request and written once per row (``field_data``, as the LMS does), an i18n
service that reads this package's ``translations/`` as the LMS does, a user service that makes
``?student=staff...`` a staff user, the LMS's ``cache`` and ``user_state`` services over a cache
and a database shared by every worker process, languages chosen by ``?lang=xx`` or the browser, and a patch
that gives xblock-sdk 0.14's Studio page what Studio's runtime has.
"""
import importlib.util
import os
import sys

from workbench.settings import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from workbench.settings import DATABASES, INSTALLED_APPS, MIDDLEWARE, WORKBENCH

from personalized_path.openedx.settings import plugin_settings

os.makedirs("var", exist_ok=True)

EXCLUDED_XBLOCKS = {  # the SDK's own samples clutter the scenario list
    "allscopes_demo", "attempts_scoreboard_demo", "equality_demo", "filethumbs", "helloworld_demo",
    "html_demo", "problem_demo", "sidebar_demo", "slider_demo", "textinput_demo", "thumbs",
    "view_counter_demo",
}

if "WORKBENCH_DATABASES" not in os.environ:
    DATABASES["default"]["NAME"] = os.path.join("var", "workbench.db")
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":  # shared by several processes: see sqlite/base.py
        _database["ENGINE"] = "personalized_path.workbench.sqlite"
        _database.setdefault("OPTIONS", {}).setdefault("timeout", 30)

LANGUAGES = [("en", "English"), ("es", "Español"), ("ar", "العربية")]
LANGUAGE_CODE = "en"

MIDDLEWARE = [
    *MIDDLEWARE[:2],
    "django.middleware.locale.LocaleMiddleware",
    "personalized_path.workbench.middleware.language_from_query",
    "personalized_path.workbench.middleware.html_direction",
    "personalized_path.workbench.middleware.clock_from_cookie",
    "personalized_path.workbench.middleware.time_zone_preference",
    *MIDDLEWARE[2:],
    "personalized_path.workbench.middleware.studio_runtime_patch",
]

WORKBENCH = dict(WORKBENCH, services=dict(
    WORKBENCH["services"],
    **{"field-data": "personalized_path.workbench.field_data.RequestFieldData"},
    i18n="personalized_path.workbench.services.PackageI18nService",
    user="personalized_path.workbench.services.WorkbenchUserService",
    personalized_clock="personalized_path.workbench.services.WorkbenchClockService",
    cache="personalized_path.workbench.services.LmsLikeCacheService",
    user_state="personalized_path.workbench.services.WorkbenchUserStateService",
    user_state_client="personalized_path.workbench.user_states.WorkbenchUserStateClient",
))

# The blocks' locks live in Django's default cache, which must be shared by every worker process
# (in the LMS it is memcached or Redis). A table in the workbench's own database needs no other
# server: its primary key makes ``add`` atomic. ``migrate`` creates it (see apps.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                      "LOCATION": "personalized_path_cache",
                      # Never cull a live lock to make room: entries expire by themselves.
                      "OPTIONS": {"MAX_ENTRIES": 10_000_000}}}
# The Django app Open edX loads from the package's plugin entry points, with the settings it adds
# there; and the workbench's own set-up (the cache table).
INSTALLED_APPS = [*INSTALLED_APPS, "personalized_path.openedx.apps.PersonalizedPathConfig",
                  "personalized_path.workbench.apps.WorkbenchSetup"]
if importlib.util.find_spec("openedx_tagging"):  # the platform's taxonomies as skill frameworks (issue 29)
    INSTALLED_APPS.append("openedx_tagging.core.tagging" if importlib.util.find_spec("openedx_tagging.core")
                          else "openedx_tagging")
# A learner's write and the class counts it changes are saved in one transaction on this database.
PERSONALIZED_PATH_SAVE_TRANSACTION = "personalized_path.workbench.field_data.save_transaction"
# The learning plan's class summary for blocks whose fields live in this database (not the tests' memory).
PERSONALIZED_PATH_PLAN_SUMMARIES = "personalized_path.workbench.field_data.plan_summaries"
PERSONALIZED_PATH_PLAN_LOADER = "personalized_path.workbench.user_states.workbench_plans"
# A plan found out of date is rebuilt at once, in the staff request (the task called, not queued: no Celery here).
PERSONALIZED_PATH_PLAN_REBUILD = "personalized_path.openedx.tasks.rebuild_learning_plan_summary"
# Progress updates for blocks whose fields live in this database; their links point at this server.
PERSONALIZED_PATH_PROGRESS_UPDATES = "personalized_path.workbench.field_data.progress_updates"
LMS_ROOT_URL = os.environ.get("PERSONALIZED_PATH_SITE_URL", "http://localhost:8000")
# The plugin's streaming class export (urls.py), for the workbench's ?student= users.
PERSONALIZED_PATH_STAFF_PLAN = "personalized_path.workbench.views.staff_plan"
PERSONALIZED_PATH_CLASS_EXPORT_URL = "personalized_path.workbench.views.class_export_url"
plugin_settings(sys.modules[__name__])

# Messages go through edx-ace (the platform's message framework) as in the LMS, by its Django email
# channel, to an email backend that keeps them for the messages page (/messages/) and delivers nothing.
INSTALLED_APPS = [*INSTALLED_APPS, "edx_ace"]
ACE_ENABLED_CHANNELS = ["django_email"]
ACE_CHANNEL_DEFAULT_EMAIL = ACE_CHANNEL_TRANSACTIONAL_EMAIL = "django_email"
ACE_ENABLED_POLICIES = []
EMAIL_BACKEND = "personalized_path.workbench.mailbox.KeptEmailBackend"
DEFAULT_FROM_EMAIL = "personalized-path@example.com"
PLATFORM_NAME = "personalized_path workbench"
OPENEDX_TELEMETRY = []  # edx-ace reports each send to edx-django-utils' monitoring; New Relic is not here
# A workbench learner's address and name (the LMS's users by default).
PERSONALIZED_PATH_LEARNER_CONTACT = "personalized_path.workbench.services.learner_contact"
PERSONALIZED_PATH_LEARNERS = "personalized_path.workbench.services.learners_of"

# The demo home (links to the staff view, each editor, language and time zone) at /.
ROOT_URLCONF = "personalized_path.workbench.urls"

LOGGING = {"version": 1, "disable_existing_loggers": False}
