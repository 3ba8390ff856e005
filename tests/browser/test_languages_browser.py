"""
Every workbench scenario in Spanish and in Arabic, as a learner and as course staff, shows no text of
the English catalog.

The rule, narrow on purpose: an English message counts only when the language's catalog translates
it to something else (a message whose translation is the same text, such as a code, a number or a
name, is legitimately the same in both languages), and it is found in the blocks' visible text
(``innerText`` of each block; the workbench's own page around them is not ours) when
- a line of that text is the message, where a placeholder for a number (``%(count)s``) stands for a
  number and any other placeholder (``%(title)s``) for any text, and the message's own words (outside
  placeholders) have letters; or
- the message is a sentence of three words or more without placeholders (it ends with . ? ! or …)
  and appears anywhere in a line.
Author text in the scenarios is shown as typed; it counts only where it is a whole line equal to an
English message (a title that is a default text, say), since that is what a learner reads as English.
"""
import re

import pytest

from tests.builders import block_classes, catalog, msgids

pytestmark = pytest.mark.browser

PLACEHOLDER = re.compile(r"(%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\})")
NUMBERS = {"counter", "n", "count", "minimum", "limit", "k", "percent", "maximum", "done", "total", "out_of", "low",
           "high", "cap", "threshold", "target", "points", "number", "known", "batch", "rows", "row", "possible",
           "earned", "correct", "columns", "column", "budget", "years", "step", "size", "score", "recall",
           "reachable", "pool", "pages", "page", "minutes", "mean", "matching", "m", "length", "expected", "chosen"}


def line_pattern(message):
    """A whole line showing ``message``, its placeholders filled in."""
    pieces = []
    for index, part in enumerate(PLACEHOLDER.split(message)):
        if index % 2 == 0:
            pieces.append(re.escape(part))
        else:
            name = re.sub(r"[^\w]", "", part.replace("%(", "").replace(")s", "").replace(")d", ""))
            pieces.append(r"[\d.,%٠-٩]+" if name in NUMBERS else r".+?")
    return re.compile(r"\s*" + "".join(pieces) + r"\s*")


def is_sentence(message):
    return not PLACEHOLDER.search(message) and len(message.split()) >= 3 and message.rstrip()[-1:] in ".?!…"


def scenario_ids():
    return [f"{tag}.{number}" for tag, block_class in sorted(block_classes().items())
            for number in range(len(block_class.workbench_scenarios()))]


def english_patterns(lang):
    """(message, how it is found in a line) for each English message the language shows differently."""
    translated = catalog(lang)
    patterns = []
    for message in sorted(msgids("en")):
        shown = translated.get(message) or translated.get((message, 0)) or translated.get((message, 1))
        text = message.split("\x04")[-1]  # a message with a context shows without it
        if not shown or shown == text or not re.search(r"[A-Za-z]{2}", PLACEHOLDER.sub("", text)):
            continue
        patterns.append((text, line_pattern(text), text if is_sentence(text) else None))
    return patterns


def english_in(text, patterns):
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return sorted({message for message, line_pattern, anywhere in patterns for line in lines
                   if line_pattern.fullmatch(line) or (anywhere and anywhere in line)})


def test_the_rule_finds_english_lines_and_sentences_but_not_author_text():
    patterns = [(message, line_pattern(message), message if is_sentence(message) else None)
                for message in ("Not yet", "%(done)s of %(chosen)s done", "What got in the way?", "Check-in %(number)s",
                                "%(title)s: not unlocked yet.", "Your learning plan")]
    text = ("Todavía no\n2 of 3 done\nNotes: What got in the way? was hard\nNot yet ready to teach\n"
            "Check-in before the project\nFractions lesson: not unlocked yet.\nYour learning plan for fractions")
    assert english_in(text, patterns) == ["%(done)s of %(chosen)s done", "%(title)s: not unlocked yet.",
                                          "What got in the way?"]


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_every_scenario_shows_no_english_catalog_text(workbench, new_context, lang):
    patterns = english_patterns(lang)
    assert len(patterns) > 500
    found = {}
    context = new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for role in ("student", "staff"):
        for scenario in scenario_ids():
            # Blocks render on the server and fetch nothing on load: the load event is enough.
            page.goto(workbench.scenario(scenario, f"{role}_{lang}_words") + f"&lang={lang}")
            assert page.evaluate("document.documentElement.lang") == lang
            text = "\n".join(page.locator(".xblock-v1:not(.xblock-v1 .xblock-v1)").all_inner_texts())
            assert text.strip(), scenario
            english = english_in(text, patterns)
            if english:
                found[f"{scenario} as {role}"] = english
    assert not errors, errors
    assert not found, f"English catalog text on {lang} pages:\n" + "\n".join(
        f"{page_name}: {messages}" for page_name, messages in found.items())
