"""The built wheel, installed in a fresh virtual environment, carries its resources and renders blocks."""
import glob
import subprocess
import sys
import textwrap

from tests.harness import ROOT

RENDER = textwrap.dedent("""
    import os, sys
    import django
    from django.conf import settings
    settings.configure(USE_I18N=True, TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
    django.setup()
    import personalized_path
    assert "site-packages" in personalized_path.__file__, personalized_path.__file__
    from xblock.core import XBlock
    from xblock.runtime import DictKeyValueStore, KvsFieldData, NullI18nService
    from xblock.test.tools import TestRuntime

    class Runtime(TestRuntime):
        def local_resource_url(self, block, uri):
            return "/resource/" + uri
        def handler_url(self, block, name, suffix="", query="", thirdparty=False):
            return "/handler/" + name

    runtime = Runtime(services={"field-data": KvsFieldData(DictKeyValueStore()), "i18n": NullI18nService()})
    names = sorted(name for name, _cls in XBlock.load_classes() if name.startswith("personalized_"))
    print("blocks:", " ".join(names))
    block = runtime.get_block(runtime.parse_xml_string("<personalized_self_assessment/>"))
    html = block.render("student_view", {}).body_html()
    assert 'class="pp-root pp-self-assessment"' in html
    print("rendered:", len(html), "characters")
    cls = XBlock.load_class("personalized_self_assessment")
    for resource in ("static/js/self_assessment.js", "static/js/personalized.js", "static/css/personalized.css"):
        assert cls.open_local_resource(resource).read(), resource
    package = os.path.dirname(personalized_path.__file__)
    assert os.path.isfile(os.path.join(package, "translations", "en", "LC_MESSAGES", "text.mo"))
    print("resources: ok")
""")


def test_wheel_installs_in_a_fresh_environment_and_renders(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), ROOT],
                   check=True, capture_output=True)
    wheel = glob.glob(str(tmp_path / "dist" / "*.whl"))[0]
    listing = subprocess.run([sys.executable, "-m", "zipfile", "-l", wheel], capture_output=True, text=True,
                             check=True).stdout
    for member in ("personalized_path/templates/self_assessment.html", "personalized_path/static/js/personalized.js",
                   "personalized_path/translations/en/LC_MESSAGES/text.mo",
                   # the plugin app's tables, which operators create with the platform's migrations
                   "personalized_path/openedx/migrations/0001_learning_plan_summary.py",
                   "personalized_path/openedx/management/commands/rebuild_learning_plan_summaries.py",
                   # the edx-ace messages' templates, which the LMS finds in the plugin app's templates/
                   "personalized_path/openedx/templates/personalized_path/edx_ace/progress_digest/email/body.html",
                   "personalized_path/openedx/templates/personalized_path/edx_ace/common/update_body.txt",
                   "personalized_path/openedx/templatetags/personalized_path_messages.py"):
        assert member in listing, member
    venv = tmp_path / "venv"
    # A venv without pip of its own (ensurepip takes about 10 s); this pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel], check=True)
    result = subprocess.run([python, "-c", RENDER], cwd=str(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "rendered:" in result.stdout and "resources: ok" in result.stdout
    assert "personalized_self_assessment" in result.stdout
