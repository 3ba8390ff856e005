"""
Platform enforcement of the mastery gate: the partition rule (core), the RenderXBlockStarted step
run through the real openedx-filters pipeline with real gate blocks, and the Django app plugin.
The partition scheme, generator and Studio sync run only inside Open edX: README says how they
were checked in a Teak LMS.
"""
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.test import override_settings
from openedx_filters.learning.filters import RenderXBlockStarted

from personalized_path.core import gate_access
from personalized_path.openedx import settings as plugin
from personalized_path.openedx.apps import PersonalizedPathConfig
from personalized_path.openedx.filters import RefuseLockedChildRender, enclosing_gate
from tests.harness import RecordingRuntime, call

ROUTES = [{"id": "review", "label": "Review", "min": 0, "max": 60},
          {"id": "stretch", "label": "Stretch", "min": 60, "max": 100}]
UNLOCKED = {"version": 1, "unlocked": True, "unlocked_at": "2026-01-01T00:00:00+00:00", "route": None,
            "values": {}, "evaluated_at": "2026-01-01T00:00:00+00:00"}


# --- the partition rule -------------------------------------------------------------------------

def test_partition_ids_are_stable_distinct_and_in_the_runtime_range():
    ids = {gate_access.partition_id(f"gate{number}") for number in range(2000)}
    assert len(ids) == 2000
    assert all(gate_access.is_gate_partition_id(value) for value in ids)
    assert min(ids) >= gate_access.PARTITION_ID_LOW and max(ids) <= 2**31 - 1
    assert gate_access.partition_id("abc") == gate_access.partition_id("abc")
    assert not gate_access.is_gate_partition_id(50) and not gate_access.is_gate_partition_id("1500000000")


def test_groups_follow_the_routes():
    assert gate_access.groups([]) == [(0, gate_access.NOBODY_NAME), (1, gate_access.UNLOCKED_NAME)]
    assert gate_access.groups(ROUTES)[2:] == [(2, "Review"), (3, "Stretch")]
    assert gate_access.route_groups(ROUTES) == {"review": 2, "stretch": 3}
    broken = [{"id": "x", "label": "X", "min": 50, "max": 10}]
    assert gate_access.route_groups(broken) == {}  # invalid routes: routing is off, as in the gate


def test_allowed_groups_are_never_empty():
    child_routes = {"a": "review", "b": "stretch", "c": "gone"}
    assert gate_access.allowed_groups("a", child_routes, ROUTES) == [2]
    assert gate_access.allowed_groups("b", child_routes, ROUTES) == [3]
    assert gate_access.allowed_groups("everyone", child_routes, ROUTES) == [1, 2, 3]
    assert gate_access.allowed_groups("c", child_routes, ROUTES) == [gate_access.NOBODY_GROUP]
    assert gate_access.allowed_groups("a", "garbled", []) == [1]


@pytest.mark.parametrize("unlocked, route, group", [
    (False, None, None),
    (False, "review", None),
    (True, None, 1),
    (True, "review", 2),
    (True, "stretch", 3),
    (True, "removed", 1),
])
def test_group_for_the_decision(unlocked, route, group):
    assert gate_access.group_for(unlocked, route, gate_access.route_groups(ROUTES)) == group


def test_a_route_group_opens_its_route_children_and_everyone_children_as_the_gate_does():
    child_routes = {"a": "review", "b": "stretch"}
    review = gate_access.group_for(True, "review", gate_access.route_groups(ROUTES))
    assert review in gate_access.allowed_groups("a", child_routes, ROUTES)
    assert review not in gate_access.allowed_groups("b", child_routes, ROUTES)
    assert review in gate_access.allowed_groups("shared", child_routes, ROUTES)
    assert gate_access.group_for(False, None, gate_access.route_groups(ROUTES)) is None


def test_wanted_entries_write_only_what_differs():
    gate = gate_access.partition_id("gate")
    gates = [("gate", [("k-a", "a"), ("k-b", "b")], {"b": "stretch"}, ROUTES)]
    current = {"k-a": {"50": [1]}, "k-b": {str(gate): [3]}, "k-moved": {str(gate): [1], "50": [2]}}
    assert gate_access.wanted_entries(gates, current) == {
        "k-a": {"50": [1], gate: [1, 2, 3]}, "k-moved": {"50": [2]}}
    synced = dict(current, **gate_access.wanted_entries(gates, current))
    assert gate_access.wanted_entries(gates, synced) == {}


def test_merged_group_access_keeps_other_partitions_and_drops_other_gates():
    mine, other_gate = gate_access.partition_id("mine"), gate_access.partition_id("other")
    current = {50: [2], str(other_gate): [1], 1234: [5]}
    assert gate_access.merged_group_access(current, mine, [1, 2]) == {50: [2], 1234: [5], mine: [1, 2]}
    assert gate_access.merged_group_access(current, None, None) == {50: [2], 1234: [5]}
    assert gate_access.merged_group_access(None, mine, [1]) == {mine: [1]}


# --- the render filter step, through openedx-filters -------------------------------------------

@pytest.fixture
def gated(env):
    """A gate (locked until its source problem is answered) with a text child and a routed child."""
    gate = env.load(
        "<personalized_mastery_gate display_name='Fractions gate'>"
        "<html_demo><p>inside</p></html_demo>"
        "<personalized_self_assessment/>"
        "</personalized_mastery_gate>")
    block = env.block(gate)
    text_id, routed_id = block.children
    return gate, text_id, routed_id


def store_gate_state(env, gate, user, state):
    block = env.block(gate, user)
    block.learner_state = state
    block.save()


def run_render_filter(block, staff_access=False):
    context, view_context = RenderXBlockStarted.run_filter(
        context={"block": block, "staff_access": staff_access}, student_view_context={})
    return context, view_context


FILTERS = {plugin.RENDER_FILTER: {"fail_silently": False, "pipeline": [plugin.RENDER_STEP]}}


@override_settings(OPEN_EDX_FILTERS_CONFIG=FILTERS)
def test_locked_learner_gets_the_lock_message_not_the_child(env, gated):
    gate, text_id, _ = gated
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse) as refused:
        run_render_filter(env.block(text_id))
    assert "inside" not in refused.value.response
    assert "Fractions gate" in refused.value.response


@override_settings(OPEN_EDX_FILTERS_CONFIG=FILTERS)
def test_unlocked_learner_and_staff_pass(env, gated):
    gate, text_id, _ = gated
    store_gate_state(env, gate, "student_1", UNLOCKED)
    context, _ = run_render_filter(env.block(text_id))
    assert context["block"].scope_ids.usage_id == text_id
    run_render_filter(env.block(text_id, "student_2", staff=True))           # course staff of the block
    run_render_filter(env.block(text_id, "student_2"), staff_access=True)    # the page's own staff flag


@override_settings(OPEN_EDX_FILTERS_CONFIG=FILTERS)
def test_routes_decide_which_child_opens(env, gated):
    gate, text_id, routed_id = gated
    gate_block = env.block(gate, staff=True)
    gate_block.routes = ROUTES
    gate_block.child_routes = {gate_block.child_key(routed_id): "stretch"}
    gate_block.save()
    store_gate_state(env, gate, "student_1", dict(UNLOCKED, route="review"))
    run_render_filter(env.block(text_id))                                     # for everyone
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse):
        run_render_filter(env.block(routed_id))                               # another route's child
    store_gate_state(env, gate, "student_1", dict(UNLOCKED, route="stretch"))
    run_render_filter(env.block(routed_id))


@override_settings(OPEN_EDX_FILTERS_CONFIG=FILTERS)
def test_re_evaluate_everyone_closes_children_until_the_gate_evaluates_the_learner_again(env, gated):
    gate, text_id, _ = gated
    store_gate_state(env, gate, "student_1", UNLOCKED)  # unlocked in round 0
    run_render_filter(env.block(text_id))
    check = env.load("""<personalized_skill_check questions='[{"id": "q1", "prompt": "Half?", "skill": "fractions",
        "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}]'/>""")
    staff = env.block(gate, "staff", staff=True)
    saved = {"values": {"sources": [{"source": check, "threshold": 50}]}, "reevaluate_everyone": True}
    assert call(staff, "submit_studio_edits", saved)[0] == 200
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse):
        run_render_filter(env.block(text_id))  # the child's own URL: closed at once
    env.block(gate).render("student_view", {})  # evaluated under the rule as saved: she has not answered the check
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse):
        run_render_filter(env.block(text_id))


@override_settings(OPEN_EDX_FILTERS_CONFIG=FILTERS)
def test_garbled_gate_state_keeps_the_child_locked(env, gated, caplog):
    gate, text_id, _ = gated
    store_gate_state(env, gate, "student_1", {"version": 1, "unlocked": "yes"})
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse):
        run_render_filter(env.block(text_id))
    assert "unreadable learner state" in caplog.text


def test_blocks_outside_gates_are_untouched(env):
    unit = env.load("<vertical_demo><html_demo><p>free</p></html_demo></vertical_demo>")
    child = env.block(env.block(unit).children[0])
    assert enclosing_gate(child) == (None, None)
    result = RefuseLockedChildRender("filter", []).run_filter(context={"block": child}, student_view_context={})
    assert result["context"]["block"] is child


# --- the Django app plugin ----------------------------------------------------------------------

def test_django_app_is_installed_in_the_workbench():
    config = apps.get_app_config("personalized_path")
    assert isinstance(config, PersonalizedPathConfig)
    assert settings.PERSONALIZED_PATH_ENFORCE_GATES is True
    assert settings.PERSONALIZED_PATH_LINKED_VIEW == "personalized_path.openedx.linked.learner_view"
    assert plugin.RENDER_STEP in settings.OPEN_EDX_FILTERS_CONFIG[plugin.RENDER_FILTER]["pipeline"]


def test_plugin_settings_keep_the_operators_values():
    class Settings:  # pylint: disable=too-few-public-methods
        PERSONALIZED_PATH_ENFORCE_GATES = False
        PERSONALIZED_PATH_LINKED_VIEW = ""
        OPEN_EDX_FILTERS_CONFIG = {plugin.RENDER_FILTER: {"fail_silently": True, "pipeline": ["theirs.Step"]}}
    plugin.plugin_settings(Settings)
    plugin.plugin_settings(Settings)  # applied twice, the step is listed once
    assert Settings.PERSONALIZED_PATH_ENFORCE_GATES is False
    assert Settings.PERSONALIZED_PATH_LINKED_VIEW == ""
    assert Settings.OPEN_EDX_FILTERS_CONFIG[plugin.RENDER_FILTER] == {
        "fail_silently": True, "pipeline": ["theirs.Step", plugin.RENDER_STEP]}


def test_plugin_entry_points_are_declared():
    from importlib.metadata import entry_points  # pylint: disable=import-outside-toplevel
    groups = ("openedx.user_partition_scheme", "openedx.dynamic_partition_generator", "lms.djangoapp", "cms.djangoapp")
    found = {(group, point.value) for group in groups for point in entry_points(group=group)
             if point.value.startswith("personalized_path")}
    assert found == {
        ("openedx.user_partition_scheme", "personalized_path.openedx.partitions:MasteryGatePartitionScheme"),
        ("openedx.dynamic_partition_generator", "personalized_path.openedx.partitions:create_gate_partitions"),
        ("lms.djangoapp", "personalized_path.openedx.apps:PersonalizedPathConfig"),
        ("cms.djangoapp", "personalized_path.openedx.apps:PersonalizedPathConfig"),
    }
    assert json.dumps(PersonalizedPathConfig.plugin_app)  # plain data, as edx-django-utils reads it


# --- the gate itself when the platform refuses a child ------------------------------------------

class RefusingRuntime(RecordingRuntime):
    """As the LMS's runtime does for a block the learner may not open: get_block gives None."""

    def __init__(self, env, refused, gate, user_id="student_1"):
        super().__init__(env, user_id, False)
        self.refused, self.gate = refused, gate
        self.stored_when_refused = []

    def get_block(self, usage_id, for_parent=None):
        if usage_id not in self.refused:
            return super().get_block(usage_id, for_parent)
        # What the platform's access check would read at this moment: the gate's stored state.
        stored = RecordingRuntime(self.env, self.user_id, False).get_block(self.gate).learner_state
        self.stored_when_refused.append(stored.get("unlocked"))
        return None


def test_refused_child_is_left_out_with_a_note_to_contact_the_course_team(env):
    source = env.load("<personalized_skill_check/>")
    assert call(env.block(source), "submit", {"answers": {"q1": ["b"], "q2": ["a", "c"]}})[0] == 200
    gate = env.load(f"<personalized_mastery_gate sources='{json.dumps([source])}' threshold='50'>"
                    "<html_demo><p>shown child</p></html_demo><html_demo><p>refused child</p></html_demo>"
                    "</personalized_mastery_gate>")
    shown_id, refused_id = env.block(gate).children
    runtime = RefusingRuntime(env, {refused_id}, gate)
    html = runtime.render(runtime.get_block(gate), "student_view").content
    assert "shown child" in html and "refused child" not in html and shown_id not in runtime.refused
    assert "Please contact your course team" in html
    assert runtime.stored_when_refused == [True]  # the evaluation was stored before children were asked for
