"""
The workbench's demo home (the demo unit as a learner and as staff, each editor, language and time
zone), its page of the messages sent, and the workbench's side of the plugin's views
(``PERSONALIZED_PATH_STAFF_PLAN`` and ``PERSONALIZED_PATH_CLASS_EXPORT_URL``): the student of
``?student=``, as the workbench's handlers have.
"""
from importlib import resources
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template import Context, Engine
from django.utils import translation
from workbench.runtime import WorkbenchRuntime
from workbench.scenarios import get_scenarios
from workbench.views import get_student_id
from xblock.exceptions import NoSuchUsage

from personalized_path.openedx import views as plugin_views

from .mailbox import newest
from .services import TIME_ZONE, is_staff_id

HOME = resources.files(__package__).joinpath("home.html")
MESSAGES = resources.files(__package__).joinpath("messages.html")
DEMO_UNIT = "personalized_self_assessment.0"
# A few zones to pick from on the home page; any IANA zone works through ?tz=.
ZONES = ("UTC", "America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/Madrid", "Africa/Cairo",
         "Asia/Riyadh", "Asia/Kolkata", "Asia/Tokyo", "Pacific/Auckland")
BLOCK_NAMES = {"self_assessment": "Self-assessment", "skill_check": "Skill check", "mastery_gate": "Mastery gate",
               "choice_board": "Choice board", "goal_reflection": "Goal reflection",
               "learning_plan": "Learning plan"}


def demo_home(request):
    """The scenario list of xblock-sdk's home, with the links and choices a first visit needs."""
    scenarios = [{"id": scenario_id, "description": scenario.description}
                 for scenario_id, scenario in sorted(get_scenarios().items())
                 if scenario_id.split(".")[0] not in settings.EXCLUDED_XBLOCKS]
    editors = [{"name": name, "scenario": f"personalized_{kind}.0"} for kind, name in BLOCK_NAMES.items()]
    engine = Engine(libraries={"static": "django.templatetags.static"}, autoescape=True)
    page = engine.from_string(HOME.read_text(encoding="utf-8")).render(Context({
        "demo": DEMO_UNIT, "scenarios": scenarios, "editors": editors, "languages": settings.LANGUAGES,
        "language": translation.get_language(), "zones": ZONES, "time_zone": TIME_ZONE.get() or "UTC",
    }))
    return HttpResponse(page)


def sent_messages(request):
    """The emails edx-ace sent through the workbench's email backend (mailbox.py), newest first."""
    engine = Engine(autoescape=True)
    page = engine.from_string(MESSAGES.read_text(encoding="utf-8")).render(Context({"emails": newest()}))
    return HttpResponse(page)


def staff_plan(request, usage_id):
    """The plan for the request's student, who must be staff by the workbench's rule (403), or 404."""
    student = get_student_id(request)
    if not is_staff_id(student):
        raise PermissionDenied
    try:
        plan = WorkbenchRuntime(student).get_block(usage_id)
    except NoSuchUsage as error:
        raise Http404 from error
    if plan.scope_ids.block_type != plugin_views.PLAN_TYPE:
        raise Http404
    return plan


def class_export_url(block):
    """The plugin's export URL for the block's student (the workbench's handler URLs carry it too)."""
    url = plugin_views.class_export_url(block)
    return url and f"{url}?{urlencode({'student': block.scope_ids.user_id})}"
