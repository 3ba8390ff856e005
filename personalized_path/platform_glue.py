"""
The platform glue blocks reach by a Django setting's name, never by importing it: the blocks do
not import ``personalized_path.openedx``, so they run where it cannot (the workbench, tests).
"""
import functools

from django.utils.module_loading import import_string

# Names the platform's cheaper way to read a linked block of ours (see LinksMixin.linked); the plugin
# sets it in the LMS and Studio (openedx/settings.py), and a runtime without it loads linked blocks as usual.
LINKED_VIEW_SETTING = "PERSONALIZED_PATH_LINKED_VIEW"
# Names the platform's own check of whether a learner may see a block (see LinksMixin.linked, SHOWN).
SHOWN_CHECK_SETTING = "PERSONALIZED_PATH_SHOWN_CHECK"
USER_STATE_CLIENT_SETTING = "PERSONALIZED_PATH_USER_STATE_CLIENT"
DEFAULT_USER_STATE_CLIENT = "personalized_path.openedx.user_states.platform_user_state_client"
SAVE_TRANSACTION_SETTING = "PERSONALIZED_PATH_SAVE_TRANSACTION"
DEFAULT_SAVE_TRANSACTION = "personalized_path.openedx.storage.save_transaction"
TEAMS_IMPORTER_SETTING = "PERSONALIZED_PATH_TEAMS_IMPORTER"
DEFAULT_TEAMS_IMPORTER = "personalized_path.openedx.teams.PlatformTeamsImporter"
# Names the skills glue (openedx/skill_tags.py: taxonomies as skill frameworks, skills as content tags),
# set by the plugin where the platform's tagging app is installed; unset, blocks use plain skill slugs.
SKILL_TAGS_SETTING = "PERSONALIZED_PATH_SKILL_TAGS"
# Names the learning plan's class summary store (openedx/summaries.py), set by the plugin; a runtime
# without it (no plugin app) has the class grid read every learner's state instead.
PLAN_SUMMARIES_SETTING = "PERSONALIZED_PATH_PLAN_SUMMARIES"
# Names the store of learners' progress-update recipients and reminders (openedx/updates.py); where it
# names nothing, the plan shows no "Progress updates" section.
PROGRESS_UPDATES_SETTING = "PERSONALIZED_PATH_PROGRESS_UPDATES"
DEFAULT_PROGRESS_UPDATES = "personalized_path.openedx.updates.progress_updates"
# How rebuild_learning_plan_summaries finds and loads plans: the LMS's modulestore by default.
PLAN_LOADER_SETTING = "PERSONALIZED_PATH_PLAN_LOADER"
DEFAULT_PLAN_LOADER = "personalized_path.openedx.summaries.modulestore_plans"
# How a tag removed in Studio's tag drawer reaches the block: a function (object id, change, user id) that
# opens the block for writing, applies ``change`` and saves it when that answers True; Studio's modulestore
# (its draft) by default.
AUTHORED_BLOCKS_SETTING = "PERSONALIZED_PATH_AUTHORED_BLOCKS"
DEFAULT_AUTHORED_BLOCKS = "personalized_path.openedx.tag_sync.edit_in_modulestore"
# Names the URL of the plugin's streaming class export for a plan (openedx/views.py), set by the plugin;
# where it names nothing or the URL is not served (Studio), the plan links to its export_csv handler.
CLASS_EXPORT_URL_SETTING = "PERSONALIZED_PATH_CLASS_EXPORT_URL"
# How the streaming view finds a plan for the request's user, refusing anyone but the course's staff.
STAFF_PLAN_SETTING = "PERSONALIZED_PATH_STAFF_PLAN"
DEFAULT_STAFF_PLAN = "personalized_path.openedx.views.course_staff_plan"


@functools.lru_cache(maxsize=8)
def _imported(path):
    return import_string(path)


def platform_function(setting, default=None):
    """
    The platform glue a Django setting names (a dotted path; ``default`` when unset), imported once,
    or None when it names nothing: blocks never import ``personalized_path.openedx``. Raises
    ImportError where the named module is not there (outside the platform).
    """
    from django.conf import settings  # pylint: disable=import-outside-toplevel
    path = getattr(settings, setting, default)
    return _imported(path) if path else None
