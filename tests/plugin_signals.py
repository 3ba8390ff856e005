"""The plugin's receivers connected as edx-django-utils connects them from apps.py's ``signals_config``."""
import contextlib

from django.utils.module_loading import import_string

from personalized_path.openedx import signals
from personalized_path.openedx.apps import PersonalizedPathConfig


@contextlib.contextmanager
def plugin_receivers(project, names):
    """While open: the receivers ``names`` of ``project`` ("cms.djangoapp", ...) connected, by apps.py's paths."""
    config = PersonalizedPathConfig.plugin_app["signals_config"][project]["receivers"]
    wanted = [receiver for receiver in config if receiver["receiver_func_name"] in names]
    assert {receiver["receiver_func_name"] for receiver in wanted} == set(names), "not in apps.py"
    for receiver in wanted:
        import_string(receiver["signal_path"]).connect(getattr(signals, receiver["receiver_func_name"]),
                                                       dispatch_uid=receiver["dispatch_uid"])
    try:
        yield
    finally:
        for receiver in wanted:
            import_string(receiver["signal_path"]).disconnect(dispatch_uid=receiver["dispatch_uid"])
