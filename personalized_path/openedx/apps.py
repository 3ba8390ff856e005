"""The Django app Open edX loads from this package's ``lms.djangoapp`` / ``cms.djangoapp`` entry points."""
from django.apps import AppConfig

# edx-django-utils' plugin keys, spelled out so the app also loads where that package is absent.
_SETTINGS = {"common": {"relative_path": "settings"}}
_AUTHORING_SIGNALS = {"receivers": [
    {"receiver_func_name": "sync_after_authoring_change",
     "signal_path": f"openedx_events.content_authoring.signals.{name}",
     "dispatch_uid": f"personalized_path.sync_gate_children.{name}"}
    for name in ("XBLOCK_CREATED", "XBLOCK_UPDATED")
] + [{"receiver_func_name": "sync_after_request", "signal_path": "django.core.signals.request_finished",
      "dispatch_uid": "personalized_path.sync_gate_children.request_finished"}], "relative_path": "studio_sync"}


class PersonalizedPathConfig(AppConfig):
    """Mastery gate enforcement: partition scheme settings, filter step and Studio sync."""

    name = "personalized_path.openedx"
    label = "personalized_path"
    verbose_name = "Personalized path"

    plugin_app = {
        "settings_config": {"lms.djangoapp": _SETTINGS, "cms.djangoapp": _SETTINGS},
        "signals_config": {"cms.djangoapp": _AUTHORING_SIGNALS},
    }
