"""
The workbench's URLs: the demo home (views.demo_home) in place of xblock-sdk's bare scenario list, the
messages sent (views.sent_messages), and the plugin's views under the prefix and namespace the LMS gives
them (openedx/apps.py).
"""
from django.urls import include, re_path
from workbench.urls import urlpatterns as workbench_urls

from personalized_path.openedx.apps import PersonalizedPathConfig, URL_NAMESPACE, URL_PREFIX

from .views import demo_home, sent_messages

urlpatterns = [
    re_path(r"^$", demo_home, name="personalized_path_demo_home"),
    re_path(r"^messages/$", sent_messages, name="personalized_path_messages"),
    re_path(URL_PREFIX, include(("personalized_path.openedx.urls", PersonalizedPathConfig.name),
                                namespace=URL_NAMESPACE)),
    *workbench_urls,
]
