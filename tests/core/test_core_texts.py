"""core.texts: the texts people read in a field's value, found and replaced without touching ids or codes."""
from personalized_path.core.texts import texts_in, with_texts_replaced

QUESTION = [{"id": "Not yet", "prompt": "Which is even?", "kind": "single", "skill": "Not yet",
             "choices": [{"id": "a", "text": "4", "feedback": "Not yet"}], "correct": ["a"]}]


def test_texts_are_found_under_text_keys_and_in_plain_lists_only():
    assert texts_in(QUESTION) == ["Which is even?", "Not yet"]  # the id and skill "Not yet" are codes
    assert texts_in(["What next?", "What next?"]) == ["What next?"]
    assert texts_in({"tiles": ["a-b"], "label": "Music"}) == ["Music"]  # a list under a code key is codes
    assert texts_in("12") == [] and texts_in(None) == []


def test_replacing_touches_only_texts_and_copies_only_what_changed():
    replaced = with_texts_replaced(QUESTION, {"Not yet": "Todavía no", "a": "x"})
    assert replaced[0]["choices"][0] == {"id": "a", "text": "4", "feedback": "Todavía no"}
    assert replaced[0]["id"] == "Not yet" and replaced[0]["skill"] == "Not yet" and replaced[0]["correct"] == ["a"]
    assert QUESTION[0]["choices"][0]["feedback"] == "Not yet"  # the stored value is never changed
    assert with_texts_replaced(QUESTION, {"Elsewhere": "x"}) is QUESTION
    assert with_texts_replaced(QUESTION, {}) is QUESTION
