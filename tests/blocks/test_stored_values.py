"""
Every field of every block holding a stored value of the wrong shape (an older shape, an OLX
import, a hand edit) renders with defaults and a log line: learner page, staff page, mobile data
and every handler. Nothing here may answer 500 or raise.
"""
import copy
import functools
import json
import logging
from datetime import date, timedelta

import pytest
from xblock.fields import Scope

from personalized_path.fields import StoredValueGuard
from tests.harness import call

# A value of every JSON type, plus right-typed values with garbled insides.
GARBLED = [None, True, 0, -7, 1e308, "text", "", [], [1, "x", None, [], {}], {}, {"x": [1], "version": 99},
           {"version": 1, "history": "x", "goals": 3, "chosen": {"a": 1}, "counts": [1], "learners": "many"}]
DATA_SCOPES = (Scope.content, Scope.settings, Scope.user_state, Scope.user_state_summary)


def course(env):
    """One of each block, linked together, with a learner who has used all of them."""
    assessment = env.load('<personalized_self_assessment show_class_comparison="true"/>')
    check = env.load('<personalized_skill_check max_attempts="0"/>')
    board = env.load(f'<personalized_choice_board show_stats_to_learners="true" self_assessment="{assessment}"/>')
    goals_xml = (f'<personalized_goal_reflection self_assessment="{assessment}" skill_check="{check}" '
                 'graded="true"/>')
    goals = env.load(goals_xml)
    routes = [{"id": "low", "label": "Review", "min": 0, "max": 50}, {"id": "high", "label": "More", "min": 50,
                                                                      "max": 100}]
    gate = env.load(
        f"""<personalized_mastery_gate mode="any" threshold="0" sources='["{check}"]' skill_checks='["{check}"]'
              skills='[{{"skill": "number-sense", "threshold": 10}}]' routes='{json.dumps(routes)}'
              self_assessment="{assessment}" self_assessment_skill="understanding" choice_board="{board}"
              goal_reflection="{goals}">
              <html_demo><p>Everyone</p></html_demo><html_demo><p>Low route</p></html_demo>
              <personalized_self_assessment/>
            </personalized_mastery_gate>""")
    block = env.block(gate, "staff", staff=True)
    block.child_routes = {block.child_key(block.children[1]): "low"}
    block.save()
    learner = "student_1"
    assert call(env.block(assessment, learner), "submit", RATINGS)[0] == 200
    assert call(env.block(check, learner), "submit", ANSWERS)[0] == 200
    assert call(env.block(board, learner), "choose", {"tiles": ["read-chapter", "watch-talk"]})[0] == 200
    assert call(env.block(goals, learner), "save_goals", goals_payload())[0] == 200
    return {"self_assessment": assessment, "skill_check": check, "choice_board": board,
            "goal_reflection": goals, "mastery_gate": gate}


RATINGS = {"ratings": {"explain-idea": 2, "apply-idea": 1}, "evidence": {"explain-idea": "An example"}}
ANSWERS = {"answers": {"q1": ["b"], "q2": ["a", "c"]}}


def goals_payload(revision=0):
    target = (date.today() + timedelta(days=60)).isoformat()
    return {"revision": revision, "goals": {
        "long": {"text": "Add any two fractions well", "smart": ["S"], "target_date": target},
        "short-1": {"text": "Practise ten sums a day", "smart": [], "target_date": target}}}


# A plausible request for every state-changing handler of every block.
PAYLOADS = {
    "submit": lambda name: RATINGS if name == "self_assessment" else ANSWERS,
    "choose": lambda name: {"tiles": ["read-chapter", "discuss"]},
    "commit": lambda name: {},
    "mark_done": lambda name: {"tile": "read-chapter", "note": "Notes taken", "link": ""},
    "save_goals": lambda name: goals_payload(1),
    "check_in": lambda name: {"revision": 1, "progress": {"long": 2, "short-1": 1}, "helped": "Time blocks",
                              "obstacles": "Work", "next_step": "Ask a friend"},
    "refresh": lambda name: {},
    "check_again": lambda name: {},
    "start_session": lambda name: {},
    "answer": lambda name: {"question": "q1", "choices": ["b"]},
    "preview": lambda name: {"values": {}},  # staff only: a learner gets 403
    "learner_answers": lambda name: {"username": "someone"},  # staff only: a learner gets 403
    "recount_class": lambda name: {},  # staff only: a learner gets 403
    "editor_catalog": lambda name: {},
    "submit_studio_edits": lambda name: {"values": {}},
}


def json_handlers(block):
    """The names of a block's (or block class's) POST-only JSON handlers."""
    cls = block if isinstance(block, type) else type(block)
    return sorted(name for name in dir(cls) if getattr(getattr(cls, name), "json_api", False))


def attempt_into(problems, what, action):
    """Run ``action``; add to ``problems`` what it raised, or the status it returned when 500 or more."""
    try:
        outcome = action()
    except Exception as error:  # pylint: disable=broad-except
        problems.append(f"{what}: {type(error).__name__}: {error}")
        return
    if isinstance(outcome, int) and outcome >= 500:
        problems.append(f"{what}: status {outcome}")


def exercise(env, usage, name):
    """Every view and handler of one block, as a learner and as staff; returns what went wrong."""
    problems = []
    attempt = functools.partial(attempt_into, problems)

    learner = env.block(usage, "student_1")
    attempt("learner page", lambda: learner.render("student_view", {}).body_html())
    attempt("staff page", lambda: env.block(usage, "staff", staff=True).render("student_view", {}).body_html())
    attempt("student_view_data", lambda: json.dumps(env.block(usage).student_view_data()))
    attempt("student_view_user_state",
            lambda: call(env.block(usage, "student_1"), "student_view_user_state", method="GET")[0])
    for handler in json_handlers(learner):
        payload = PAYLOADS[handler](name)
        attempt(handler, lambda handler=handler, payload=payload: call(
            env.block(usage, "student_1"), handler, payload)[0])
    return problems


def does_not_fit(field, value):
    try:
        return not field.fits(field.from_json(value))
    except (TypeError, ValueError, OverflowError):
        return True


BLOCKS = ["self_assessment", "skill_check", "choice_board", "goal_reflection", "mastery_gate"]


@pytest.mark.parametrize("name", BLOCKS)
def test_every_field_with_every_garbled_value_renders_and_answers(env, name, caplog):
    """
    A value that does not fit its field's type must read as the default, with a log line; the
    block's code then only ever sees the default, so one such value per field goes through every
    view and handler. Values that fit the type but are garbled inside all go through them.
    """
    usages = course(env)
    usage = usages[name]
    block = env.block(usage, "student_1")
    fields = [field for field in block.fields.values() if field.scope in DATA_SCOPES]
    assert len(fields) >= 8
    pristine = copy.deepcopy(env.kvs.db_dict)
    failures = []
    for field in fields:
        exercised_a_misfit = False
        for value in GARBLED:
            writer = env.block(usage, "student_1")
            writer._field_data.set(writer, field.name, value)  # pylint: disable=protected-access
            misfit = does_not_fit(field, value)
            if misfit:
                caplog.clear()
                with caplog.at_level(logging.WARNING):
                    read = getattr(env.block(usage, "student_1"), field.name)
                if read != field.default or not any(field.name in record.getMessage() for record in caplog.records):
                    failures.append(f"{field.name}={value!r}: read as {read!r}, logged: {caplog.text!r}")
            if not misfit or not exercised_a_misfit:
                problems = exercise(env, usage, name)
                failures += [f"{field.name}={value!r}: {problem}" for problem in problems]
                exercised_a_misfit = exercised_a_misfit or misfit
            env.kvs.db_dict = copy.deepcopy(pristine)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


def test_our_fields_all_guard_their_stored_values(env):
    """Every data field of every block, XBlock's own name and tags included, uses the guarded classes."""
    usages = course(env)
    for usage in usages.values():
        block = env.block(usage)
        for name, field in block.fields.items():
            if field.scope in DATA_SCOPES:
                assert isinstance(field, StoredValueGuard), f"{block.scope_ids.block_type}.{name}"


def test_a_default_read_in_place_of_a_garbled_value_is_never_written_back(env):
    usages = course(env)
    usage = usages["self_assessment"]
    writer = env.block(usage, "student_1")
    writer._field_data.set(writer, "statements", "not a list")  # pylint: disable=protected-access
    writer._field_data.set(writer, "learner_state", [1, 2])  # pylint: disable=protected-access
    block = env.block(usage, "student_1")
    block.render("student_view", {})
    block.save()
    fresh = env.block(usage, "student_1")
    assert fresh._field_data.get(fresh, "statements") == "not a list"  # pylint: disable=protected-access
    assert fresh._field_data.get(fresh, "learner_state") == [1, 2]  # pylint: disable=protected-access


def test_author_lists_are_not_copied_when_read_and_are_saved_when_assigned(env):
    """Reading a view keeps no deep copy of content or settings; assigning them saves; learner state is tracked."""
    usage = env.load("<personalized_choice_board/>")
    block = env.block(usage)
    tiles = block.tiles
    assert tiles and block.fields["tiles"] not in block._dirty_fields  # pylint: disable=protected-access
    block.tiles = [dict(tiles[0], title="Renamed tile")] + tiles[1:]
    block.save()
    assert env.block(usage).tiles[0]["title"] == "Renamed tile"
    block = env.block(usage)
    state = block.learner_state
    state["changed_in_place"] = True  # learner state keeps XBlock's tracking of changes made in place
    block.save()
    assert env.block(usage).learner_state.get("changed_in_place") is True
