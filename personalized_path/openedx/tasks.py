"""
The plugin's Celery tasks: sending what is due (progress updates and nudges: updates.send_due), and
rebuilding one learning plan's class summary when a staff view or that run found it out of date.

The LMS's Celery application discovers it by itself: ``openedx.core.lib.celery`` calls
``APP.autodiscover_tasks()``, which imports ``tasks`` of every installed Django app, and the plugin
app ``personalized_path.openedx`` is one. Operators schedule it with Celery beat
(``CELERYBEAT_SCHEDULE``) or run the ``send_progress_updates`` management command from cron.
Where Celery is not installed (the workbench, the tests) the task is a plain function.
"""
import logging

try:
    from celery import shared_task
except ImportError:  # no Celery: a plain function, called directly or by the command
    def shared_task(**_options):
        return lambda function: function

log = logging.getLogger(__name__)
TASK_NAME = "personalized_path.openedx.tasks.send_progress_updates"


@shared_task(name=TASK_NAME, ignore_result=True)
def send_progress_updates():
    """Send every progress update and nudge that is due; the counts by kind."""
    # updates.py: the scheduling half of issue 28, a module of this app; imported when the task runs.
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.openedx.updates import send_due
    return send_due()


REBUILD_TASK_NAME = "personalized_path.openedx.tasks.rebuild_learning_plan_summary"


@shared_task(name=REBUILD_TASK_NAME, ignore_result=True)
def rebuild_learning_plan_summary(plan_key):
    """
    Rebuild one plan's class summary from learner state, as ``rebuild_learning_plan_summaries --plan``
    does; the number of learners (None where the plan or the store is not there).
    """
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.platform_glue import DEFAULT_PLAN_LOADER, PLAN_LOADER_SETTING, platform_function
    try:
        plans = list(platform_function(PLAN_LOADER_SETTING, DEFAULT_PLAN_LOADER)([], [plan_key]))
    except Exception:  # pylint: disable=broad-except  # the modulestore's "not found", say: the plan was deleted
        log.warning("Learning plan %s could not be loaded: its class summary is not rebuilt", plan_key, exc_info=True)
        return None
    return plans[0].rebuild_class_summary() if plans else None


def queue_plan_rebuild(plan_key):
    """Queue that rebuild for the LMS's Celery workers (``PERSONALIZED_PATH_PLAN_REBUILD``, the plugin's default)."""
    rebuild_learning_plan_summary.delay(plan_key)
