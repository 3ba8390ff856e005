"""
The workbench's URLs: the demo home (views.demo_home) in place of xblock-sdk's bare scenario list,
the messages sent (views.sent_messages), and the plugin's own URLs where the LMS mounts them.
"""
from django.urls import include, path, re_path
from workbench.urls import urlpatterns as workbench_urls

from .views import demo_home, sent_messages

urlpatterns = [re_path(r"^$", demo_home, name="personalized_path_demo_home"),
               re_path(r"^messages/$", sent_messages, name="personalized_path_messages"),
               # The plugin's LMS URLs where the LMS mounts them (apps.py url_config): progress updates' links.
               path("personalized_path/", include("personalized_path.openedx.urls")), *workbench_urls]
