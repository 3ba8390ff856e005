"""The plugin's LMS URLs (``url_config`` in apps.py, namespace ``personalized_path``)."""
from django.urls import path

from personalized_path.openedx import update_views

app_name = "personalized_path"
urlpatterns = [
    path("progress-updates/confirm/<str:token>/", update_views.confirm_updates, name="progress_update_confirm"),
    path("progress-updates/stop/<str:token>/", update_views.stop_updates, name="progress_update_stop"),
]
