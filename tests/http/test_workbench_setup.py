"""
What ``make workbench`` runs first on a fresh clone: the migrations of a new database (the platform's
tagging app among them) finish without a traceback or a warning of ours, as an operator reads them.
"""
import shutil
import subprocess
import sys

from tests.harness import Workbench


def test_a_new_database_migrates_without_a_traceback_or_a_warning():
    workbench = Workbench()
    done = subprocess.run([sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v0"], cwd=workbench.folder,
                          env=workbench.env, capture_output=True, text=True, check=True)
    shutil.rmtree(workbench.folder)
    printed = done.stdout + done.stderr
    assert "Traceback" not in printed and "could not be renewed" not in printed, printed[-2000:]
