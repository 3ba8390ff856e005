"""The blocks read each other through the runtime, each with its real class (no stand-ins)."""
import json

from tests.harness import ok, render, unisolated

STATEMENTS = json.dumps([{"id": "s1", "text": "I can add fractions", "skill": "fractions"}])
TILES = json.dumps([{"id": "one", "title": "One", "format": "other", "points": 5, "tier": "may"},
                    {"id": "two", "title": "Two", "format": "other", "points": 5, "tier": "may"}])
QUESTIONS = json.dumps([{"id": "half", "prompt": "Which is one half?", "kind": "single", "skill": "fractions",
                         "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}])


def test_gate_opens_on_a_completed_choice_board_and_a_self_assessment_level(env):
    assessment = env.load(f"<personalized_self_assessment statements='{STATEMENTS}'/>")
    board = env.load(f"<personalized_choice_board rule='k_of_n' choose_count='1' tiles='{TILES}'/>")
    gate = env.load(f"<personalized_mastery_gate self_assessment='\"{assessment}\"' self_assessment_skill='fractions' "
                    f"self_assessment_level='3' choice_board='\"{board}\"'>"
                    "<html_demo><p>OPEN-CONTENT</p></html_demo></personalized_mastery_gate>")
    assert "OPEN-CONTENT" not in render(env, gate)
    ok(env.block(assessment), "submit", {"ratings": {"s1": 3}})
    assert "OPEN-CONTENT" not in render(env, gate)  # the board is not complete yet
    ok(env.block(board), "choose", {"tiles": ["one"]})
    ok(env.block(board), "commit", {})
    ok(env.block(board), "mark_done", {"tile": "one", "note": "done it"})
    assert env.block(board).is_board_complete()
    assert "OPEN-CONTENT" in render(env, gate)
    assert "OPEN-CONTENT" not in render(env, gate, user="someone_else")


def test_goal_reflection_recalls_whether_its_linked_gate_is_open(env):
    check = env.load(f"<personalized_skill_check attempts_allowed='2' questions='{QUESTIONS}'/>")
    gate = env.load(f"<personalized_mastery_gate display_name='Lesson' sources='[\"{check}\"]' threshold='100'>"
                    "<html_demo><p>OPEN-CONTENT</p></html_demo></personalized_mastery_gate>")
    goals = env.load(f"<personalized_goal_reflection skill_check='\"{check}\"' mastery_gate='\"{gate}\"'/>")
    ok(env.block(check), "submit", {"answers": {"half": ["b"]}})
    assert "Lesson: not unlocked yet." in unisolated(render(env, goals))
    ok(env.block(check), "submit", {"answers": {"half": ["a"]}})
    assert "Lesson: you have shown the mastery it asks for." in unisolated(render(env, goals))
    assert env.block(gate).is_unlocked() and env.block(goals).has_goals_set() is False


def test_every_block_declares_that_its_learner_view_works_in_the_mobile_apps(env):
    """The apps render a block only when its student_view supports "multi_device"."""
    from xblock.core import XBlock  # pylint: disable=import-outside-toplevel
    for name in ("personalized_self_assessment", "personalized_choice_board", "personalized_skill_check",
                 "personalized_mastery_gate", "personalized_goal_reflection", "personalized_learning_plan"):
        block = env.block(env.load(f"<{name}/>"))
        assert XBlock.has_support(block, block.student_view, "multi_device"), name
        assert isinstance(block.student_view_data(), dict), name
