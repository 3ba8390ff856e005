"""
Every field of every block holding a stored value of the wrong shape (an older shape, an OLX
import, a hand edit) renders with defaults and a log line: learner page, staff page, mobile data
and every handler. Nothing here may answer 500 or raise.
"""
import copy
import functools
import json
import logging

import pytest

from personalized_path.fields import StoredValueGuard
from tests.builders import (DATA_SCOPES, GARBLED, PAYLOADS, attempt_into, course_of_every_block, does_not_fit,
                            json_handlers)
from tests.harness import call


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


BLOCKS = ["self_assessment", "skill_check", "choice_board", "goal_reflection", "mastery_gate"]


@pytest.mark.parametrize("name", BLOCKS)
def test_every_field_with_every_garbled_value_renders_and_answers(env, name, caplog):
    """
    A value that does not fit its field's type must read as the default, with a log line; the
    block's code then only ever sees the default, so one such value per field goes through every
    view and handler. Values that fit the type but are garbled inside all go through them.
    """
    usages = course_of_every_block(env)
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
    usages = course_of_every_block(env)
    for usage in usages.values():
        block = env.block(usage)
        for name, field in block.fields.items():
            if field.scope in DATA_SCOPES:
                assert isinstance(field, StoredValueGuard), f"{block.scope_ids.block_type}.{name}"


def test_a_default_read_in_place_of_a_garbled_value_is_never_written_back(env):
    usages = course_of_every_block(env)
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
