"""
The workbench's demo home (the demo unit as a learner and as staff, each editor, language and time
zone) and its page of the messages sent.
"""
from importlib import resources

from django.conf import settings
from django.http import HttpResponse
from django.template import Context, Engine
from django.utils import translation
from workbench.scenarios import get_scenarios

from .mailbox import newest
from .services import TIME_ZONE

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
