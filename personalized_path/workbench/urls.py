"""The workbench's URLs, with the demo home (views.demo_home) in place of xblock-sdk's bare scenario list."""
from django.urls import include, path, re_path
from workbench.urls import urlpatterns as workbench_urls

from .views import demo_home

urlpatterns = [re_path(r"^$", demo_home, name="personalized_path_demo_home"),
               # The plugin's LMS URLs where the LMS mounts them (apps.py url_config): progress updates' links.
               path("personalized_path/", include("personalized_path.openedx.urls")), *workbench_urls]
