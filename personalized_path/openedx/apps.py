"""The Django app Open edX loads from this package's ``lms.djangoapp`` / ``cms.djangoapp`` entry points."""
from django.apps import AppConfig

# edx-django-utils' plugin keys, spelled out so the app also loads where that package is absent.
_SETTINGS = {"common": {"relative_path": "settings"}}
# The plugin's views (urls.py), at /personalized_path/ in the LMS; reversed as "personalized_path:<name>".
URL_NAMESPACE, URL_PREFIX = "personalized_path", r"^personalized_path/"
_URLS = {"namespace": URL_NAMESPACE, "regex": URL_PREFIX, "relative_path": "urls"}


def _receiver(function, signal_path, name):
    return {"receiver_func_name": function, "signal_path": signal_path,
            "dispatch_uid": f"personalized_path.{function}.{name}"}


# Publishing, importing and re-running a course end with the modulestore's course_published.
_PUBLISHED = [_receiver("sync_after_publish", "xmodule.modulestore.django.COURSE_PUBLISHED", "course_published"),
              _receiver("sync_pending", "django.core.signals.request_finished", "request_finished"),
              _receiver("sync_pending", "celery.signals.task_postrun", "task_postrun"),
              _receiver("tag_skills_after_publish", "xmodule.modulestore.django.COURSE_PUBLISHED", "course_published")]
_AUTHORING = [_receiver("sync_after_authoring_change", f"openedx_events.content_authoring.signals.{name}", name)
              for name in ("XBLOCK_CREATED", "XBLOCK_UPDATED")] + [
    _receiver("sync_after_request", "django.core.signals.request_finished", "request_finished")]
# Studio's tag drawer: the content tags it deletes, then its tag-change event (the deprecated
# CONTENT_OBJECT_TAGS_CHANGED, sent beside it, is not needed).
_TAGGING = [_receiver("note_removed_tag", "django.db.models.signals.post_delete", "post_delete"),
            _receiver("skills_after_tag_change",
                      "openedx_events.content_authoring.signals.CONTENT_OBJECT_ASSOCIATIONS_CHANGED",
                      "CONTENT_OBJECT_ASSOCIATIONS_CHANGED"),
            _receiver("forget_removed_tags", "django.core.signals.request_finished", "request_finished"),
            _receiver("forget_removed_tags", "celery.signals.task_postrun", "task_postrun")]
# A course's skill framework is cached for learners' views; any change of a tag or taxonomy renews it.
_FRAMEWORKS = [_receiver("framework_changed", f"django.db.models.signals.{name}", f"framework_{name}")
               for name in ("post_save", "post_delete")]
# The retirement pipeline's LMS steps (retire_misc, and the account step).
_RETIREMENT = [_receiver("erase_learner_text", f"openedx.core.djangoapps.user_api.accounts.signals.{name}", name)
               for name in ("USER_RETIRE_LMS_MISC", "USER_RETIRE_LMS_CRITICAL")]


class PersonalizedPathConfig(AppConfig):
    """Mastery gate enforcement (partitions, sync, filter step), retirement, the class summary and export."""

    name = "personalized_path.openedx"
    label = "personalized_path"
    default_auto_field = "django.db.models.BigAutoField"  # summary rows are replaced on every rebuild
    verbose_name = "Personalized path"

    plugin_app = {
        # The unauthenticated confirm and stop links of progress updates (update_views.py).
        "settings_config": {"lms.djangoapp": _SETTINGS, "cms.djangoapp": _SETTINGS},
        "url_config": {"lms.djangoapp": _URLS},
        "signals_config": {
            "cms.djangoapp": {"relative_path": "signals",
                              "receivers": _PUBLISHED + _AUTHORING + _TAGGING + _FRAMEWORKS},
            "lms.djangoapp": {"relative_path": "signals", "receivers": _PUBLISHED + _RETIREMENT + _FRAMEWORKS},
        },
    }
