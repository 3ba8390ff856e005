"""The plugin's URLs, under ``personalized_path/`` (apps.py, ``url_config``) in the LMS and the workbench."""
from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^learning_plan/(?P<usage_id>[^/]+)/class\.csv$", views.learning_plan_class_csv,
            name="learning_plan_class_csv"),
]
