"""
Settings the plugin adds to the LMS and Studio (edx-django-utils calls ``plugin_settings``).

``PERSONALIZED_PATH_ENFORCE_GATES`` (default True): the platform hides a mastery gate's children
from learners for whom the gate is locked, and routed-away children from other routes. False
leaves the partitions inactive, so only the gate's own view holds children back.

``PERSONALIZED_PATH_LINKED_VIEW`` (default ``personalized_path.openedx.linked.learner_view``): how a
block reads the learner's state in a linked block of ours without the platform binding that block
again (see linked.py); empty makes blocks load linked blocks through ``runtime.get_block``.

``PERSONALIZED_PATH_SHOWN_CHECK`` (default ``personalized_path.openedx.linked.learner_may_see``): the
platform's check of whether a learner may see a linked block that such a view shows them a summary
of (the learning plan); empty makes those blocks load through ``runtime.get_block`` too.

``PERSONALIZED_PATH_PLAN_SUMMARIES`` (default ``personalized_path.openedx.summaries.plan_summaries``):
the learning plan's class summary, kept in this app's tables (see summaries.py); empty makes the class
grid read every learner's state on each request.

``PERSONALIZED_PATH_PLAN_REBUILD`` (default ``personalized_path.openedx.tasks.queue_plan_rebuild``): what
runs when a plan's class summary is found out of date (an author changed what the plan reads, or the
plugin was upgraded): a function given the plan's usage key; by default it queues the Celery task
``rebuild_learning_plan_summary`` for the LMS's workers; empty leaves it to the management command.

``PERSONALIZED_PATH_PROGRESS_UPDATES`` (default ``personalized_path.openedx.updates.progress_updates``):
where the learning plan keeps a learner's progress-update recipients, reminder switches and sent log;
empty hides the plan's "Progress updates" section; messaging.py sends them through edx-ace.
``PERSONALIZED_PATH_UPDATES_FOR_MINORS`` (default False): True lets learners whose profile requires
parental consent use them too.
``PERSONALIZED_PATH_CLASS_EXPORT_URL`` (default ``personalized_path.openedx.views.class_export_url``): the
URL of the plan's streaming class export (views.py), where the platform serves the plugin's URLs (the
LMS); empty, or where it is not served (Studio), the plan links to its ``export_csv`` handler.
``PERSONALIZED_PATH_STAFF_PLAN`` (unset: ``personalized_path.openedx.views.course_staff_plan``): how
that view loads the plan and refuses anyone but the course's staff.
``PERSONALIZED_PATH_SKILL_TAGS`` (default ``personalized_path.openedx.skill_tags.PlatformSkillTags``
where the tagging app ``openedx_tagging`` is installed, else unset): skills from the taxonomies a
course may use, written as the blocks' content tags (see skill_tags.py); unset, skills are plain slugs.
"""
ENFORCE_SETTING = "PERSONALIZED_PATH_ENFORCE_GATES"
LINKED_VIEW_SETTING = "PERSONALIZED_PATH_LINKED_VIEW"
LINKED_VIEW = "personalized_path.openedx.linked.learner_view"
SHOWN_CHECK_SETTING = "PERSONALIZED_PATH_SHOWN_CHECK"
SHOWN_CHECK = "personalized_path.openedx.linked.learner_may_see"
PLAN_SUMMARIES_SETTING = "PERSONALIZED_PATH_PLAN_SUMMARIES"
PLAN_SUMMARIES = "personalized_path.openedx.summaries.plan_summaries"
PLAN_REBUILD_SETTING = "PERSONALIZED_PATH_PLAN_REBUILD"
PLAN_REBUILD = "personalized_path.openedx.tasks.queue_plan_rebuild"
PROGRESS_UPDATES_SETTING = "PERSONALIZED_PATH_PROGRESS_UPDATES"
PROGRESS_UPDATES = "personalized_path.openedx.updates.progress_updates"
CLASS_EXPORT_URL_SETTING = "PERSONALIZED_PATH_CLASS_EXPORT_URL"
CLASS_EXPORT_URL = "personalized_path.openedx.views.class_export_url"
SKILL_TAGS_SETTING = "PERSONALIZED_PATH_SKILL_TAGS"
SKILL_TAGS = "personalized_path.openedx.skill_tags.PlatformSkillTags"
TAGGING_APP = "openedx_tagging"  # openedx_tagging.core.tagging in openedx-learning
RENDER_FILTER = "org.openedx.learning.xblock.render.started.v1"
RENDER_STEP = "personalized_path.openedx.filters.RefuseLockedChildRender"


def plugin_settings(settings):
    if not hasattr(settings, ENFORCE_SETTING):
        setattr(settings, ENFORCE_SETTING, True)
    if not hasattr(settings, LINKED_VIEW_SETTING):
        setattr(settings, LINKED_VIEW_SETTING, LINKED_VIEW)
    if not hasattr(settings, SHOWN_CHECK_SETTING):
        setattr(settings, SHOWN_CHECK_SETTING, SHOWN_CHECK)
    if not hasattr(settings, PLAN_SUMMARIES_SETTING):
        setattr(settings, PLAN_SUMMARIES_SETTING, PLAN_SUMMARIES)
    if not hasattr(settings, PLAN_REBUILD_SETTING):
        setattr(settings, PLAN_REBUILD_SETTING, PLAN_REBUILD)
    if not hasattr(settings, PROGRESS_UPDATES_SETTING):
        setattr(settings, PROGRESS_UPDATES_SETTING, PROGRESS_UPDATES)
    if not hasattr(settings, CLASS_EXPORT_URL_SETTING):
        setattr(settings, CLASS_EXPORT_URL_SETTING, CLASS_EXPORT_URL)
    tagging = any(str(app).startswith(TAGGING_APP) for app in getattr(settings, "INSTALLED_APPS", ()))
    if tagging and not hasattr(settings, SKILL_TAGS_SETTING):
        setattr(settings, SKILL_TAGS_SETTING, SKILL_TAGS)
    filters = getattr(settings, "OPEN_EDX_FILTERS_CONFIG", None)
    filters = dict(filters) if isinstance(filters, dict) else {}
    pipeline = dict(filters.get(RENDER_FILTER) or {"fail_silently": False, "pipeline": []})
    steps = list(pipeline.get("pipeline") or [])
    if RENDER_STEP not in steps:
        steps.append(RENDER_STEP)
    pipeline["pipeline"] = steps
    filters[RENDER_FILTER] = pipeline
    settings.OPEN_EDX_FILTERS_CONFIG = filters


def enforcing():
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    return bool(getattr(settings, ENFORCE_SETTING, True))
