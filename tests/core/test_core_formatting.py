"""One way to write a percentage and a stored time, and messages with plural forms."""
from datetime import datetime, timedelta, timezone

import pytest

from personalized_path.core import NP_, percent_text
from personalized_path.core.payload import PayloadError, as_text
from personalized_path.core.state import stored_time


@pytest.mark.parametrize("value, text", [
    (66.6666, "67"), (200 / 3, "67"), (66.5, "67"), (66.49, "66"), (80.0, "80"), (0, "0"), (100, "100"),
    (99.7, "99"), (None, ""), (float("nan"), ""), (float("inf"), ""), (True, ""), ("x", ""), (12.5, "13"),
])
def test_percent_text_is_a_whole_number_that_never_overstates_a_full_score(value, text):
    assert percent_text(value) == text


def test_a_stored_time_is_utc_to_the_second():
    moment = datetime(2026, 3, 1, 14, 30, 5, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert stored_time(moment) == "2026-03-01T12:30:05+00:00"


def test_plural_messages_pick_their_form_by_count_and_translate_with_ngettext():
    message = NP_("Write at least %(count)s character.", "Write at least %(count)s characters.")
    assert PayloadError("x", message, count=1).sentence() == "Write at least 1 character."
    assert PayloadError("x", message, count=3).sentence() == "Write at least 3 characters."
    calls = []
    error = PayloadError("x", message, count=3)
    spanish = "Escribe al menos %(count)s caracteres."
    text = error.sentence(lambda text: text, lambda one, many, count: calls.append(count) or spanish)
    assert calls == [3] and text == "Escribe al menos 3 caracteres."


def test_learners_read_a_sentence_and_authors_also_see_the_field():
    with pytest.raises(PayloadError) as caught:
        as_text("x" * 11, "goals.long.text", 10)
    assert caught.value.sentence() == "Your text is 11 characters long; shorten it to at most 10."
    assert caught.value.render().startswith("goals.long.text: ")
