"""The workbench's URLs, with the demo home (views.demo_home) in place of xblock-sdk's bare scenario list."""
from django.urls import re_path
from workbench.urls import urlpatterns as workbench_urls

from .views import demo_home

urlpatterns = [re_path(r"^$", demo_home, name="personalized_path_demo_home"), *workbench_urls]
