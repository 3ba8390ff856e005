"""
The Celery task that sends what is due (progress updates and nudges: updates.send_due).

The LMS's Celery application discovers it by itself: ``openedx.core.lib.celery`` calls
``APP.autodiscover_tasks()``, which imports ``tasks`` of every installed Django app, and the plugin
app ``personalized_path.openedx`` is one. Operators schedule it with Celery beat
(``CELERYBEAT_SCHEDULE``) or run the ``send_progress_updates`` management command from cron.
Where Celery is not installed (the workbench, the tests) the task is a plain function.
"""
try:
    from celery import shared_task
except ImportError:  # no Celery: a plain function, called directly or by the command
    def shared_task(**_options):
        return lambda function: function

TASK_NAME = "personalized_path.openedx.tasks.send_progress_updates"


@shared_task(name=TASK_NAME, ignore_result=True)
def send_progress_updates():
    """Send every progress update and nudge that is due; the counts by kind."""
    # updates.py: the scheduling half of issue 28, a module of this app; imported when the task runs.
    # pylint: disable-next=import-outside-toplevel
    from personalized_path.openedx.updates import send_due
    return send_due()
