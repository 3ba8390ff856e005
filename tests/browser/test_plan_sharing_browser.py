"""
The learning plan's "Progress updates" section (issue 28) in Debian's Chromium at 1280 and 375 px, in
English and Arabic: add a person by keyboard, a bad address's sentence beside the field, the list with
the status and what was sent (the address masked), reminders, removal; axe clean in each state. The
confirmation request goes through edx-ace into the workbench's page of sent messages.
"""
import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_self_assessment.0"
SHARING = ".pp-learning-plan .pp-plan-sharing"
CONFIRM_SUBJECTS = {"en": "would like to send you progress updates", "ar": "في إرسال أخبار تقدّمه إليك"}


@pytest.fixture(params=[{"width": 1280, "height": 900}, {"width": 375, "height": 740}], ids=["desktop", "phone"])
def viewport(request):
    return request.param


def fits(sized_page):
    overflow = sized_page.page.locator(".pp-learning-plan").evaluate("root => root.scrollWidth - root.clientWidth")
    assert overflow <= 0, f"the plan is wider than a {sized_page.width}px screen by {overflow}px"


def type_in(page, control, text):
    """Type into a control as a person does: focus it, then the keys."""
    control.focus()
    page.keyboard.type(text)


def press(page, control, key):
    control.focus()
    page.keyboard.press(key)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_learner_shares_progress_and_sets_reminders_by_keyboard(workbench, sized_page, language):
    page = sized_page.page
    student = f"sharing_{language}_{sized_page.width}"
    page.goto(workbench.scenario(SCENARIO, student) + f"&lang={language}")
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")
    section = open_sharing(sized_page)
    sized_page.axe("empty", SHARING)
    fits(sized_page)

    # A bad address: the server's sentence beside the field, focus on it.
    form = section.locator(".pp-plan-recipient-form")
    type_in(page, form.locator("input[name=name]"), "Grandma")
    type_in(page, form.locator("input[name=email]"), "grandma.example.org")
    press(page, form.locator("button[type=submit]"), "Enter")
    error = form.locator(".pp-field-error")
    error.wait_for()
    assert form.locator("input[name=email]").get_attribute("aria-invalid") == "true"
    if language == "en":
        assert error.inner_text() == "Enter an email address such as name@example.org."
    else:
        assert "name@example.org" in error.inner_text() and "Enter" not in error.inner_text()
    sized_page.axe("bad address", SHARING)

    # Corrected, with "when something changes" and goals ticked, by keyboard.
    form.locator("input[name=email]").fill("")
    type_in(page, form.locator("input[name=email]"), "grandma@example.org")
    press(page, form.locator("input[value=changes]"), "Space")
    press(page, form.locator("input[name=include_goals]"), "Space")
    press(page, form.locator("button[type=submit]"), "Enter")
    person = page.locator(f"{SHARING} .pp-plan-recipient")
    person.wait_for()
    text = person.inner_text()
    assert "g\u2022\u2022\u2022@example.org" in text and "grandma@example.org" not in page.content()
    assert person.get_attribute("data-status") == "pending"
    if language == "en":
        assert "Waiting for confirmation" in text and "Last sent: Request to confirm" in text
        assert "Request to confirm" in page.locator(f"{SHARING} .pp-plan-sent").inner_text()
    sized_page.axe("one person", SHARING)
    fits(sized_page)
    sized_page.screenshot("one-person", SHARING)

    # Reminders: switch one off, saved and still off after a reload.
    nudges = page.locator(f"{SHARING} .pp-plan-nudges-form")
    press(page, nudges.locator("input[value=review_due]"), "Space")
    press(page, nudges.locator("button[type=submit]"), "Enter")
    page.wait_for_function("document.querySelector('.pp-learning-plan .pp-status').textContent.length > 0")
    page.reload()
    open_sharing(sized_page)
    assert not page.locator(f"{SHARING} input[value=review_due]").is_checked()
    assert page.locator(f"{SHARING} input[value=stuck_at_gate]").is_checked()

    # Remove by keyboard: the list is empty again, the log keeps what was sent.
    press(page, page.locator(f"{SHARING} .pp-plan-remove-recipient"), "Enter")
    page.wait_for_function("!document.querySelector('.pp-learning-plan .pp-plan-recipient')")
    assert page.locator(f"{SHARING} .pp-plan-sent tbody tr").count() == 1
    sized_page.axe("removed", SHARING)
    confirmation_was_sent(sized_page, workbench, student, language)


def open_sharing(sized_page):
    """The section comes closed (the plan's view reads none of its data): open it by keyboard."""
    page = sized_page.page
    opener = page.locator(f"{SHARING} .pp-plan-sharing-open")
    opener.wait_for()
    sized_page.axe("closed", SHARING)
    press(page, opener, "Enter")
    page.locator(f"{SHARING} .pp-plan-nudges-form").wait_for()
    assert page.evaluate("document.activeElement.tagName") == "H3", "focus on the opened section's heading"
    return page.locator(SHARING)


def confirmation_was_sent(sized_page, workbench, student, language):
    """(Nothing wider than the screen, then) the confirmation request went by edx-ace, in the learner's language."""
    fits(sized_page)
    page = sized_page.page
    page.goto(workbench.url + "/messages/")
    sent = page.locator("article", has_text="grandma@example.org").filter(has_text=student).first
    assert CONFIRM_SUBJECTS[language] in sent.locator("h2").inner_text()
    confirm = sent.locator("pre").inner_text()
    assert "/personalized_path/progress-updates/confirm/" in confirm and "/progress-updates/stop/" in confirm
