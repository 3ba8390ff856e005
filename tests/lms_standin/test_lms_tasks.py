"""
The Celery task of issue 28 (openedx/tasks.py): registered under its name where Celery is installed
(the LMS's Celery application discovers it in the plugin app), a plain function where Celery is not.
"""
import importlib
import sys

import pytest

import personalized_path.openedx
from personalized_path.openedx import tasks


def test_the_task_is_a_celery_task_under_its_name_where_celery_is_installed():
    celery = pytest.importorskip("celery")
    assert tasks.send_progress_updates.name == tasks.TASK_NAME
    assert tasks.TASK_NAME in celery.current_app.tasks  # a shared task joins every Celery application


def test_without_celery_the_module_imports_and_the_task_is_a_plain_function(monkeypatch):
    monkeypatch.setitem(sys.modules, "celery", None)  # import celery raises ImportError
    monkeypatch.delitem(sys.modules, "personalized_path.openedx.tasks")
    monkeypatch.setattr(personalized_path.openedx, "tasks", tasks)
    plain = importlib.import_module("personalized_path.openedx.tasks")
    assert plain is not tasks and callable(plain.send_progress_updates)
    assert not hasattr(plain.send_progress_updates, "delay")
