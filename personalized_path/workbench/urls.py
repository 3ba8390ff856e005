"""
The workbench's URLs: the demo home (views.demo_home) in place of xblock-sdk's bare scenario list,
and the messages sent (views.sent_messages).
"""
from django.urls import re_path
from workbench.urls import urlpatterns as workbench_urls

from .views import demo_home, sent_messages

urlpatterns = [re_path(r"^$", demo_home, name="personalized_path_demo_home"),
               re_path(r"^messages/$", sent_messages, name="personalized_path_messages"), *workbench_urls]
