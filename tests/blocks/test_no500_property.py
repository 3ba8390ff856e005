"""
Property tests for issue 23, through the real handlers and views on XBlock's runtime with real
field storage: any stored value of any JSON type, in any field of any block or anywhere inside one,
renders with defaults and answers (never an exception, never a 5xx); any JSON number or shape an
author saves for any setting in Studio answers 200 or a 400 that names the setting, and when
accepted the block still renders.
"""
import copy
import functools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webob import Request

from tests.builders import DATA_SCOPES, PAYLOADS, attempt_into, course_of_every_block, json_handlers
from tests.harness import BlockEnv, call

BLOCKS = ["self_assessment", "skill_check", "choice_board", "goal_reflection", "mastery_gate", "learning_plan"]
PLAN_PAYLOADS = {"save_interests": {"interests": ["music"]}, "class_grid": {},
                 "learner_answers": {"username": "student_1"},  # staff look up the learner whose state is garbled
                 "apply_exception": {"learner": "student_1", "gate": "x", "action": "unlock", "reason": "Because"},
                 # Progress updates (issue 28): here with no store, so each answers its sentence (400)
                 "sharing_section": {}, "set_nudges": {"review_due": False},
                 "remove_update_recipient": {"recipient": 1},
                 "add_update_recipient": {"name": "Grandma", "email": "grandma@example.org", "frequency": "weekly",
                                          "include_goals": False, "include_checkins": False}}
GET_HANDLERS = ["student_view_user_state", "download_plan", "export_csv"]
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Every JSON type, numbers at and past every bound (huge integers, floats that overflow to infinity).
NUMBERS = st.one_of(st.integers(), st.integers(-10 ** 400, 10 ** 400), st.floats(allow_nan=True),
                    st.sampled_from([0, -1, 1, 0.5, 1e308, -1e308, 10 ** 309, 2 ** 63]))
LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=20))
JSON = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


class Course:
    """One of each block (builders.course_of_every_block) and a learning plan over them, used by one learner."""

    def __init__(self):
        self.env = BlockEnv()
        self.usages = course_of_every_block(self.env)
        sources = json.dumps([str(usage) for usage in self.usages.values()])
        self.usages["learning_plan"] = self.env.load(f"<personalized_learning_plan sources='{sources}'/>")
        assert call(self.env.block(self.usages["learning_plan"]), "save_interests",
                    PLAN_PAYLOADS["save_interests"])[0] == 200
        self.pristine = copy.deepcopy(self.env.kvs.db_dict)

    def fresh(self, name):
        """``(env, usage of block name)`` with the course as first built (each example starts from it)."""
        self.env.kvs.db_dict = copy.deepcopy(self.pristine)
        self.env.cache.clear()
        return self.env, self.usages[name]


@pytest.fixture(scope="module")
def shared():
    return Course()


def payload_for(handler, name):
    if handler in PLAN_PAYLOADS:
        return PLAN_PAYLOADS[handler]
    return PAYLOADS[handler](name)


def failures_of(env, usage, name):
    """Every view and handler of the block, as its learner and as staff: what raised or answered 5xx."""
    found = []
    attempt = functools.partial(attempt_into, found)

    def get(user, staff, handler):
        block = env.block(usage, user, staff)
        if not hasattr(block, handler):
            return None
        return block.runtime.handle(block, handler, Request.blank("/", method="GET")).status_code
    for user, staff in (("student_1", False), ("staff", True)):
        attempt(f"{user} page", lambda user=user, staff=staff: env.block(usage, user, staff).render(
            "student_view", {}).body_html())
        for handler in GET_HANDLERS:
            attempt(f"{user} {handler}", lambda user=user, staff=staff, handler=handler: get(user, staff, handler))
        for handler in json_handlers(env.block(usage)):
            attempt(f"{user} {handler}", lambda user=user, staff=staff, handler=handler: call(
                env.block(usage, user, staff), handler, payload_for(handler, name))[0])
    attempt("student_view_data", lambda: json.dumps(env.block(usage).student_view_data()))
    return found


def places(value, path=()):
    """Every place inside a stored JSON value: the value itself, then each key and item, recursively."""
    yield path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from places(item, path + (key,))


def replaced(value, path, new):
    if not path:
        return new
    value = copy.deepcopy(value)
    holder = value
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = new
    return value


@pytest.mark.parametrize("name", BLOCKS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_stored_value_anywhere_renders_and_answers_without_a_500(shared, name, data):
    env, usage = shared.fresh(name)
    block = env.block(usage, "student_1")
    fields = sorted(field.name for field in block.fields.values() if field.scope in DATA_SCOPES)
    changes = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True), label="fields")
    for field_name in changes:
        writer = env.block(usage, "student_1")
        field_data = writer._field_data  # pylint: disable=protected-access
        stored = field_data.get(writer, field_name) if field_data.has(writer, field_name) else None
        path = data.draw(st.sampled_from(list(places(stored))), label=f"{field_name} at")
        field_data.set(writer, field_name, replaced(stored, path, data.draw(JSON, label="value")))
    found = failures_of(env, usage, name)
    assert not found, "\n".join(found[:20])


# An author's settings: every JSON number (the body may hold 1e309, which JSON reads as infinity) and shape.
OVERFLOW = "__overflow__"
SETTING_VALUES = st.one_of(JSON, NUMBERS, st.just(OVERFLOW),
                           st.lists(st.lists(st.text(max_size=3), max_size=2), max_size=2))


@pytest.mark.parametrize("name", BLOCKS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_number_or_shape_in_any_setting_is_saved_or_refused_naming_it(shared, name, data):
    env, usage = shared.fresh(name)
    staff = env.block(usage, "staff", staff=True)
    setting = data.draw(st.sampled_from(sorted(staff.editable_fields)), label="setting")
    value = data.draw(SETTING_VALUES, label="value")
    if setting in ("questions", "tiles", "statements", "scale", "topics", "routes", "skills") and data.draw(
            st.booleans(), label="inside the author's list"):
        current = staff.fields[setting].to_json(getattr(staff, setting))
        value = replaced(current, data.draw(st.sampled_from(list(places(current))), label="at"), value)
    body = json.dumps({"values": {setting: value}}).replace(f'"{OVERFLOW}"', "1e309")
    status, answer = call(staff, "submit_studio_edits", body=body.encode("utf-8"))
    assert status in (200, 400), (status, answer)
    if status == 400:  # a sentence naming this setting, or the one a rule across settings names
        labels = ["\u201c" + field.display_name + "\u201d" for field in staff.fields.values()]
        assert any(label in answer["error"] for label in labels) or answer["field"] == "", answer
        assert answer["field"] != "" or any(word in body for word in ("1e309", "Infinity", "NaN")), answer
    else:
        for user, is_staff in (("student_1", False), ("staff", True)):
            env.block(usage, user, is_staff).render("student_view", {}).body_html()
