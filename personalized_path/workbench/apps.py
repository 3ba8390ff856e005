"""
The workbench's own set-up: the cache table the blocks' locks live in (run by ``migrate``), and the
receiver the plugin's ``signals_config`` connects in the LMS that renews cached skill frameworks.
"""
from django.apps import AppConfig, apps
from django.core.management import call_command
from django.db.models.signals import post_delete, post_migrate, post_save

from personalized_path.openedx.tag_sync import framework_changed


def create_cache_table(**kwargs):
    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class WorkbenchSetup(AppConfig):
    """Not a Django app of the package: only the workbench settings install it."""

    name = "personalized_path.workbench"
    label = "personalized_path_workbench"
    verbose_name = "personalized_path workbench set-up"

    def ready(self):
        # Sent for apps with models only: connected to xblock-sdk's app, which always has them.
        post_migrate.connect(create_cache_table, sender=apps.get_app_config("workbench"),
                             dispatch_uid="personalized_path_cache_table")
        for signal in (post_save, post_delete):
            signal.connect(framework_changed, dispatch_uid=f"personalized_path.framework_changed.{signal}")
