"""The plugin's URLs, under ``personalized_path/`` (apps.py, ``url_config``) in the LMS and the workbench."""
from django.urls import path, re_path

from . import update_views, views

app_name = "personalized_path"
urlpatterns = [
    re_path(r"^learning_plan/(?P<usage_id>[^/]+)/class\.csv$", views.learning_plan_class_csv,
            name="learning_plan_class_csv"),
    path("progress-updates/confirm/<str:token>/", update_views.confirm_updates, name="progress_update_confirm"),
    path("progress-updates/stop/<str:token>/", update_views.stop_updates, name="progress_update_stop"),
]
